import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PINS } from '../../src/demo/demo.js';
import { demoPages } from '../helpers/demo-pages.js';

/**
 * Faults a fresh tryout still found on the pages (issue 13), each checked on every page it can reach:
 * a caller link to a window that is not the session's, the favicon, admin's figures on one line,
 * WCAG AA contrast of links and buttons, every kiosk text in English, the reports page at 1366 px.
 */
describe('page faults, every page', () => {
  /** Every answer of 400 or more that a page's own loading drew (a missing favicon, a missing asset). */
  const failed: string[] = [];
  const errors: string[] = [];
  const rig = demoPages(11, (c) => {
    c.on('response', (r) => {
      if (r.status() >= 400 && r.request().resourceType() !== 'fetch' && r.request().resourceType() !== 'eventsource') failed.push(`${r.status()} ${r.url()}`);
    });
    c.on('page', (p) => p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`)));
  });
  const context = (opts?: Parameters<typeof rig.context>[0]) => rig.context(opts);
  /** A context signed in through the API (the session cookie lands in the context). */
  async function signedIn(staffId: string, pin: string, window?: number, viewport = { width: 1366, height: 900 }): Promise<BrowserContext> {
    const c = await context({ viewport });
    // From a page on hall.test (Chromium's host mapping; Node's own requests would not resolve it).
    const p = await open(c, `${rig.server}/sign-in`);
    const status = await p.evaluate(
      async (body) => (await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status,
      { staffId, secret: pin, ...(window === undefined ? {} : { window }) },
    );
    expect(status).toBe(200);
    await p.close();
    return c;
  }
  async function open(c: BrowserContext, url: string): Promise<Page> {
    const p = await c.newPage();
    await p.goto(url);
    return p;
  }

  /** A ticket's status page on hall.test. */
  const issued = async (): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${rig.demo.kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'tax' }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { statusUrl: string }).statusUrl.replace(/^http:\/\/127\.0\.0\.1:\d+/, rig.server);
  };

  /** WCAG 2.x contrast of each visible, enabled link and button in `selector` against the colour behind it. */
  const contrasts = (p: Page, selector: string) =>
    p.$$eval(selector, (els) => {
      type Style = { color: string; backgroundColor: string; opacity: string; display: string; visibility: string };
      const g = globalThis as unknown as { getComputedStyle: (e: unknown) => Style; document: { documentElement: unknown } };
      const rgba = (c: string) => {
        const m = (c.match(/[\d.]+/g) ?? []).map(Number);
        return { rgb: m.slice(0, 3), a: m.length > 3 ? m[3]! : 1 };
      };
      const lum = (c: number[]) => {
        const [r, gg, b] = c.map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * gg! + 0.0722 * b!;
      };
      /** The first opaque background on the way up (the page's own, at the top). */
      const behind = (e: { parentElement: unknown } | null): number[] => {
        for (let x = e; x; x = x.parentElement as typeof e) {
          const bg = rgba(g.getComputedStyle(x).backgroundColor);
          if (bg.a > 0.5) return bg.rgb;
        }
        return [255, 255, 255];
      };
      return els
        .filter((e) => {
          const el = e as unknown as { disabled?: boolean; getClientRects: () => { length: number } };
          return !el.disabled && el.getClientRects().length > 0 && g.getComputedStyle(e).visibility !== 'hidden';
        })
        .map((e) => {
          const fg = rgba(g.getComputedStyle(e).color).rgb;
          const bg = behind(e as unknown as { parentElement: unknown });
          const [a, b] = [lum(fg), lum(bg)];
          const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          return { what: `${(e as unknown as { tagName: string }).tagName} ${(e.textContent ?? '').trim().slice(0, 30)}`, ratio: Math.round(ratio * 100) / 100 };
        });
    });


  it('caller: a staff session at window 3 asked for window 99, abc or 0 is told so with the window list, never shown window 3 silently', async () => {
    const c = await signedIn('s02', DEMO_PINS.staff, 3);
    const caller = await open(c, `${rig.server}/caller?window=3`);
    await caller.waitForSelector('#win-title:text("3 号窗口")');
    expect(await caller.isVisible('#no-window')).toBe(false);
    for (const bad of ['99', 'abc', '0', '-1', '2.5']) {
      await caller.goto(`${rig.server}/caller?window=${encodeURIComponent(bad)}`);
      const banner = caller.locator('#no-window');
      await banner.getByText(`没有 ${bad} 号窗口`).waitFor();
      expect(await banner.textContent()).toContain(`There is no window ${bad} in this hall`);
      const links = await banner.locator('nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(links.slice(0, 3)).toEqual(['/caller?window=1', '/caller?window=2', '/caller?window=3']);
      // Not window 3 under the link's name: no window shown, nothing acts.
      expect(await caller.textContent('#win-title')).toBe('');
      expect(await caller.isDisabled('#next')).toBe(true);
      expect(await caller.textContent('body')).not.toMatch(/expected number|Too small|NaN/);
    }
    // Another window this hall has: staff act at the window they signed in to, and are told so.
    await caller.goto(`${rig.server}/caller?window=5`);
    const other = caller.locator('#no-window');
    await other.getByText('您已在 3 号窗口登录').waitFor();
    expect(await other.textContent()).toContain('You are signed in at window 3, not window 5');
    expect(await caller.textContent('#win-title')).toBe('');
    expect(await caller.isDisabled('#next')).toBe(true);
    // Its own window from the list: the caller works.
    await other.getByRole('link', { name: '3 号窗口', exact: false }).first().click();
    await caller.waitForURL(/\/caller\?window=3$/);
    await caller.waitForSelector('#win-title:text("3 号窗口")');
    expect(await caller.isVisible('#no-window')).toBe(false);
    expect(await caller.isDisabled('#next')).toBe(false);
  }, 60_000);

  it('a manager: /caller?window=abc and window=0 list the windows too', async () => {
    const c = await signedIn('m01', DEMO_PINS.manager);
    for (const bad of ['abc', '0']) {
      const caller = await open(c, `${rig.server}/caller?window=${bad}`);
      await caller.locator('#no-window').getByText(`没有 ${bad} 号窗口`).waitFor();
      expect(await caller.locator('#no-window nav a').count()).toBeGreaterThan(1);
      expect(await caller.isDisabled('#next')).toBe(true);
      await caller.close();
    }
  }, 60_000);

  it('favicon: /favicon.ico and the linked icon answer 200 with an image type on the server and the kiosk; every page links it', async () => {
    for (const base of [`http://127.0.0.1:${rig.demo.httpPort}`, `http://127.0.0.1:${rig.demo.kioskPort}`]) {
      for (const path of ['/favicon.ico', '/web/favicon.svg']) {
        const r = await fetch(`${base}${path}`);
        expect(r.status, `${base}${path}`).toBe(200);
        expect(r.headers.get('content-type')).toBe('image/svg+xml');
        expect(await r.text()).toMatch(/^<svg /);
      }
    }
    const manager = await signedIn('m01', DEMO_PINS.manager);
    const staff = await signedIn('s04', DEMO_PINS.staff, 4);
    const anyone = await context();
    const pages: [BrowserContext, string][] = [
      [anyone, `${rig.server}/`],
      [anyone, `${rig.server}/display`],
      [anyone, `${rig.server}/sign-in`],
      [anyone, await issued()],
      [anyone, rig.kioskUrl],
      [anyone, `${rig.server}/r/no-such-link`],
      [staff, `${rig.server}/caller?window=4`],
      [manager, `${rig.server}/admin`],
      [manager, `${rig.server}/reports`],
    ];
    for (const [c, url] of pages) {
      const p = await open(c, url);
      await p.waitForLoadState('load');
      const icon = await p.$eval('link[rel="icon"]', (l) => ({ href: l.getAttribute('href'), type: l.getAttribute('type') })).catch(() => undefined);
      expect(icon, url).toEqual({ href: '/web/favicon.svg', type: 'image/svg+xml' });
      await p.close();
    }
    expect(failed).toEqual([]);
  }, 90_000);

  for (const width of [1366, 1920]) {
    it(`admin's 今日数据 and the reports' summary at ${width} px: each figure sits on one line with its label`, async () => {
      const c = await signedIn('m01', DEMO_PINS.manager, undefined, { width, height: 1000 });
      for (const [url, count] of [[`${rig.server}/admin`, 9], [`${rig.server}/reports`, 8]] as const) {
        const p = await open(c, url);
        await p.waitForSelector(`#figs > div:nth-child(${count})`);
        const figs = await p.$$eval('#figs > div', (ds) =>
          ds.map((d) => {
            const g = globalThis as unknown as { getComputedStyle: (e: unknown) => { lineHeight: string }; document: { createRange: () => { selectNodeContents: (n: unknown) => void; getClientRects: () => { top: number; bottom: number }[] } } };
            const b = d.querySelector('b')!;
            const r = g.document.createRange();
            r.selectNodeContents(d);
            const rects = [...r.getClientRects()];
            const number = b.getBoundingClientRect();
            return {
              text: d.textContent,
              height: d.getBoundingClientRect().height,
              line: parseFloat(g.getComputedStyle(b).lineHeight),
              // Every piece of text (number and label) lies within the number's line.
              sameLine: rects.every((x) => x.top >= number.top - 1 && x.bottom <= number.bottom + 1),
            };
          }),
        );
        expect(figs.length, url).toBe(count);
        for (const f of figs) {
          expect(f.sameLine, `${url}: ${f.text}`).toBe(true);
          expect(f.height, `${url}: ${f.text}`).toBeLessThanOrEqual(f.line + 1);
        }
        await p.close();
      }
    }, 60_000);
  }

  // The tryout of the eighteenth session: a long pause reason (text staff type) pushed admin to 1,618 px.
  it('a long pause reason, with a right-to-left mark in it, keeps admin and the caller within 1366 px', async () => {
    const width = () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth;
    const staff = await signedIn('s05', DEMO_PINS.staff, 5);
    const manager = await signedIn('m01', DEMO_PINS.manager);
    const admin = await open(manager, `${rig.server}/admin`);
    await admin.waitForSelector('tr[data-window="5"]');
    const send = (body: object) => admin.evaluate(async (b) => (await fetch('/api/commands', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })).status, body);
    const reason = `\u202e${'临时离开处理材料'.repeat(10)}${'x'.repeat(100)}`;
    expect(await send({ id: `pause-long-${Date.now()}`, type: 'PauseWindow', window: 5, reason })).toBe(200);
    await admin.waitForSelector('tr[data-window="5"] bdi.typed');
    expect(await admin.evaluate(width)).toBeLessThanOrEqual(1366);
    const caller = await open(staff, `${rig.server}/caller?window=5`);
    await caller.waitForSelector('#state:has-text("临时离开")');
    expect(await caller.evaluate(width)).toBeLessThanOrEqual(1366);
    expect(await send({ id: `resume-long-${Date.now()}`, type: 'ResumeWindow', window: 5 })).toBe(200);
  }, 60_000);

  it('links and buttons on admin, reports (and its chart text), caller, sign-in, the start page, the status page and the kiosk meet WCAG AA 4.5:1', async () => {
    const manager = await signedIn('m01', DEMO_PINS.manager);
    const staff = await signedIn('s05', DEMO_PINS.staff, 5);
    const anyone = await context({ viewport: { width: 1366, height: 900 } });
    const statusUrl = await issued();
    const targets: [BrowserContext, string, string][] = [
      [manager, `${rig.server}/admin`, '#figs > div:nth-child(9)'],
      [manager, `${rig.server}/reports`, '#figs'],
      [staff, `${rig.server}/caller?window=5`, '#win-title:text("5 号窗口")'],
      [staff, `${rig.server}/caller?window=99`, '#no-window a'],
      [anyone, `${rig.server}/sign-in`, '#sign-in'],
      [anyone, `${rig.server}/`, 'a'],
      [anyone, statusUrl, '#lang'],
      [anyone, rig.kioskUrl, '#services .svc'],
    ];
    for (const [c, url, ready] of targets) {
      const p = await open(c, url);
      await p.waitForSelector(ready);
      const found = await contrasts(p, 'a, button');
      expect(found.length, url).toBeGreaterThan(0);
      for (const f of found) expect(f.ratio, `${url}: ${f.what}`).toBeGreaterThanOrEqual(4.5);
      if (url.endsWith('/reports')) {
        // The charts' text (drawn on a canvas, so chart.js's colour) against the panel behind it.
        const chart = await p.evaluate(() => (globalThis as unknown as { Chart: { defaults: { color: string } } }).Chart.defaults.color);
        await p.$eval('#chart-hour', (e, color) => ((e as unknown as { style: { color: string } }).style.color = color), chart);
        const [text] = await contrasts(p, '#chart-hour');
        expect(text!.ratio, `chart text ${chart}`).toBeGreaterThanOrEqual(4.5);
      }
      await p.close();
    }
  }, 90_000);

  it('kiosk and status page in English: no Chinese left on any button or heading of any screen (the language switch names 中文 itself)', async () => {
    const c = await context({ viewport: { width: 1080, height: 1920 }, hasTouch: true });
    const kiosk = await open(c, rig.kioskUrl);
    await kiosk.waitForSelector('#services .svc');
    await kiosk.tap('#lang');
    await kiosk.waitForSelector('#menu h2:text("Choose a service")');
    const hall = (await kiosk.textContent('#hall')) ?? '';
    const cjk = /[\u3400-\u9fff\uf900-\ufaff]/;
    // Every button and heading in the page, the hidden screens too (they switch with the language, not when shown).
    const texts = async () =>
      kiosk.$$eval('button:not(#lang), h2, #printer, footer span', (bs) => bs.map((b) => ({ id: b.id || (b as unknown as { dataset: { service?: string } }).dataset.service || b.tagName, text: (b.textContent ?? '').trim() })));
    for (const t of await texts()) expect(t.text.replace(hall, ''), t.id).not.toMatch(cjk);
    expect(await kiosk.textContent('#checkin')).toBe('Appointment check-in');
    expect(await kiosk.textContent('#lang')).toBe('中文');
    // Large text in English stays English.
    await kiosk.tap('#elderly');
    await kiosk.waitForSelector('body.elderly');
    for (const t of await texts()) expect(t.text.replace(hall, ''), t.id).not.toMatch(cjk);
    // And back: Chinese everywhere it was.
    await kiosk.tap('#lang');
    await kiosk.waitForSelector('#menu h2:text("请选择办理的业务")');
    expect(await kiosk.textContent('#checkin')).toBe('预约签到');
    expect(await kiosk.textContent('#elderly')).toContain('长者模式');
    // The status page's toggle too: in English no Chinese is left but the switch back (中文).
    const phone = await open(await context({ viewport: { width: 390, height: 844 } }), await issued());
    await phone.waitForSelector('#state:text("等候中")');
    await phone.click('#lang');
    await phone.waitForSelector('#state:text("Waiting")');
    const body = await phone.$eval('body', (b) => (b as unknown as { innerText: string }).innerText);
    expect(body.replace('中文', '')).not.toMatch(cjk);
  }, 60_000);

  it('reports at 1366 px: no horizontal scroll; the wide table scrolls inside its own box', async () => {
    const c = await signedIn('m01', DEMO_PINS.manager, undefined, { width: 1366, height: 900 });
    const reports = await open(c, `${rig.server}/reports`);
    await reports.waitForSelector('#logout');
    expect(await reports.textContent('#logout')).toContain('退出登录');
    await reports.waitForSelector('#table-service');
    for (const by of ['service', 'window', 'staff', 'hour', 'day']) {
      await reports.selectOption('#by', by);
      await reports.waitForSelector(`#table-${by}`);
      const m = await reports.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return { scroll: d.scrollWidth, width: d.clientWidth };
      });
      expect(m.scroll, by).toBeLessThanOrEqual(m.width);
    }
    // Nor any other page at 1366 px.
    const staff = await signedIn('s06', DEMO_PINS.staff, 6, { width: 1366, height: 900 });
    for (const [ctx, url, ready] of [[c, `${rig.server}/admin`, '#figs > div'], [staff, `${rig.server}/caller?window=6`, '#win-title:text("6 号窗口")'], [c, `${rig.server}/display`, '#services']] as const) {
      const p = await open(ctx, url);
      await p.waitForSelector(ready);
      const m = await p.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return { scroll: d.scrollWidth, width: d.clientWidth };
      });
      expect(m.scroll, url).toBeLessThanOrEqual(m.width);
      await p.close();
    }
    // The table is all there, scrolled within its box.
    const box = await reports.$eval('#table-day', (t) => ({ table: t.scrollWidth, box: t.parentElement!.clientWidth }));
    expect(box.table).toBeGreaterThan(box.box);
  }, 60_000);

  it("admin and reports ask the server for nothing it answers with 4xx (a hall without a platform link included)", async () => {
    const c = await signedIn('m01', DEMO_PINS.manager);
    const refused: string[] = [];
    c.on('response', (r) => {
      if (r.status() >= 400 && new URL(r.url()).pathname.startsWith('/api/')) refused.push(`${r.status()} ${r.url()}`);
    });
    const admin = await c.newPage();
    // The platform panel's request, the last one admin.html makes while loading, has come back.
    const platform = admin.waitForResponse((r) => r.url().endsWith('/api/admin/platform'));
    await admin.goto(`${rig.server}/admin`);
    await platform;
    const reports = await open(c, `${rig.server}/reports`);
    await reports.waitForSelector('#figs > div');
    expect(refused).toEqual([]);
  });

  it("the hall display's clock shows hall time on a box whose time zone is something else", async () => {
    const c = await context({ timezoneId: 'America/New_York' });
    const display = await open(c, `${rig.server}/display`);
    await display.waitForSelector('#services .svc, #services > *');
    const offset = ((await (await fetch(`http://127.0.0.1:${rig.demo.httpPort}/api/hall`)).json()) as { utcOffsetMinutes: number }).utcOffsetMinutes;
    expect(offset).toBe(480); // config/demo.yaml: China Standard Time, 13 hours from New York's clock
    const hhmm = (ms: number) => new Date(ms + offset * 60_000).toISOString().slice(11, 16);
    const before = hhmm(Date.now());
    const shown = (await display.textContent('#clock')) ?? '';
    const after = hhmm(Date.now());
    expect([before, after]).toContain(shown.match(/\d{2}:\d{2}(?=:\d{2}$)/)?.[0]);
  });

  it('threw no page errors', () => {
    expect(errors).toEqual([]);
  });
});
