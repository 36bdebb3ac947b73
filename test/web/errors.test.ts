import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../../drivers/idcard/test-cards.js';
import { runDemo, type RunningDemo } from '../../src/demo/demo.js';
import { launchChromium } from '../helpers/browser.js';

/** The kiosk's error flows in Chromium: paper out, quota reached, outside hours, a second ticket for the same ID and service. */
describe('kiosk error flows', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let kiosk: Page;
  beforeAll(async () => {
    // The demo hall with a one-ticket quota for medical and fund open only one minute after midnight.
    const file = join(mkdtempSync(join(tmpdir(), 'hallq-web-')), 'hall.yaml');
    writeFileSync(
      file,
      readFileSync('config/demo.yaml', 'utf8')
        .replace('dailyQuota: 300, avgServiceMinutes: 5', 'dailyQuota: 1, avgServiceMinutes: 5')
        .replace('dailyQuota: 200, avgServiceMinutes: 8 }', 'dailyQuota: 200, avgServiceMinutes: 8, hours: [{ from: "00:00", to: "00:01" }] }'),
    );
    demo = await runDemo({ config: file, mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed: 2, trickle: false, keepServiceHours: true, print: () => undefined });
    browser = await launchChromium();
    kiosk = await (await browser.newContext({ hasTouch: true, viewport: { width: 1920, height: 1080 } })).newPage();
    await kiosk.goto(`http://hall.test:${demo.kioskPort}/kiosk`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  const take = async (service: string) => {
    await kiosk.tap(`[data-service="${service}"]`);
    await kiosk.tap('#skip');
    await kiosk.waitForSelector('#result:not(.hidden), #error:not(.hidden)');
  };
  const backToMenu = async () => {
    await kiosk.tap('#error:not(.hidden) #error-back, #result:not(.hidden) #done');
    await kiosk.waitForSelector('#menu:not(.hidden)');
  };

  it('with the printer out of paper, the phone step is the SMS ticket step: phone required, no skip, one press', async () => {
    demo.hardware.printerEmulator.set({ paper: 'out' });
    await kiosk.waitForSelector('#printer:not(.hidden)');
    expect(await kiosk.textContent('#printer')).toBe('打印机暂不可用，可短信取号');
    await kiosk.tap('[data-service="social"]');
    await kiosk.waitForSelector('#phone-step:not(.hidden)');
    // Not "(可跳过)", no "不需要短信，直接取号": the SMS is the ticket.
    expect(await kiosk.textContent('#phone-step h2')).toBe('打印机暂不可用：请输入手机号，号码将通过短信发送给您');
    expect(await kiosk.isVisible('#skip')).toBe(false);
    expect(await kiosk.textContent('#take')).toBe('短信取号');
    // Without a phone: asked for it, nothing sent.
    await kiosk.tap('#take');
    await kiosk.waitForSelector('#phone-error:not(.hidden)');
    expect(await kiosk.isVisible('#phone-step')).toBe(true);
    for (const d of '13912345678') await kiosk.tap(`#pad button[aria-label="${d}"]`);
    await kiosk.tap('#take');
    // The SMS ticket at once: no refusal, no extra 改为短信取号.
    await kiosk.waitForSelector('#result:not(.hidden), #error:not(.hidden)');
    expect(await kiosk.isVisible('#result')).toBe(true);
    expect(await kiosk.textContent('#result-head')).toBe('已通过短信发送您的号码');
    // In English the same step: no "(optional)".
    await backToMenu();
    await kiosk.tap('#lang');
    await kiosk.tap('[data-service="social"]');
    await kiosk.waitForSelector('#phone-step:not(.hidden)');
    expect(await kiosk.textContent('#phone-step h2')).not.toContain('optional');
    expect(await kiosk.textContent('#take')).toBe('Get my number by SMS');
    await kiosk.tap('#phone-back');
    await kiosk.tap('#lang');
    await kiosk.waitForSelector('html[lang="zh-CN"]', { state: 'attached' });
    await kiosk.waitForSelector('#menu:not(.hidden)');
    // An appointment check-in by code is an SMS ticket too, but the booking is looked for first (asked
    // without the phone): one the hall does not have is said at once, before a phone is typed for nothing
    // (the phone step follows only a booking found: test/web/kiosk-check-in-sms.test.ts).
    const sent: string[] = [];
    const record = (r: { url(): string; postData(): string | null }) => void (r.url().endsWith('/kiosk/api/check-in') && sent.push(r.postData() ?? ''));
    kiosk.on('request', record);
    // The hall's answer (the demo hall has no appointments), in a citizen's words, with no phone step.
    const smsTicketCheckIn = async (start: () => Promise<void>, said: string) => {
      await kiosk.tap('#checkin');
      await start();
      await kiosk.waitForSelector('#error:not(.hidden), #phone-step:not(.hidden)');
      expect(await kiosk.isVisible('#phone-step')).toBe(false);
      expect(await kiosk.textContent('#error-text')).toBe(said);
      await backToMenu();
      return sent.at(-1);
    };
    const byCode = await smsTicketCheckIn(async () => {
      for (const k of 'AB12') await kiosk.tap(`#checkin-pad button[aria-label="${k}"]`);
      await kiosk.tap('#checkin-go');
    }, '没有今日的预约，请核对预约码或手机号 · No appointment found for today: check the code or phone number');
    expect(byCode).toBe(JSON.stringify({ code: 'AB12', smsOnly: true }));
    // By the ID card on the reader the same: looked up by the card (a phone, given later for the SMS, would
    // only be where the SMS goes).
    demo.hardware.cardEmulator.placeCard(TEST_CARDS.zhang);
    await kiosk.waitForSelector('#card:text("已读取身份证")');
    // Nothing found for a card: the citizen typed nothing, so nothing to check is asked of them.
    const byCard = await smsTicketCheckIn(() => kiosk.tap('#checkin-card'), '没有这张身份证今日的预约，请咨询导办人员 · No appointment found today for this ID card: please ask the staff at the desk');
    expect(byCard).toBe(JSON.stringify({ card: true, smsOnly: true }));
    expect(sent).toHaveLength(2);
    kiosk.off('request', record);
    // Back at the menu: the card read for that check-in is forgotten, not given to the next citizen's ticket.
    await kiosk.waitForSelector('#card:not(:text("已读取身份证"))', { state: 'attached' });
    const info = (await (await fetch(`http://127.0.0.1:${demo.kioskPort}/kiosk/api/info`)).json()) as { card: unknown };
    expect(info.card).toBeNull();
    const removed = new Promise<void>((resolve) => demo.hardware.cardReader.once('removed', () => resolve()));
    demo.hardware.cardEmulator.removeCard();
    await removed;
    demo.hardware.printerEmulator.set({ paper: 'ok' });
    await kiosk.waitForSelector('#printer.hidden', { state: 'attached' });
  });

  it('says when the quota is reached and when a service is outside its hours', async () => {
    await take('medical');
    expect(await kiosk.textContent('#result-number')).toBe('B001');
    await backToMenu();
    await take('medical');
    expect(await kiosk.textContent('#error-text')).toBe("该业务今日号源已满 · Today's tickets for this service are all taken");
    await backToMenu();
    await take('fund');
    expect(await kiosk.textContent('#error-text')).toBe('不在办理时间内 · Outside service hours');
    await backToMenu();
  });

  it('reads the ID card for an ID-only service and refuses a second ticket for the same person and service', async () => {
    await kiosk.tap('[data-service="household"]');
    await kiosk.waitForSelector('#card-needed:not(.hidden)');
    demo.hardware.cardEmulator.placeCard(TEST_CARDS.li);
    await kiosk.waitForSelector('#phone-step:not(.hidden)');
    expect(await kiosk.textContent('#card')).toBe('已读取身份证：李*');
    await kiosk.tap('#skip');
    await kiosk.waitForSelector('#result:not(.hidden)');
    expect(await kiosk.textContent('#result-number')).toBe('C001');
    await backToMenu();
    // The same card again: take it off the reader and put it back.
    const removed = new Promise<void>((resolve) => demo.hardware.cardReader.once('removed', () => resolve()));
    demo.hardware.cardEmulator.removeCard();
    await removed; // the reader noticed (the event, not a sleep)
    demo.hardware.cardEmulator.placeCard(TEST_CARDS.li);
    await kiosk.waitForSelector('#card:text("已读取身份证")');
    await take('household');
    expect(await kiosk.textContent('#error-text')).toBe('您已有该业务的号码，请等候叫号 · You already hold a ticket for this service');
  });

  it('takes an ID number typed by a keyboard-wedge reader, masked on screen, and refuses a bad one', async () => {
    await kiosk.keyboard.type('110105194912310021'); // wrong check digit
    await kiosk.keyboard.press('Enter');
    await kiosk.keyboard.type('11010519491231002X');
    await kiosk.keyboard.press('Enter');
    await kiosk.waitForSelector('#card:text("已读取身份证：1101**********002X")');
    expect(await kiosk.content()).not.toContain('11010519491231002X');
  });
});
