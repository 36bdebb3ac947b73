import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { PIN, httpRig, type HttpRig } from '../http/rig.js';

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** A staff page refused for the role: a readable page for a browser, the JSON error for an API client (issue 13). */
describe('refused staff pages', () => {
  let rig: HttpRig;
  let browser: Browser;
  let port: number;
  beforeAll(async () => {
    rig = await httpRig();
    await rig.app.listen({ host: '127.0.0.1', port: 0 });
    port = (rig.app.server.address() as { port: number }).port;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
  });

  it('answers every refused page route with HTML naming who is signed in and who the page is for; JSON without text/html', async () => {
    const staff = await rig.signIn('s03', PIN['s03']!, 3);
    const tech = await rig.signIn('t01', PIN['t01']!);
    const cases = [
      { url: '/admin', cookie: staff, who: ['张伟', 's03', '3 号窗口', 'window 3'], need: ['管理员', 'manager'], caller: true },
      { url: '/reports', cookie: staff, who: ['张伟', 's03'], need: ['管理员', 'manager'], caller: true },
      { url: '/caller', cookie: tech, who: ['郑涛', 't01', '技术人员', 'technician'], need: ['窗口工作人员', '管理员'], caller: false },
    ];
    for (const c of cases) {
      const r = await rig.app.inject({ url: c.url, headers: { ...html, cookie: c.cookie } });
      expect(r.statusCode, c.url).toBe(403);
      expect(r.headers['content-type'], c.url).toMatch(/^text\/html/);
      for (const w of [...c.who, ...c.need]) expect(r.body, `${c.url}: ${w}`).toContain(w);
      expect(r.body).toContain(`href="/sign-in?next=${encodeURIComponent(c.url)}"`);
      expect(r.body.includes('href="/caller"'), c.url).toBe(c.caller);
      // An API client (fetch, curl) keeps the JSON error.
      const api = await rig.app.inject({ url: c.url, headers: { cookie: c.cookie, accept: 'application/json' } });
      expect(api.statusCode).toBe(403);
      expect(api.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    // The API routes never answer HTML, whatever the Accept header says.
    const state = await rig.app.inject({ url: '/api/state', headers: { ...html, cookie: staff } });
    expect(state.statusCode).toBe(403);
    expect(state.json()).toMatchObject({ error: { code: 'forbidden' } });
    // Without a session a page still goes to the sign-in page (not a JSON 401).
    for (const url of ['/admin', '/caller', '/reports']) expect((await rig.app.inject({ url, headers: html })).statusCode, url).toBe(303);
  });

  it('shows staff opening /admin in Chromium a readable page, with a link to their caller page that works', async () => {
    const cookie = await rig.signIn('s03', PIN['s03']!, 3);
    const [name, value] = cookie.split('=') as [string, string];
    const context = await browser.newContext();
    await context.addCookies([{ name, value, domain: 'hall.test', path: '/' }]);
    const page = await context.newPage();
    const res = await page.goto(`http://hall.test:${port}/admin`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent('#who')).toContain('张伟');
    expect(await page.textContent('#needed')).toContain('此页面仅供管理员使用');
    expect(await page.textContent('body')).not.toContain('"error"');
    await Promise.all([page.waitForURL(`http://hall.test:${port}/caller`), page.click('#to-caller')]);
    await context.close();
  });
});
