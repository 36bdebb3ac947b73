import { join } from 'node:path';
import { smallDisk } from '../helpers/small-disk.js';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';

/**
 * The kiosk while the hall server's disk is full (the nineteenth session's last tryout: the server said
 * 503 store-failing, the kiosk 500 "system busy, try again" and an error line per citizen). Now the
 * citizen is sent to the desk (503 store-failing), the agent warns once, and says when it works again.
 * The server's database on a real 3 MB tmpfs (root, as the hall box's installer runs).
 */
const disk = smallDisk('kiosk-disk-full');

describe.skipIf(!disk.mounted)('the kiosk with the hall server on a full disk', () => {
  let rig: KioskRig | undefined;
  afterAll(async () => {
    await rig?.stop();
    disk.unmount();
  });

  it('sends the citizen to the desk (503 store-failing), warns once, and issues again once space is freed', async () => {
    const log = recordingLogger();
    const printed: PrintDocument[] = [];
    const printer = { health: 'ok', print: (doc: PrintDocument) => (printed.push(doc), Promise.resolve({ confirmation: 'device' })) };
    rig = await startKioskRig({ smsEnabled: true, printer, db: join(disk.dir, 'hall.db'), logger: log });
    const post = async (body: unknown) => {
      const res = await fetch(`${rig?.base}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { ok?: boolean; error?: { code: string; message: string; messageZh: string } } };
    };
    expect((await post({ serviceId: 'A' })).status).toBe(200);
    disk.fill();
    let refused = 0;
    for (let i = 0; i < 200 && refused < 5; i++) {
      const r = await post({ serviceId: 'A' });
      if (r.status === 200) continue;
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ code: 'store-failing', message: expect.stringContaining('desk'), messageZh: expect.stringContaining('导办') });
      refused += 1;
    }
    expect(refused).toBe(5);
    const said = (msg: string) => log.records.filter((r) => r.msg?.includes(msg));
    expect(said('cannot save')).toHaveLength(1);
    expect(log.records.filter((r) => r.level === 'error')).toEqual([]);
    disk.free();
    expect((await post({ serviceId: 'A' })).status).toBe(200);
    expect(said('saves again')).toHaveLength(1);
  });
});
