import { beforeAll, describe, expect, it } from 'vitest';
import { rigPages } from '../helpers/rig-pages.js';
import { PIN } from '../http/rig.js';

/**
 * Admin's island section lists each kiosk's leased number blocks as the hall sees them on tickets
 * (tryout: `social1–20` where the tickets say A001–A020).
 */
describe("admin's island number leases", () => {
  const pages = rigPages();
  let cookie = '';
  beforeAll(async () => {
    cookie = await pages.rig.signIn('m01', PIN.m01 as string);
    // Two blocks of 社会保障 (prefix A) and one of 户籍办理 (prefix C) for kiosk-1, as the lease keeper asks for them.
    for (const [i, serviceId, count] of [[1, 'social', 20], [2, 'social', 20], [3, 'household', 5]] as const) {
      expect(pages.rig.mqtt.run({ id: `lease-${i}`, type: 'LeaseNumbers', agentId: 'kiosk-1', serviceId, count, source: 'system' }).ok).toBe(true);
    }
  });

  it('shows the blocks as ticket numbers: A001–A020 A021–A040 C001–C005', async () => {
    const island = (await (await fetch(`${pages.base.replace('hall.test', '127.0.0.1')}/api/island`, { headers: { cookie } })).json()) as { leases: Record<string, unknown[]> };
    expect(island.leases['kiosk-1']).toEqual([
      { serviceId: 'social', from: 1, to: 20, fromNumber: 'A001', toNumber: 'A020' },
      { serviceId: 'social', from: 21, to: 40, fromNumber: 'A021', toNumber: 'A040' },
      { serviceId: 'household', from: 1, to: 5, fromNumber: 'C001', toNumber: 'C005' },
    ]);
    const page = await (await pages.context(cookie)).newPage();
    await page.goto(`${pages.base}/admin`);
    await page.waitForSelector('#leases:has-text("kiosk-1")');
    expect(await page.textContent('#leases')).toBe('kiosk-1: A001–A020 A021–A040 C001–C005');
  });
});
