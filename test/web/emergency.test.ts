import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnouncementEvent } from '../../drivers/voice/announcer.js';
import { emergencyPresets } from '../../src/core/index.js';
import { DEMO_PINS, runDemo, type RunningDemo } from '../../src/demo/demo.js';
import { launchChromium } from '../helpers/browser.js';

/**
 * An emergency notice (DB22/T 2871.4 §11.6) in the demo hall: raised from the admin page in Chromium,
 * it reaches every LED screen emulator (BX over the RS-485 pty), the hall display page, the kiosk page
 * and the voice queue (read again and again); the kiosk issues nothing; clearing restores all of it.
 */
describe('emergency notice from admin to every screen, the kiosk and the voice', () => {
  let demo: RunningDemo;
  let browser: Browser;
  beforeAll(async () => {
    demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed: 1, trickle: false, print: () => undefined });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('raises, shows everywhere, repeats the voice, stops the kiosk; clearing restores', async () => {
    const server = `http://hall.test:${demo.httpPort}`;
    const kioskUrl = `http://hall.test:${demo.kioskPort}`;
    const text = emergencyPresets.fire.text.zh;
    const errors: string[] = [];
    const watch = (p: Page) => p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`));
    const screens = [...demo.hardware.screenEmulators.values()];
    expect(screens.length).toBeGreaterThan(1);
    const notices: AnnouncementEvent[] = [];
    demo.announcer?.on('started', (e) => {
      if (e.announcement.kind === 'notice') notices.push(e);
    });

    const display = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    watch(display);
    await display.goto(`${server}/display`);
    const kiosk = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
    watch(kiosk);
    await kiosk.goto(`${kioskUrl}/kiosk`);
    await kiosk.waitForSelector('[data-service="social"]');

    const admin = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    watch(admin);
    await admin.goto(`${server}/admin`);
    await admin.waitForURL(/\/sign-in/);
    await admin.fill('#staffId', 'm01');
    await admin.fill('#secret', DEMO_PINS.manager);
    await admin.click('#sign-in');
    await admin.waitForURL(/\/admin$/);
    await admin.waitForSelector('#emergency-panel');
    await admin.selectOption('#emergency-preset', 'fire');
    const allShown = Promise.all(screens.map((s) => waitFor(s, (v) => v.text === text)));
    await admin.click('#emergency-raise');
    await admin.waitForSelector(`#emergency-current:has-text("紧急疏散：${text}")`);

    // Every LED screen: the notice alone, red, scrolling (BX dynamic area, decoded by the emulator).
    await allShown;
    for (const s of screens) expect(s.view).toMatchObject({ text, effect: 'scroll-left', runs: [{ colour: 'red', text }] });
    // The hall display page and the kiosk page are covered by it.
    await display.waitForSelector(`#hallq-emergency:not(.hidden) [data-emergency-text]:text("${text}")`);
    await kiosk.waitForSelector(`#hallq-emergency:not(.hidden) [data-emergency-text]:text("${text}")`);
    expect(await display.textContent('#hallq-emergency small')).toContain('紧急疏散');
    // The kiosk issues nothing, and says why in Chinese.
    const refused = await kiosk.evaluate(async () => {
      const r = await fetch('/kiosk/api/issue', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'social' }) });
      return { status: r.status, body: (await r.json()) as { error?: { code: string; messageZh?: string } } };
    });
    expect(refused.body.error).toMatchObject({ code: 'emergency', messageZh: '大厅处于紧急状态，暂停取号，请听从工作人员指引' });
    // The voice reads it, and reads it again (espeak-ng and sox are in scripts/install-system-deps.sh).
    expect(demo.announcer).toBeDefined();
    await expect.poll(() => notices.length, { timeout: 120_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    expect(notices.every((n) => n.announcement.kind === 'notice' && n.announcement.text === text)).toBe(true);

    // Cleared: screens back to their window, the overlays gone, tickets again, no more readings.
    const restored = Promise.all(screens.map((s) => waitFor(s, (v) => v.text !== text && v.text.includes('号窗口'))));
    await admin.click('#emergency-clear');
    await admin.waitForSelector('#emergency-current:text("无 none")');
    await restored;
    await display.waitForSelector('#hallq-emergency.hidden', { state: 'attached' });
    await kiosk.waitForSelector('#hallq-emergency.hidden', { state: 'attached' });
    const issued = await kiosk.evaluate(async () => (await fetch('/kiosk/api/issue', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'social' }) })).status);
    expect(issued).toBe(200);
    // In the log, both ways.
    const events = (await (await fetch(`http://127.0.0.1:${demo.httpPort}/api/hall`)).json()) as { emergency: unknown };
    expect(events.emergency).toBeNull();
    expect(errors).toEqual([]);
  }, 240_000);
});

function waitFor(s: { view: { text: string }; onChange(l: (v: { text: string }) => void): () => void }, ok: (v: { text: string }) => boolean): Promise<void> {
  if (ok(s.view)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = s.onChange((v) => {
      if (ok(v)) {
        off();
        resolve();
      }
    });
  });
}
