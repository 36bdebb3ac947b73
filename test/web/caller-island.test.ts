import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PINS, runDemo, type RunningDemo } from '../../src/demo/demo.js';
import { launchChromium } from '../helpers/browser.js';
import { linkCut, type LinkCut } from '../helpers/link-cut.js';

/**
 * The soft caller when the server is away (README "Island mode", what staff see): the page is served by
 * the server, so a staff PC that loses it keeps the page it has; the page says the hall runs in island
 * mode and that the window's keypad still calls, and its buttons (which need the server) wait until the
 * server is back. The staff PC reaches the demo server through a relay whose link is cut.
 */
describe('the soft caller in island mode', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let relay: LinkCut;
  beforeAll(async () => {
    demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed: 1, trickle: false, print: () => undefined });
    relay = await linkCut({ host: '127.0.0.1', port: demo.httpPort });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await demo?.stop();
  });

  it('says island mode with the keypad still working, holds its buttons while the server is away, and comes back', async () => {
    const server = `http://hall.test:${new URL(relay.url).port}`;
    const errors: string[] = [];
    const caller: Page = await browser.newPage();
    caller.on('pageerror', (e) => errors.push(e.message));
    await caller.goto(`${server}/caller?window=1`);
    await caller.waitForURL(/\/sign-in\?next=/);
    await caller.fill('#staffId', 's01');
    await caller.fill('#secret', DEMO_PINS.staff);
    await caller.click('#sign-in');
    await caller.waitForURL(/\/caller/);
    await caller.waitForSelector('#offline.hidden', { state: 'attached' });
    await caller.waitForSelector('#next:not([disabled])');

    await relay.cut();
    const banner = await caller.waitForSelector('#offline:not(.hidden)');
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('孤岛模式');
    expect(text).toContain('Island mode');
    expect(text).toContain('呼叫器按键');
    await caller.waitForSelector('#next[disabled]');
    expect(await caller.isDisabled('#complete')).toBe(true);
    expect(await caller.isDisabled('#transfer')).toBe(true);

    relay.restore();
    // The page's stream comes back on its own (it retries); the buttons with it.
    await caller.waitForSelector('#offline.hidden', { state: 'attached', timeout: 30_000 });
    await caller.waitForSelector('#next:not([disabled])');
    expect(errors).toEqual([]);
  }, 120_000);
});
