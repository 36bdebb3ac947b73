import { afterAll, describe, expect, it } from 'vitest';
import type { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';

/**
 * The kiosk takes a mobile number as people write it (`138 1234 5678`, `+86 138-1234-5678`, full-width
 * `１３８ ００１３ ８０００` from a Chinese IME): the SMS,
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
      return { status: res.status, body: (await res.json()) as { ok?: boolean; ticketId?: string; error?: { code: string; message: string; messageZh: string } } };
    };

    // Two services: the per-phone rule (policy.perPhone, 2 open a service) counts the three forms as one phone.
    for (const [typed, serviceId] of [['+86 138-1234-5678', 'A'], ['138 1234 5678', 'B'], ['0086 13812345678', 'A']] as const) {
      const r = await post({ serviceId, phone: typed });
      expect(r.status, typed).toBe(200);
      expect(asked.at(-1)).toMatchObject({ phone: '13812345678', phoneMasked: '138****5678' });
      expect(server.engine.state.tickets[r.body.ticketId ?? '']?.phoneMasked).toBe('138****5678');
    }
    expect((await post({ serviceId: 'A', phone: '13812345678' })).body.error?.code).toBe('per-phone-open');
    // Full-width digits, the ideographic space and full-width dashes and plus, as a Chinese IME types them (the tryout's
    // １３８００１３８０００ was refused phone-invalid): the same national number, one phone for the per-phone rule.
    for (const [typed, serviceId] of [['１３９００１３９０００', 'A'], ['１３９　００１３　９０００', 'B'], ['＋８６ １３９－００１３－９０００', 'A']] as const) {
      const r = await post({ serviceId, phone: typed });
      expect(r.status, typed).toBe(200);
      expect(asked.at(-1)).toMatchObject({ phone: '13900139000', phoneMasked: '139****9000' });
      expect(server.engine.state.tickets[r.body.ticketId ?? '']?.phoneMasked).toBe('139****9000');
    }
    expect((await post({ serviceId: 'A', phone: '139 0013 9000' })).body.error?.code).toBe('per-phone-open');
    const before = Object.keys(server.engine.state.tickets).length;
    const asks = asked.length;
    // What is no mainland mobile number, in whatever width: refused with what is wanted, in Chinese and English.
    for (const bad of ['138 1234 567', '１３８１２３４５６７', '12812345678', '+852 9123 4567', '138.1234.5678', '１３８１２３４５６７８９']) {
      const r = await post({ serviceId: 'A', phone: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'phone-invalid', message: expect.stringContaining('11 digits') as unknown, messageZh: expect.stringContaining('11位手机号') as unknown });
    }
    expect(asked).toHaveLength(asks);
    expect(Object.keys(server.engine.state.tickets)).toHaveLength(before);
    // An empty phone is no phone: a printed ticket, nothing to send.
    const none = await post({ serviceId: 'A', phone: '' });
    expect(none.status).toBe(200);
    expect(asked.at(-1)?.phone).toBeUndefined();
  });
});
