import { afterAll, describe, expect, it } from 'vitest';
import type { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';

/**
 * The kiosk takes a mobile number as people write it (`138 1234 5678`, `+86 138-1234-5678`): the SMS,
 * the masked copy on the ticket and a booking's phone lookup get the 11-digit national number; a number
 * with a digit missing is still 400 phone-invalid and makes no ticket.
 */
describe('a phone typed with spaces, dashes or +86 at the kiosk', () => {
  let rig: KioskRig | undefined;
  afterAll(async () => {
    await rig?.stop();
  });

  it('issues the ticket for its national number; a short one is refused', async () => {
    const printer = { health: 'ok', print: () => Promise.resolve({ confirmation: 'device' }) };
    rig = await startKioskRig({ smsEnabled: true, printer });
    const { kiosk, base, server } = rig;
    // What the route hands the flow (the phone goes on to the server's contact store from there).
    const asked: Parameters<KioskFlow['issue']>[0][] = [];
    const issue = kiosk.issue.bind(kiosk);
    kiosk.issue = (o) => (asked.push(o), issue(o));
    const post = async (body: unknown) => {
      const res = await fetch(`${base}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { ok?: boolean; ticketId?: string; error?: { code: string } } };
    };

    // Two services: the per-phone rule (policy.perPhone, 2 open a service) counts the three forms as one phone.
    for (const [typed, serviceId] of [['+86 138-1234-5678', 'A'], ['138 1234 5678', 'B'], ['0086 13812345678', 'A']] as const) {
      const r = await post({ serviceId, phone: typed });
      expect(r.status, typed).toBe(200);
      expect(asked.at(-1)).toMatchObject({ phone: '13812345678', phoneMasked: '138****5678' });
      expect(server.engine.state.tickets[r.body.ticketId ?? '']?.phoneMasked).toBe('138****5678');
    }
    expect((await post({ serviceId: 'A', phone: '13812345678' })).body.error?.code).toBe('per-phone-open');
    const before = Object.keys(server.engine.state.tickets).length;
    const asks = asked.length;
    const short = await post({ serviceId: 'A', phone: '138 1234 567' });
    expect(short.status).toBe(400);
    expect(short.body.error?.code).toBe('phone-invalid');
    expect(asked).toHaveLength(asks);
    expect(Object.keys(server.engine.state.tickets)).toHaveLength(before);
    // An empty phone is no phone: a printed ticket, nothing to send.
    const none = await post({ serviceId: 'A', phone: '' });
    expect(none.status).toBe(200);
    expect(asked.at(-1)?.phone).toBeUndefined();
  });
});
