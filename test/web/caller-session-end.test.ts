import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PINS } from '../../src/demo/demo.js';
import { demoPages } from '../helpers/demo-pages.js';

/**
 * The soft caller goes to the sign-in page the moment its session ends, with no click, and the sign-in
 * page says why (issue 12's tryout, finding 4: it noticed only at the next click, and said nothing): a
 * colleague signed in at the window, or the session was signed out on another page. Real Chromium, the
 * demo hall on hall.test over plain HTTP.
 */
describe('the soft caller when its session ends', () => {
  const rig = demoPages(11);
  async function signedInCaller(page: Page, staffId: string, window: number): Promise<void> {
    await page.goto(`${rig.server}/caller?window=${window}`);
    await page.waitForURL(/\/sign-in/);
    await page.fill('#staffId', staffId);
    await page.fill('#secret', DEMO_PINS.staff);
    await page.fill('#window', String(window));
    await page.click('#sign-in');
    await page.waitForURL(new RegExp(`/caller\\?window=${window}$`));
    await page.waitForSelector(`#win-title:text("${window} 号窗口")`);
  }

  it('a colleague signs in at the window: the page is on the sign-in page at once, saying so', async () => {
    const page = await (await rig.context()).newPage();
    await signedInCaller(page, 's04', 4);
    // The colleague, from the window's own PC.
    const colleague = await fetch(`${rig.server.replace('hall.test', '127.0.0.1')}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffId: 's05', secret: DEMO_PINS.staff, window: 4 }) });
    expect(colleague.status).toBe(200);
    await page.waitForURL(/\/sign-in\?next=%2Fcaller%3Fwindow%3D4&ended=window-passed$/);
    await page.waitForSelector('#ended:not(.hidden)');
    expect(await page.textContent('#ended')).toContain('Your window passed to someone else');
    // The window is filled in from where the page was: signing in again is two fields.
    expect(await page.inputValue('#window')).toBe('4');
  });

  it('signed out on another page of the same browser: this one follows, saying so', async () => {
    const context = await rig.context();
    const first = await context.newPage();
    await signedInCaller(first, 's06', 6);
    const second = await context.newPage();
    await second.goto(`${rig.server}/caller?window=6`);
    await second.waitForSelector('#win-title:text("6 号窗口")');
    await second.click('#logout');
    await second.waitForURL(/\/sign-in$/);
    await first.waitForURL(/&ended=signed-out$/);
    expect(await first.textContent('#ended')).toContain('You were signed out');
  });
});
