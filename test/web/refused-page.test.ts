import { describe, expect, it } from 'vitest';
import { refusedPageHtml } from '../../src/web/refused-page.js';
import { rigPages } from '../helpers/rig-pages.js';
import { PIN } from '../http/rig.js';

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** A staff page refused for the role: a readable page for a browser, the JSON error for an API client (issue 13). */
describe('refused staff pages', () => {
  const pages = rigPages();

  it('answers every refused page route with HTML naming who is signed in and who may open the page; JSON without text/html', async () => {
    const { rig } = pages;
    const staff = await rig.signIn('s03', PIN['s03']!, 3);
    const tech = await rig.signIn('t01', PIN['t01']!);
    const manager = ['仅管理员可打开此页', 'Only a manager may open this page'];
    const cases = [
      { url: '/admin', cookie: staff, who: ['张伟', 's03', '3 号窗口', 'window 3'], need: manager, caller: '/caller?window=3' },
      { url: '/reports', cookie: staff, who: ['张伟', 's03'], need: manager, caller: '/caller?window=3' },
      { url: '/caller', cookie: tech, who: ['郑涛', 't01', '技术人员', 'technician'], need: ['仅窗口工作人员或管理员可打开此页', 'Only window staff or a manager may open this page'], caller: undefined },
    ];
    for (const c of cases) {
      const r = await rig.app.inject({ url: c.url, headers: { ...html, cookie: c.cookie } });
      expect(r.statusCode, c.url).toBe(403);
      expect(r.headers['content-type'], c.url).toMatch(/^text\/html/);
      for (const w of [...c.who, ...c.need]) expect(r.body, `${c.url}: ${w}`).toContain(w);
      expect(r.body, c.url).not.toMatch(/only\.|仅供/);
      expect(r.body).toContain(`href="/sign-in?next=${encodeURIComponent(c.url)}"`);
      // The caller page link names the window the staff member signed in at; never a bare /caller.
      expect(r.body.match(/href="\/caller[^"]*"/g) ?? [], c.url).toEqual(c.caller === undefined ? [] : [`href="${c.caller}"`]);
      // An API client (fetch, curl) keeps the JSON error.
      const api = await rig.app.inject({ url: c.url, headers: { cookie: c.cookie, accept: 'application/json' } });
      expect(api.statusCode).toBe(403);
      expect(api.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    // A technician is shown what the role may open (README, Roles), at /caller and /admin, and each opens for them.
    for (const url of ['/caller', '/admin']) {
      const r = await rig.app.inject({ url, headers: { ...html, cookie: tech } });
      expect(r.statusCode, url).toBe(403);
      expect(r.body.match(/href="\/(?:metrics|api\/[a-z]+)"/g), url).toEqual(['href="/metrics"', 'href="/api/state"', 'href="/api/windows"', 'href="/api/queue"']);
    }
    for (const url of ['/metrics', '/api/state', '/api/windows', '/api/queue']) expect((await rig.app.inject({ url, headers: { cookie: tech } })).statusCode, url).toBe(200);
    // Window staff are not offered them.
    expect((await rig.app.inject({ url: '/admin', headers: { ...html, cookie: staff } })).body).not.toContain('href="/metrics"');
    // The API routes never answer HTML, whatever the Accept header says.
    const state = await rig.app.inject({ url: '/api/state', headers: { ...html, cookie: staff } });
    expect(state.statusCode).toBe(403);
    expect(state.json()).toMatchObject({ error: { code: 'forbidden' } });
    // Without a session a page still goes to the sign-in page (not a JSON 401).
    for (const url of ['/admin', '/caller', '/reports']) expect((await rig.app.inject({ url, headers: html })).statusCode, url).toBe(303);
  });

  it('lists the hall windows to choose from when the staff member window is not known, never one picked for them', () => {
    const page = refusedPageHtml({ kind: 'session', staffId: 's03', name: '张伟', role: 'staff' }, ['manager'], '/admin', { windows: [1, 2, 5] });
    expect(page.match(/href="\/caller[^"]*"/g)).toEqual(['href="/caller?window=1"', 'href="/caller?window=2"', 'href="/caller?window=5"']);
    expect(page).toContain('选择窗口');
    expect(page).toContain('Choose a window');
  });

  it('shows staff opening /admin in Chromium on hall.test the proper wording, and a link to the caller page of their window that opens it', async () => {
    const cookie = await pages.rig.signIn('s03', PIN['s03']!, 3);
    const page = await (await pages.context(cookie)).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${pages.base}/admin`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent('#who')).toContain('张伟');
    expect(await page.innerText('#needed')).toBe('仅管理员可打开此页。\nOnly a manager may open this page.');
    expect(await page.textContent('body')).not.toContain('"error"');
    expect(await page.textContent('#to-caller')).toContain('3 号窗口');
    await Promise.all([page.waitForURL(`${pages.base}/caller?window=3`), page.click('#to-caller')]);
    // The caller page opens at window 3, with nothing said about a wrong window.
    await page.waitForFunction("document.getElementById('window')?.value === '3'");
    expect(await page.isVisible('#no-window')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('tells a technician opening /caller in Chromium who may open it, with no caller link', async () => {
    const cookie = await pages.rig.signIn('t01', PIN['t01']!);
    const page = await (await pages.context(cookie)).newPage();
    const res = await page.goto(`${pages.base}/caller`);
    expect(res?.status()).toBe(403);
    expect(await page.innerText('#needed')).toBe('仅窗口工作人员或管理员可打开此页。\nOnly window staff or a manager may open this page.');
    expect(await page.locator('#to-caller').count()).toBe(0);
  });
});
