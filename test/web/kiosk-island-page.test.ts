import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';

/**
 * The kiosk page while its agent runs without the server (island mode), in Chromium on hall.test. The
 * flow is the rig's real one with its island answers stood in (kiosk-island-phone.test.ts runs the real
 * island): a phone for the near-turn SMS is still asked (the agent keeps it for the return), no SMS-only
 * ticket is offered when the printer is out (the desk instead), and an answer that says no SMS will
 * come to the phone given is shown to the citizen, in Chinese with its English, never left silent.
 */
describe('the kiosk page in island mode', () => {
  let rig: KioskRig | undefined;
  let page: Page;
  const printer = { health: 'ok', print: () => Promise.resolve({ confirmation: 'device' }) };
  const posted: unknown[] = [];

  beforeAll(async () => {
    rig = await startKioskRig({ smsEnabled: true, printer, snapshotEveryMs: 100 });
    const kiosk = rig.kiosk;
    // Island mode as the flow reports it: a phone is taken (kept for the return), no SMS-only ticket.
    kiosk.smsAway = () => true;
    kiosk.smsEnabled = () => true;
    kiosk.smsOnlyOffered = () => false;
    const issue = kiosk.issue.bind(kiosk);
    kiosk.issue = async (req: Parameters<KioskFlow['issue']>[0]) => {
      posted.push(req);
      const r = await issue(req);
      // The number could be neither sent nor kept (the island file not written): the flow says so.
      return r.ok && req.phone ? { ...r, smsUnavailable: { zh: '短信提醒暂不可用，您的手机不会收到短信，请留意叫号屏和语音叫号', en: 'SMS reminders are not available just now: no SMS will come to your phone; please watch the screens and listen for your number' } } : r;
    };
    page = await rig.page();
    await page.goto(rig.pageUrl);
    await page.waitForSelector('#menu:not(.hidden)');
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('asks for the phone, and shows on the result that no SMS will come to it when the answer says so', async () => {
    await page.tap('[data-service="A"]');
    await page.waitForSelector('#phone-step:not(.hidden)');
    for (const d of '13800138000') await page.tap(`#pad button[aria-label="${d}"]`);
    await page.tap('#take');
    await page.waitForSelector('#result:not(.hidden)');
    expect(posted.at(-1)).toMatchObject({ phone: '13800138000' });
    expect(await page.innerText('#result-sms')).toBe('短信提醒暂不可用，您的手机不会收到短信，请留意叫号屏和语音叫号 · SMS reminders are not available just now: no SMS will come to your phone; please watch the screens and listen for your number');
    await page.tap('#done');
    await page.waitForSelector('#menu:not(.hidden)');
  });

  it('without a phone the result says nothing of SMS', async () => {
    await page.tap('[data-service="B"]');
    await page.waitForSelector('#phone-step:not(.hidden)');
    await page.tap('#skip');
    await page.waitForSelector('#result:not(.hidden)');
    expect(await page.isVisible('#result-sms')).toBe(false);
    await page.tap('#done');
    await page.waitForSelector('#menu:not(.hidden)');
  });

  it('with the printer out: no SMS ticket offered, no phone asked, the desk', async () => {
    printer.health = 'out';
    await page.waitForSelector('#printer:not(.hidden)');
    expect(await page.innerText('#printer')).toContain('请咨询导办人员');
    const before = posted.length;
    await page.tap('[data-service="A"]');
    await page.waitForSelector('#error:not(.hidden)');
    expect(await page.isVisible('#phone-step')).toBe(false);
    expect(await page.isVisible('#sms-only')).toBe(false);
    expect(await page.innerText('#error-text')).toContain('请咨询导办人员');
    expect(posted.slice(before)).toEqual([expect.not.objectContaining({ smsOnly: true })]);
  });
});
