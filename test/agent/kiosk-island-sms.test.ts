import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import type { AgentLink } from '../../src/agent/link.js';

/**
 * The tryout of the eighteenth session: in island mode the kiosk issued SMS-only tickets ("ok") whose
 * phone could never leave the agent (no contact without the server), so no SMS ever told the citizen
 * the number. While the agent is an island, a hall that sends SMS offers none: an SMS-only request is
 * refused before anything is decided, and the printer-out screen sends the citizen to the desk.
 */
describe('the kiosk in island mode offers no SMS ticket', () => {
  const run: unknown[] = [];
  const link = {
    divert: undefined as AgentLink['divert'],
    replica: { state: { config: { smsEnabled: true } } },
    run: (cmd: unknown) => (run.push(cmd), new Promise(() => undefined)),
  };
  const kiosk = new KioskFlow(link as unknown as AgentLink, undefined, { statusBaseUrl: 'http://hall.test', logger: silentLogger });

  it('says SMS is off for now while islanded, and on again once the server is back', async () => {
    expect(kiosk.smsEnabled()).toBe(true);
    link.divert = () => Promise.resolve({ outcome: { ok: true }, seq: 0 });
    expect(kiosk.smsEnabled()).toBe(false);
    expect(kiosk.smsAway()).toBe(true);
    expect(await kiosk.issue({ serviceId: 'A', smsOnly: true, phone: '13900002222', phoneMasked: '139****2222' })).toMatchObject({ ok: false, code: 'sms-unavailable' });
    expect(run).toEqual([]);
    link.divert = undefined;
    expect(kiosk.smsAway()).toBe(false);
    expect(kiosk.smsEnabled()).toBe(true);
  });

  it('in a hall that sends no SMS it stays "sms-off", islanded or not', async () => {
    link.replica.state.config.smsEnabled = false;
    link.divert = () => Promise.resolve({ outcome: { ok: true }, seq: 0 });
    expect(kiosk.smsAway()).toBe(false);
    expect(await kiosk.issue({ serviceId: 'A', smsOnly: true, phoneMasked: '139****2222' })).toMatchObject({ ok: false, code: 'sms-off' });
  });
});
