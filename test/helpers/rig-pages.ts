import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { httpRig, type HttpRig } from '../http/rig.js';
import { launchChromium } from './browser.js';

/**
 * The HTTP test rig (test/http/rig.ts) listening on a free port, with Chromium in front of it, for page
 * tests (registered as the suite's beforeAll and afterAll, as demoPages does for the demo hall): pages
 * open on `hall.test` (a non-loopback name over plain HTTP, as on a hall LAN); `context` makes a browser
 * context, signed in with a session cookie when given, that is closed at the end.
 */
export interface RigPages {
  readonly rig: HttpRig;
  /** The server's base URL on hall.test. */
  readonly base: string;
  /** A browser context; `cookie` (`name=value`, as HttpRig.signIn returns it) is set for hall.test. */
  context(cookie?: string, opts?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
}

export function rigPages(): RigPages {
  let rig: HttpRig | undefined;
  let browser: Browser | undefined;
  let port = 0;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    rig = await httpRig();
    await rig.app.listen({ host: '127.0.0.1', port: 0 });
    port = (rig.app.server.address() as { port: number }).port;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await rig?.close();
  });
  return {
    get rig() {
      if (!rig) throw new Error('the rig starts in beforeAll, before the tests');
      return rig;
    },
    get base() {
      return `http://hall.test:${port}`;
    },
    async context(cookie, opts = {}) {
      if (!browser) throw new Error('Chromium is not running (used outside a test?)');
      const c = await browser.newContext(opts);
      contexts.push(c);
      if (cookie !== undefined) {
        const at = cookie.indexOf('=');
        await c.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), domain: 'hall.test', path: '/' }]);
      }
      return c;
    },
  };
}
