import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoPages } from '../helpers/demo-pages.js';

/**
 * Issue #13 (a technician's tryout): the kiosk menu fits its screen in every mode. Elderly mode hid
 * services below the fold with no sign the list scrolls, and the large English header overflowed the
 * portrait screen. In standard and elderly mode, Chinese and English, portrait 1080×1920 and landscape
 * 1920×1080: every service button of the demo hall and the check-in button lie wholly on the screen
 * (and inside the grid's visible box) at a thumb's size (the check-in button below the grid too: it was 260×110),
 * elderly text larger, nothing overflows sideways,
 * and the hall name wraps only between words (never 示范区政务服务中 / 心).
 */
/** The page's DOM as the measuring function below uses it (the tests compile without the DOM lib). */
interface Rect {
  toJSON(): unknown;
}
interface El {
  getBoundingClientRect(): Rect;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  textContent: string | null;
  firstChild: unknown;
  dataset: Record<string, string | undefined>;
  classList: { contains(c: string): boolean };
  querySelectorAll(s: string): ArrayLike<El>;
}
interface Dom {
  document: { getElementById(id: string): El | null; documentElement: El; body: El; createRange(): { setStart(n: unknown, i: number): void; setEnd(n: unknown, i: number): void; getClientRects(): ArrayLike<{ top: number }> } };
  getComputedStyle(e: El): { fontSize: string };
  innerWidth: number;
  innerHeight: number;
  requestAnimationFrame(f: () => void): void;
}

describe('kiosk menu fits the screen in every mode', () => {
  const rig = demoPages(17);
  /** Two animation frames: the page's resize observer and layout have run. */
  const settled = (p: Page) =>
    p.evaluate(() => {
      const { requestAnimationFrame } = globalThis as unknown as Dom;
      return new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    });
  const viewports = [
    { name: 'portrait', width: 1080, height: 1920 },
    { name: 'landscape', width: 1920, height: 1080 },
  ];
  for (const vp of viewports)
    for (const lang of ['zh', 'en'] as const)
      for (const elderly of [false, true])
        it(`${vp.name} ${vp.width}×${vp.height}, ${lang}, ${elderly ? 'elderly' : 'standard'}`, async () => {
          const page = await (await rig.context({ viewport: { width: vp.width, height: vp.height }, hasTouch: true })).newPage();
          await page.goto(rig.kioskUrl);
          await page.waitForSelector('#services .svc');
          await page.waitForFunction(() => !(globalThis as unknown as Dom).document.getElementById('hall')!.textContent!.includes('…'));
          if (lang === 'en') {
            await page.tap('#lang');
            await page.waitForSelector('#menu h2:text("Choose a service")');
          }
          if (elderly) {
            await page.tap('#elderly');
            await page.waitForSelector('body.elderly');
          }
          await settled(page);
          const m = await page.evaluate(() => {
            const { document, getComputedStyle, innerWidth, innerHeight } = globalThis as unknown as Dom;
            const box = (e: El) => e.getBoundingClientRect().toJSON() as { left: number; top: number; right: number; bottom: number; width: number; height: number };
            const grid = document.getElementById('services')!;
            const hall = document.getElementById('hall')!;
            // The words of a text (its text nodes in order) that lie on more than one line.
            function wordsBroken(node: unknown): string[] {
              const texts: { textContent: string }[] = [];
              const walk = (n: { nodeType: number; childNodes: ArrayLike<unknown> }) => {
                if (n.nodeType === 3) texts.push(n as unknown as { textContent: string });
                else for (const c of Array.from(n.childNodes)) walk(c as { nodeType: number; childNodes: ArrayLike<unknown> });
              };
              walk(node as { nodeType: number; childNodes: ArrayLike<unknown> });
              const chars: { ch: string; top: number }[] = [];
              for (const t of texts)
                for (let i = 0; i < t.textContent.length; i++) {
                  const r = document.createRange();
                  r.setStart(t, i);
                  r.setEnd(t, i + 1);
                  const rect = r.getClientRects()[0];
                  // A space where the line wraps has no box: it still ends a word.
                  if (rect || t.textContent[i] === ' ') chars.push({ ch: t.textContent[i]!, top: Math.round(rect?.top ?? -1) });
                }
              const broken: string[] = [];
              let word: { ch: string; top: number }[] = [];
              for (const c of [...chars, { ch: ' ', top: 0 }]) {
                if (c.ch !== ' ') word.push(c);
                else {
                  if (new Set(word.map((x) => x.top)).size > 1) broken.push(word.map((x) => x.ch).join(''));
                  word = [];
                }
              }
              return broken;
            }
            return {
              services: Array.from(grid.querySelectorAll('.svc')).map((b) => ({ id: b.dataset.service!, brokenWords: wordsBroken(b.firstChild), ...box(b), fontSize: parseFloat(getComputedStyle(b).fontSize), overflows: b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1 })),
              grid: box(grid),
              checkin: box(document.getElementById('checkin')!),
              scrollWidth: document.documentElement.scrollWidth,
              bodyScrollWidth: document.body.scrollWidth,
              hall: { text: hall.textContent!, scrollWidth: hall.scrollWidth, clientWidth: hall.clientWidth, brokenWords: wordsBroken(hall) },
              // The cue that more services are below (the old page had none).
              moreShown: document.getElementById('more')?.classList.contains('hidden') === false,
              innerWidth,
              innerHeight,
            };
          });
          expect(m.services.map((s) => s.id), 'the demo hall\'s services').toEqual(['social', 'medical', 'household', 'realestate', 'fund', 'business', 'tax', 'pickup']);
          const min = elderly ? { w: 400, h: 220 } : { w: 300, h: 180 };
          for (const s of m.services) {
            // Wholly on the screen, and inside the grid's visible box (not scrolled out of it).
            expect(s.left, s.id).toBeGreaterThanOrEqual(0);
            expect(s.top, s.id).toBeGreaterThanOrEqual(0);
            expect(s.right, s.id).toBeLessThanOrEqual(m.innerWidth);
            expect(s.bottom, s.id).toBeLessThanOrEqual(m.innerHeight);
            expect(s.top, s.id).toBeGreaterThanOrEqual(m.grid.top - 0.5);
            expect(s.bottom, s.id).toBeLessThanOrEqual(m.grid.bottom + 0.5);
            // A thumb's size, and its words inside it.
            expect(s.width, s.id).toBeGreaterThanOrEqual(min.w);
            expect(s.height, s.id).toBeGreaterThanOrEqual(min.h);
            expect(s.overflows, s.id).toBe(false);
            // Its name wraps between words only (never "pick-" / "up").
            expect(s.brokenWords, s.id).toEqual([]);
            // Elderly text is larger than standard text ever is (standard starts at 39 px).
            if (elderly) expect(s.fontSize, s.id).toBeGreaterThan(39);
          }
          // The check-in button is at least a service button's minimum too (it was 260×110 / 356×110 / 492×110).
          expect(m.checkin.width, 'check-in width').toBeGreaterThanOrEqual(min.w);
          expect(m.checkin.height, 'check-in height').toBeGreaterThanOrEqual(min.h);
          expect(m.checkin.left).toBeGreaterThanOrEqual(0);
          expect(m.checkin.top).toBeGreaterThanOrEqual(m.grid.bottom - 0.5);
          expect(m.checkin.top).toBeGreaterThanOrEqual(0);
          expect(m.checkin.bottom).toBeLessThanOrEqual(m.innerHeight);
          expect(m.checkin.right).toBeLessThanOrEqual(m.innerWidth);
          // Everything fits: no cue that more is below.
          expect(m.moreShown).toBe(false);
          // Nothing overflows sideways: not the page, not the hall name.
          expect(m.scrollWidth).toBeLessThanOrEqual(m.innerWidth);
          expect(m.bodyScrollWidth).toBeLessThanOrEqual(m.innerWidth);
          expect(m.hall.scrollWidth).toBeLessThanOrEqual(m.hall.clientWidth);
          // The hall name breaks lines only at spaces: every word on one line; the Chinese name is one word.
          expect(m.hall.text).toBe(lang === 'zh' ? '示范区政务服务中心' : 'Demo District Government Service Center');
          expect(m.hall.brokenWords).toEqual([]);
        }, 60_000);

  it('a hall with more services than fit at the elderly minimum says "more below" until the list is scrolled to its end', async () => {
    const c = await rig.context({ viewport: { width: 1080, height: 1920 }, hasTouch: true });
    // The page's own stream, answered with a hall of 24 services (the demo hall's eight three times).
    const info = (await (await fetch(`http://127.0.0.1:${rig.demo.kioskPort}/kiosk/api/info`)).json()) as { services: { id: string; zh: string; en: string }[] };
    const services = [1, 2, 3].flatMap((k) => info.services.map((x) => ({ ...x, id: `${x.id}${k}` })));
    await c.route('**/kiosk/api/stream', (route) =>
      route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' }, body: `retry: 600000\nevent: snapshot\ndata: ${JSON.stringify({ ...info, services })}\n\n` }),
    );
    const page = await c.newPage();
    await page.goto(rig.kioskUrl);
    await page.waitForFunction(() => (globalThis as unknown as Dom).document.getElementById('services')!.querySelectorAll('.svc').length === 24);
    await page.tap('#elderly');
    await page.waitForSelector('body.elderly');
    await settled(page);
    // Too many for the screen at the elderly minimum: the cue says so, the buttons keep their size.
    await page.waitForSelector('#more:not(.hidden)');
    expect(await page.textContent('#more')).toBe('下方还有更多业务，请向上滑动 ↓');
    const sizes = await page.$$eval('#services .svc', (bs) => bs.map((b) => b.getBoundingClientRect().toJSON() as { width: number; height: number }));
    for (const b of sizes) {
      expect(b.width).toBeGreaterThanOrEqual(400);
      expect(b.height).toBeGreaterThanOrEqual(220);
    }
    // Nothing overflows the page: the list scrolls inside its own box.
    expect(await page.evaluate(() => (globalThis as unknown as Dom).document.documentElement.scrollWidth)).toBeLessThanOrEqual(1080);
    // Scrolled to the end: the last service is whole inside the list's box and the cue is gone.
    await page.$eval('#services', (g) => g.scrollTo({ top: g.scrollHeight }));
    await page.waitForSelector('#more.hidden', { state: 'attached' });
    const grid = await page.$eval('#services', (e) => e.getBoundingClientRect().toJSON() as { top: number; bottom: number });
    const last = await page.$eval('#services .svc:last-child', (e) => e.getBoundingClientRect().toJSON() as { top: number; bottom: number });
    expect(last.top).toBeGreaterThanOrEqual(grid.top - 0.5);
    expect(last.bottom).toBeLessThanOrEqual(grid.bottom + 0.5);
  }, 60_000);
});
