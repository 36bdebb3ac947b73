import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { runDemo, type RunningDemo } from '../../src/demo/demo.js';
import { launchChromium } from './browser.js';

/**
 * The demo hall with Chromium in front of it, for page tests (registered as the suite's beforeAll and
 * afterAll): pages open on `hall.test` (a non-loopback name, as on a hall LAN); `context` makes a
 * browser context that `watch` may instrument and that is closed at the end.
 */
export interface DemoPages {
  readonly demo: RunningDemo;
  /** The hall server's base URL on hall.test. */
  readonly server: string;
  /** The agent's kiosk page on hall.test. */
  readonly kioskUrl: string;
  context(opts?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
}

export function demoPages(seed: number, watch: (c: BrowserContext) => Promise<unknown> | void = () => undefined): DemoPages {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed, trickle: false, print: () => undefined });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await demo?.stop();
  });
  const started = (): RunningDemo => {
    if (!demo) throw new Error('the demo hall is not running (used outside a test?)');
    return demo;
  };
  return {
    get demo() {
      return started();
    },
    get server() {
      return `http://hall.test:${started().httpPort}`;
    },
    get kioskUrl() {
      return `http://hall.test:${started().kioskPort}/kiosk`;
    },
    async context(opts = {}) {
      if (!browser) throw new Error('Chromium is not running (used outside a test?)');
      const c = await browser.newContext(opts);
      contexts.push(c);
      await watch(c);
      return c;
    },
  };
}
