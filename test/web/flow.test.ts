import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PINS, runDemo, type RunningDemo } from '../../src/demo/demo.js';
import { launchChromium } from '../helpers/browser.js';

/**
 * A whole flow in Chromium against a running demo hall: take a ticket at the kiosk by touch, see it on
 * the hall display and its status page, call it from the soft caller, see both change, rate it, follow
 * the bad rating up on the admin page.
 */
describe('the pages, one citizen from kiosk to rating', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let touch: BrowserContext;
  beforeAll(async () => {
    demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed: 1, trickle: false, print: () => undefined });
    browser = await launchChromium();
    touch = await browser.newContext({ hasTouch: true, viewport: { width: 1080, height: 1920 } });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('runs through kiosk, display, status page, soft caller, rating keypad and admin', async () => {
    // A non-loopback name over plain HTTP, as a PC on the hall LAN sees the server (no secure context).
    const server = `http://hall.test:${demo.httpPort}`;
    const errors: string[] = [];
    const watch = (p: Page) => p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`));
    // Kiosk: touch a service, type a phone on the pad, take the number.
    const kiosk = await touch.newPage();
    watch(kiosk);
    await kiosk.goto(`http://hall.test:${demo.kioskPort}/kiosk`);
    await kiosk.tap('[data-service="social"]');
    for (const d of '13800138000') await kiosk.tap(`#pad button[aria-label="${d}"]`);
    await expect.poll(() => kiosk.textContent('#phone-shown')).toBe('138****8000');
    const printed = demo.hardware.printerEmulator.nextTicket();
    await kiosk.tap('#take');
    await kiosk.waitForSelector('#result:not(.hidden)');
    const number = (await kiosk.textContent('#result-number')) ?? '';
    expect(number).toMatch(/^A\d{3}$/);
    const ticket = await printed;
    const lines = ticket.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(lines).toContain(number);
    expect(lines.join(' ')).toContain('短信通知 138****8000');
    const qr = ticket.blocks.find((b) => b.type === 'qr');
    const statusUrl = qr?.type === 'qr' ? qr.data : '';
    // The QR holds the unguessable token, not the day and number.
    expect(statusUrl).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
    expect(statusUrl).not.toContain(number);

    // Hall display: the service's waiting count includes it.
    const display = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    watch(display);
    await display.goto(`${server}/display`);
    await display.waitForSelector('[data-service="social"] b:text("1 人")');

    // Status page behind the QR code (on a phone).
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    watch(phone);
    await phone.goto(statusUrl.replace(/^http:\/\/127\.0\.0\.1:\d+/, server));
    await phone.waitForSelector('#number:text("' + number + '")');
    await phone.waitForSelector('#state:text("等候中")');
    await phone.waitForSelector('#position:text("1")');

    // Soft caller: the page sends to sign-in; s01 signs in at window 1 (which opens it) and calls next (shortcut N).
    const caller = await browser.newPage();
    watch(caller);
    await caller.goto(`${server}/caller?window=1`);
    await caller.waitForURL(/\/sign-in\?next=/);
    await caller.fill('#staffId', 's01');
    await caller.fill('#secret', DEMO_PINS.staff);
    expect(await caller.inputValue('#window')).toBe('1');
    await caller.click('#sign-in');
    await caller.waitForURL(/\/caller\?window=1$/);
    await caller.waitForSelector('#state:text("开放 Open · 王芳 s01")');
    await caller.keyboard.press('n');
    await caller.waitForSelector(`#current:text("${number}")`);

    // The display highlights the new call; the status page says which window.
    await display.waitForSelector(`.call.new[data-number="${number}"]`);
    await phone.waitForSelector('#state:text("请到 1 号窗口办理")');
    await phone.click('#lang');
    await phone.waitForSelector('#state:text("Please go to window 1")');
    // The service is done: Complete on the caller (shortcut C) clears the window; the status page says so.
    await caller.keyboard.press('c');
    await caller.waitForSelector('#current:text("—")');
    await phone.waitForSelector('#state:text("Done")');

    // Rating: the staff asks on the keypad, the citizen presses 非常不满意 on the rating keypad.
    const keypad = demo.hardware.keypadEmulators.get(1)!;
    keypad.press('rating-request');
    await expect.poll(() => keypad.ratingMode, { timeout: 10_000 }).toBe(true);
    keypad.giveGrade(5);
    const admin = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    watch(admin);
    await admin.goto(`${server}/admin`);
    await admin.waitForURL(/\/sign-in/);
    await admin.fill('#staffId', 'm01');
    await admin.fill('#secret', DEMO_PINS.manager);
    await admin.click('#sign-in');
    await admin.waitForURL(/\/admin$/);
    const row = admin.locator('#ratings tr', { hasText: number });
    await row.getByText('非常不满意').waitFor();
    await row.locator('input').fill('已电话回访，已解决');
    await row.getByRole('button').click();
    await row.getByText('已回复：已电话回访，已解决').waitFor();

    // Admin opens a closed window for a staff member, then pauses it: the display lists it as paused.
    const w2 = admin.locator('#windows tr[data-window="2"]');
    await w2.locator('select').selectOption('s02');
    await w2.getByRole('button', { name: '开放 Open' }).click();
    await w2.getByText('s02').waitFor();
    await w2.getByRole('button', { name: '暂停 Pause' }).click();
    await display.waitForSelector('#paused span:text("2 号窗口 暂停服务")');
    await w2.getByRole('button', { name: '恢复 Resume' }).click();
    await w2.getByRole('button', { name: '暂停 Pause' }).waitFor();

    // The staff member signs out: attendance ends and the window closes.
    await caller.click('#logout');
    await caller.waitForURL(/\/sign-in$/);
    await admin.locator('#windows tr[data-window="1"]').getByText("关闭", { exact: true }).waitFor();
    expect(errors).toEqual([]);
  }, 120_000);
});
