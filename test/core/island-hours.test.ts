import { describe, expect, it } from 'vitest';
import { issuingRefusal, serviceOf } from '../../src/core/index.js';
import { Hall, hallConfig, monday } from './fixtures.js';

/**
 * The third tryout of the eighteenth session: an island issued a ticket of a 09:00–12:00 service at
 * 15:54, its lease taken at 15:52. The core lets a leased issue through without the hours (its replay
 * may run later than the island's time and must not refuse a ticket already on paper), so the island
 * asks issuingRefusal before it decides (src/agent/island/island-mode.ts; test/agent/island-hours).
 */
describe("an island's issue and the service's hours", () => {
  const config = hallConfig();
  const c = serviceOf(config, 'C');
  if (!c) throw new Error('no service C');

  it('is refused outside the hours, as online, and allowed within them', () => {
    expect(issuingRefusal(config, c, monday('15:00'))).toBe('outside-hours');
    expect(issuingRefusal(config, c, monday('10:00'))).toBeUndefined();
    expect(issuingRefusal(config, c, monday('10:00', '2026-11-29'))).toBeUndefined(); // a workday on a Sunday
    expect(issuingRefusal(config, c, monday('10:00', '2026-11-22'))).toBe('hall-closed');
  });

  it('the core alone takes a leased issue outside the hours (the replay), which is why the island asks first', () => {
    const h = new Hall();
    h.open(4);
    h.ok({ type: 'LeaseNumbers', agentId: 'kiosk-a', serviceId: 'A', count: 2 });
    expect(h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('17:30')).outcome).toMatchObject({ ok: false, code: 'outside-hours' });
    expect(h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', leased: { agentId: 'kiosk-a', number: 1 } }, monday('16:50')).outcome).toMatchObject({ ok: true });
  });
});
