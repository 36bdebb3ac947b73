import { join } from 'node:path';
import { smallDisk } from '../helpers/small-disk.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import type { HallEvent } from '../../src/core/index.js';
import { EventLog } from '../../src/store/index.js';
import { httpRig, type HttpRig } from '../http/rig.js';

/**
 * The disk under the hall database fills up (the ops tryout of the nineteenth session: a 9 MB tmpfs).
 * Clients got 500 `internal`, /readyz said ready, and every failed command logged a stack trace and a
 * warning of its rebuild (4.5 MB of log within minutes, on the full disk). Now: 503 `store-failing` that
 * says the disk is full, /readyz 503 `store-failing`, one error line per episode, one line when appends
 * work again; nothing acknowledged is lost. A real tmpfs (root, as the hall box's installer runs).
 */
const disk = smallDisk('disk-full');

describe.skipIf(!disk.mounted)('the hall database on a full disk', () => {
  const log = recordingLogger();
  let rig: HttpRig;
  beforeAll(async () => {
    // A 3 MB disk: the default threshold (64 MB) would say disk-low from the start; the failure is what is tested here.
    rig = await httpRig({ db: join(disk.dir, 'hall.db'), engineLogger: log, diskLowBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await rig?.close();
    disk.unmount();
  });

  it('refuses commands with 503 store-failing and readyz 503, logs the episode once, and works again when space is freed; nothing acknowledged is lost', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${rig.cliToken}` };
    const issue = (id: string) => rig.app.inject({ method: 'POST', url: '/api/commands', headers, payload: { id, type: 'IssueTicket', serviceId: 'social', delivery: 'none' } });
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await issue(`before-${i}`);
      expect(r.statusCode).toBe(200);
      acknowledged.push(String(r.json<{ outcome: { ticketId: string } }>().outcome.ticketId));
    }
    // Fill what is left of the disk.
    disk.fill();
    let failed = 0;
    for (let i = 0; i < 400 && failed < 25; i++) {
      const r = await issue(`full-${i}`);
      if (r.statusCode === 200) {
        acknowledged.push(String(r.json<{ outcome: { ticketId: string } }>().outcome.ticketId));
        continue;
      }
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ error: { code: 'store-failing', message: expect.stringContaining('disk is full'), messageZh: expect.stringContaining('磁盘已满') } });
      failed += 1;
    }
    expect(failed).toBe(25);
    const ready = await rig.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ok: false, status: 'store-failing', log: 'failing', store: { failures: 25, reason: expect.stringContaining('disk is full') } });
    const lines = (msg: string) => log.records.filter((r) => r.msg?.startsWith(msg));
    expect(lines('append failed')).toHaveLength(1);
    expect(lines('snapshot file unreadable').length).toBeLessThanOrEqual(1);
    expect(JSON.stringify(lines('append failed')[0]?.obj)).not.toContain('stack');

    disk.free();
    const again = await issue('after');
    expect(again.statusCode).toBe(200);
    acknowledged.push(String(again.json<{ outcome: { ticketId: string } }>().outcome.ticketId));
    expect((await rig.app.inject({ url: '/readyz' })).json()).toMatchObject({ ok: true, log: 'open' });
    expect(lines('appends work again').map((r) => r.obj)).toEqual([expect.objectContaining({ failures: 25 })]);

    // What the file holds: every acknowledged ticket, once.
    const stored = EventLog.open<HallEvent>(rig.db, { readonly: true });
    const issued = stored.read(0, 100_000).flatMap((e) => (e.type === 'TicketIssued' ? [e.ticket.id] : []));
    stored.close();
    expect(issued).toEqual(acknowledged);
  });
});
