import { describe, expect, it } from 'vitest';
import { refusedPageHtml } from '../../src/web/refused-page.js';
import { rigPages } from '../helpers/rig-pages.js';
import { PIN } from '../http/rig.js';

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** The technician's links on a refused page. */
const techLinks = (body: string) => [...body.matchAll(/<a class="to-tech" href="([^"]*)"/g)].map((m) => m[1]!);

/** The paths in Fastify's printRoutes tree (commonPrefix: false): each line's label continues its parent's path. */
function routePaths(tree: string): string[] {
  const stack: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:[├└]── )?(.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    paths.push(path);
  }
  return paths;
}

/** A GET over the socket with a session cookie (or none): status, content type, redirect; the body is left unread (a stream never ends). */
async function probe(port: number, path: string, cookie: string): Promise<{ status: number; type: string; location: string }> {
  const stop = new AbortController();
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual', signal: stop.signal, headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) } });
  stop.abort();
  return { status: r.status, type: r.headers.get('content-type') ?? '', location: r.headers.get('location') ?? '' };
}

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
    // A technician is shown what the role may open (README, Roles), at /caller and /admin: the next test holds the list to the routes served.
    for (const url of ['/caller', '/admin']) {
      const r = await rig.app.inject({ url, headers: { ...html, cookie: tech } });
      expect(r.statusCode, url).toBe(403);
      expect(techLinks(r.body), url).toEqual(expect.arrayContaining(['/metrics', '/api/state', '/api/windows', '/api/queue', '/api/island']));
    }
    // Window staff are not offered them.
    expect((await rig.app.inject({ url: '/admin', headers: { ...html, cookie: staff } })).body).not.toContain('href="/metrics"');
    // The API routes never answer HTML, whatever the Accept header says.
    const state = await rig.app.inject({ url: '/api/state', headers: { ...html, cookie: staff } });
    expect(state.statusCode).toBe(403);
    expect(state.json()).toMatchObject({ error: { code: 'forbidden' } });
    // The JSON refusal says who may (a tryout: "your role may not use this" named nobody).
    expect(state.json()).toMatchObject({ error: { message: 'your role may not use this: only a manager or a technician may', messageZh: '您的角色无权使用此功能：仅限管理员或技术人员' } });
    const reports = await rig.app.inject({ url: '/api/reports?from=2026-11-23&to=2026-11-23', headers: { cookie: tech } });
    expect(reports.statusCode).toBe(403);
    expect(reports.json()).toMatchObject({ error: { message: 'your role may not use this: only a manager may', messageZh: '您的角色无权使用此功能：仅限管理员' } });
    // Without a session a page still goes to the sign-in page (not a JSON 401).
    for (const url of ['/admin', '/caller', '/reports']) expect((await rig.app.inject({ url, headers: html })).statusCode, url).toBe(303);
  });

  it("lists for a technician exactly the routes the server serves that need a session and open for the technician, each answering 200", async () => {
    const { rig } = pages;
    const tech = await rig.signIn('t01', PIN['t01']!);
    const port = (rig.app.server.address() as { port: number }).port;
    // Every GET route Fastify holds, read from its own route tree, not from the server's route table.
    const gets = routePaths(rig.app.printRoutes({ commonPrefix: false, method: 'GET' })).filter((p) => !/[:*]/.test(p));
    expect(gets).toEqual(expect.arrayContaining(['/metrics', '/api/state', '/api/hall', '/caller']));
    // Open to a technician: refused without a session (401, or the sign-in page), answered with theirs; an event stream is no link.
    const open: string[] = [];
    for (const path of gets) {
      const anon = await probe(port, path, '');
      if (anon.status !== 401 && !(anon.status === 303 && anon.location.startsWith('/sign-in'))) continue;
      const r = await probe(port, path, tech);
      if (r.status >= 200 && r.status < 300 && !r.type.startsWith('text/event-stream')) open.push(path);
    }
    expect(open.length).toBeGreaterThanOrEqual(5);
    for (const url of ['/caller', '/admin', '/reports']) {
      const r = await rig.app.inject({ url, headers: { ...html, cookie: tech } });
      expect(r.statusCode, url).toBe(403);
      expect([...techLinks(r.body)].sort(), url).toEqual([...open].sort());
    }
    // And each link opens for the technician (a link to a route no longer served would be a 404).
    const page = await rig.app.inject({ url: '/admin', headers: { ...html, cookie: tech } });
    for (const link of techLinks(page.body)) expect((await probe(port, link, tech)).status, link).toBe(200);
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
