import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { httpRig, PIN, type HttpRig } from '../http/rig.js';

/** The reports page's loading line goes when the figures arrive, and an error replaces it (issue 13). */
describe('reports page loading line', () => {
  let rig: HttpRig;
  let browser: Browser;
  let port: number;
  let cookie = '';
  const day = '2026-11-23';
  beforeAll(async () => {
    rig = await httpRig();
    cookie = await rig.signIn('m01', PIN.m01 as string);
    await rig.app.listen({ host: '127.0.0.1', port: 0 });
    port = (rig.app.server.address() as { port: number }).port;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
  });

  const open = async () => {
    const ctx = await browser.newContext({ timezoneId: 'Asia/Shanghai' });
    const [name, value] = cookie.split('=') as [string, string];
    await ctx.addCookies([{ name, value, domain: 'hall.test', path: '/' }]);
    return ctx.newPage();
  };

  it('removes "正在加载报表…" once the figures are shown', async () => {
    const page = await open();
    await page.goto(`http://hall.test:${port}/reports?from=${day}&to=${day}`);
    await page.locator('#fig-issued').waitFor();
    expect(await page.textContent('body')).not.toContain('正在加载报表');
    await page.context().close();
  });

  it('replaces the loading line with the error when the report cannot be had', async () => {
    const page = await open();
    // from after to: the API refuses the period.
    await page.goto(`http://hall.test:${port}/reports?from=2026-11-24&to=2026-11-23`);
    await page.locator('#error').waitFor();
    expect((await page.textContent('#error'))?.length).toBeGreaterThan(0);
    expect(await page.textContent('body')).not.toContain('正在加载报表');
    await page.context().close();
  });
});
