import { afterAll, describe, expect, it } from 'vitest';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';
import { rejectionMessages } from '../../src/core/index.js';
import { postCommand } from '../wire/rig.js';

const PHONE = '13700001111';

/**
 * The tryout (issue of the per-phone limit): the same phone sent eight times as an SMS-only ticket to the
 * kiosk API got eight tickets and eight texts. With the default policy.perPhone (2 open per service, 5 a
 * day) the third is refused in both languages, printed tickets with that phone count too, another phone
 * is not held back, and the number is in no answer, event or log line.
 */
describe('tickets per phone at the kiosk API', () => {
  let rig: KioskRig | undefined;
  afterAll(async () => {
    await rig?.stop();
  });

  it('refuses a phone past its limits, SMS-only and printed alike, without echoing the number', async () => {
    const printer = { health: 'ok', print: () => Promise.resolve({ confirmation: 'device' }) };
    rig = await startKioskRig({ smsEnabled: true, printer });
    const { base, server, page: openPage, pageUrl } = rig;
    const raw: string[] = [];
    const post = async (body: unknown) => {
      const res = await fetch(`${base}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      raw.push(text);
      return { status: res.status, body: JSON.parse(text) as { ok?: boolean; number?: string; error?: { code: string; message: string; messageZh: string } } };
    };

    const tryout = [];
    for (let i = 0; i < 8; i++) tryout.push(await post({ serviceId: 'A', phone: PHONE, smsOnly: true }));
    expect(tryout.map((r) => r.status)).toEqual([200, 200, 409, 409, 409, 409, 409, 409]);
    expect(tryout[2]?.body.error).toEqual({ code: 'per-phone-open', message: rejectionMessages['per-phone-open'].en, messageZh: rejectionMessages['per-phone-open'].zh });
    // A printed ticket with the same phone is held back the same way; one without a phone is not.
    expect((await post({ serviceId: 'A', phone: PHONE })).body.error?.code).toBe('per-phone-open');
    expect((await post({ serviceId: 'A' })).status).toBe(200);
    // Another phone has its own count.
    expect((await post({ serviceId: 'A', phone: '13700002222', smsOnly: true })).status).toBe(200);
    // The day's cap (5) across services, served tickets included: 2 of A, 2 of B (SMS-only and printed)...
    expect((await post({ serviceId: 'B', phone: PHONE, smsOnly: true })).status).toBe(200);
    expect((await post({ serviceId: 'B', phone: PHONE })).status).toBe(200);
    // ...the two of A served (the first in line), so A is free for this phone again, for one more.
    const run = (cmd: object, n: string) => expect(server.mqtt.run({ id: `per-phone-${n}`, source: 'system', ...cmd } as Parameters<typeof server.mqtt.run>[0]).ok).toBe(true);
    run({ type: 'OpenWindow', window: 1, staffId: 's1' }, 'open');
    for (const n of ['1', '2']) {
      run({ type: 'CallNext', window: 1 }, `call-${n}`);
      run({ type: 'Complete', window: 1 }, `done-${n}`);
    }
    expect((await post({ serviceId: 'A', phone: PHONE, smsOnly: true })).status).toBe(200);
    const daily = await post({ serviceId: 'A', phone: PHONE, smsOnly: true });
    expect(daily.status).toBe(409);
    expect(daily.body.error?.code).toBe('per-phone-daily');
    expect(daily.body.error?.messageZh).toBe(rejectionMessages['per-phone-daily'].zh);
    expect(Object.values(server.engine.state.tickets).filter((t) => t.phoneMasked === '137****1111')).toHaveLength(5);

    // The kiosk page says the refusal in both languages (this phone is at its day's cap now).
    const page = await openPage();
    await page.goto(pageUrl);
    await page.waitForSelector('[data-service="A"]');
    await page.tap('[data-service="A"]');
    await page.waitForSelector('#phone-step:not(.hidden)');
    for (const d of PHONE) await page.tap(`#pad button[aria-label="${d}"]`);
    await page.tap('#take');
    await page.waitForSelector('#error:not(.hidden)');
    const shown = await page.textContent('#error-text');
    expect(shown).toContain(rejectionMessages['per-phone-daily'].zh);
    expect(shown).toContain(rejectionMessages['per-phone-daily'].en);

    // Over the server's HTTP nobody may hand the core a phone hash of their choosing (the count would be theirs to pick).
    const typed = await postCommand(server.baseUrl, { id: 'http-phone-hash', type: 'IssueTicket', serviceId: 'A', delivery: 'sms', phoneMasked: '137****3333', phoneHash: 'f'.repeat(64) });
    expect(typed.status).toBe(403);
    expect(typed.body.error?.code).toBe('phone-hash-from-kiosk-only');

    // The number: in no answer, no event, no log line of the server.
    for (const text of raw) expect(text).not.toContain(PHONE);
    expect(JSON.stringify(server.engine.eventsAfter(0, 100_000))).not.toContain(PHONE);
    expect(JSON.stringify(server.logs)).not.toContain(PHONE);
  }, 120_000);
});
