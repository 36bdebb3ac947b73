import { afterAll, describe, expect, it } from 'vitest';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';
import { postCommand, wireConfig } from '../wire/rig.js';

/**
 * issue 13: with `server.sms.provider: none` the hall config says so (HallConfig.smsEnabled false,
 * recorded by HallConfigured), and nobody is promised a text: the agent and the server refuse an
 * SMS-only ticket, a phone given is neither kept nor printed (no 短信通知 on the paper), and the kiosk
 * page asks for no phone and offers no SMS ticket when the printer is out.
 */
describe('a hall that sends no SMS, at the kiosk', () => {
  let kioskRig: KioskRig | undefined;
  afterAll(async () => {
    await kioskRig?.stop();
  });

  it('refuses SMS-only tickets, prints no 短信通知, and the page offers neither SMS nor a phone entry', async () => {
    const printed: PrintDocument[] = [];
    const printer = { health: 'ok', print: (doc: PrintDocument) => (printed.push(doc), Promise.resolve({ confirmation: 'device' })) };
    // The server's config as hallConfigOf makes it from `server.sms.provider: none`.
    kioskRig = await startKioskRig({ smsEnabled: false, printer });
    const { server: rig, link, kiosk, base } = kioskRig;
    expect(link.replica.state.config?.smsEnabled).toBe(false);
    const post = async (body: unknown) => {
      const res = await fetch(`${base}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { ok?: boolean; printed?: boolean; number?: string; ticketId?: string; error?: { code: string; message: string; messageZh: string } } };
    };

    // The agent's HTTP: the tryout's request is refused, in both languages, and no ticket is made.
    const before = Object.keys(rig.engine.state.tickets).length;
    const smsOnly = await post({ serviceId: 'A', phone: '13812345678', smsOnly: true });
    expect(smsOnly.status).toBe(409);
    expect(smsOnly.body.error).toMatchObject({ code: 'sms-off' });
    expect(smsOnly.body.error?.message).toMatch(/SMS/);
    expect(smsOnly.body.error?.messageZh).toMatch(/短信/);
    // The check-in route too, before it looks for the booking (no such code here: a 404 if it looked first).
    const checkIn = await fetch(`${base}/kiosk/api/check-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'QX7K2M', phone: '13812345678', smsOnly: true }) });
    expect(checkIn.status).toBe(409);
    expect(((await checkIn.json()) as { error: { code: string } }).error.code).toBe('sms-off');
    // The flow itself refuses it too (another caller than the page).
    expect(await kiosk.issue({ serviceId: 'A', phone: '13812345678', smsOnly: true })).toMatchObject({ ok: false, code: 'sms-off' });
    expect(Object.keys(rig.engine.state.tickets)).toHaveLength(before);
    expect(((await (await fetch(`${base}/kiosk/api/info`)).json()) as { sms: boolean }).sms).toBe(false);

    // The server refuses an SMS ticket from anyone else (HTTP IssueTicket delivery sms).
    const direct = await postCommand(rig.baseUrl, { id: 'http-sms', type: 'IssueTicket', serviceId: 'A', delivery: 'sms', phoneMasked: '138****5678' });
    expect(direct.body.outcome).toMatchObject({ ok: false, code: 'sms-off' });

    // A phone given with a printed ticket: the ticket prints, without 短信通知, and no phone is kept.
    const withPhone = await post({ serviceId: 'A', phone: '13812345678' });
    expect(withPhone.body).toMatchObject({ ok: true, printed: true });
    const lines = printed.at(-1)?.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])) ?? [];
    expect(lines).toContain(withPhone.body.number);
    expect(lines.join('\n')).not.toMatch(/短信|138/);
    expect(rig.engine.state.tickets[withPhone.body.ticketId ?? '']?.phoneMasked).toBeUndefined();

    // The page in Chromium: a service is a ticket at once (no phone step); with the printer out, no SMS ticket.
    const page = await kioskRig.page();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(kioskRig.pageUrl);
    await page.waitForSelector('[data-service="A"]');
    const count = printed.length;
    await page.tap('[data-service="A"]');
    await page.waitForSelector('#result:not(.hidden), #phone-step:not(.hidden), #error:not(.hidden)');
    expect(await page.isVisible('#phone-step')).toBe(false);
    expect(await page.isVisible('#result')).toBe(true);
    expect(await page.textContent('#result-number')).toMatch(/^A\d{3}$/);
    expect(printed).toHaveLength(count + 1);
    await page.tap('#done');

    printer.health = 'out';
    await page.waitForSelector('#printer:not(.hidden)');
    expect(await page.textContent('#printer')).toContain('咨询');
    expect(await page.textContent('#printer')).not.toContain('短信');
    await page.tap('[data-service="B"]');
    await page.waitForSelector('#error:not(.hidden)');
    expect(await page.textContent('#error-text')).toContain('打印机');
    expect(await page.isVisible('#sms-only')).toBe(false);
    await page.tap('#error-back');

    // The same page in a hall that sends SMS: the phone step and the SMS ticket are offered again.
    expect(rig.mqtt.run({ id: 'configure-sms', type: 'Configure', config: { ...wireConfig, smsEnabled: true }, source: 'system' }).ok).toBe(true);
    await page.waitForSelector('#printer:has-text("短信")');
    await page.tap('[data-service="B"]');
    // With the printer out, the phone step is the SMS ticket step: the phone is required, nothing skips it.
    await page.waitForSelector('#phone-step:not(.hidden)');
    expect(await page.isVisible('#skip')).toBe(false);
    expect(await page.textContent('#take')).toContain('短信取号');
    expect(errors).toEqual([]);
  }, 120_000);
});
