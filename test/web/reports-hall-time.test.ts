import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PINS } from '../../src/demo/demo.js';
import { demoPages } from '../helpers/demo-pages.js';

/**
 * The reports page's preset ranges are the hall's days (the demo hall: utcOffsetMinutes 480), whatever
 * zone the manager's browser is in: a browser clock fixed half an hour either side of the hall's
 * midnight on the last day of a month, in a zone on the other side of that midnight.
 */
describe('reports: the default and preset ranges in hall time', () => {
  const rig = demoPages(17);

  /** A manager's context in `timezoneId`, its clock fixed at `at`, signed in through the API. */
  async function manager(timezoneId: string, at: string): Promise<BrowserContext> {
    const c = await rig.context({ timezoneId, viewport: { width: 1366, height: 900 } });
    await c.clock.setFixedTime(new Date(at));
    const p = await c.newPage();
    await p.goto(`${rig.server}/sign-in`);
    const status = await p.evaluate(
      async (body) => (await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status,
      { staffId: 'm01', secret: DEMO_PINS.manager },
    );
    expect(status).toBe(200);
    await p.close();
    return c;
  }

  /** Opens /reports; resolves with the page and the range of its first report request. */
  async function reports(c: BrowserContext): Promise<{ page: Page; asked: URL }> {
    const page = await c.newPage();
    const request = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/reports');
    await page.goto(`${rig.server}/reports`);
    return { page, asked: new URL((await request).url()) };
  }
  const inputs = async (page: Page) => [await page.inputValue('#from'), await page.inputValue('#to')];
  /** Clicks a preset and resolves with the range the page then shows. */
  async function pick(page: Page, id: string): Promise<string[]> {
    await page.click(`#${id}`);
    return inputs(page);
  }

  it('00:30 on 1 April in the hall, 16:30 on 31 March in a UTC browser: this month is 1 April, today the 1st, the week from Monday 30 March', async () => {
    const c = await manager('UTC', '2026-03-31T16:30:00Z');
    const { page, asked } = await reports(c);
    // The clock is the one set: the browser's own day is still 31 March.
    expect(await page.evaluate(() => new Date().getDate())).toBe(31);
    expect([asked.searchParams.get('from'), asked.searchParams.get('to')]).toEqual(['2026-04-01', '2026-04-01']);
    expect(await inputs(page)).toEqual(['2026-04-01', '2026-04-01']);
    expect(await pick(page, 'preset-day')).toEqual(['2026-04-01', '2026-04-01']);
    expect(await pick(page, 'preset-week')).toEqual(['2026-03-30', '2026-04-01']);
    expect(await pick(page, 'preset-month')).toEqual(['2026-04-01', '2026-04-01']);
  }, 60_000);

  it('23:30 on 31 March in the hall, 00:30 on 1 April in a Tokyo browser: this month is March, today the 31st', async () => {
    const c = await manager('Asia/Tokyo', '2026-03-31T15:30:00Z');
    const { page, asked } = await reports(c);
    expect(await page.evaluate(() => new Date().getDate())).toBe(1);
    expect([asked.searchParams.get('from'), asked.searchParams.get('to')]).toEqual(['2026-03-01', '2026-03-31']);
    expect(await inputs(page)).toEqual(['2026-03-01', '2026-03-31']);
    expect(await pick(page, 'preset-day')).toEqual(['2026-03-31', '2026-03-31']);
    expect(await pick(page, 'preset-week')).toEqual(['2026-03-30', '2026-03-31']);
  }, 60_000);

  it('a link with ?from=&to= keeps its range', async () => {
    const c = await manager('UTC', '2026-03-31T16:30:00Z');
    const page = await c.newPage();
    const request = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/reports');
    await page.goto(`${rig.server}/reports?from=2026-02-01&to=2026-02-28`);
    expect(new URL((await request).url()).searchParams.get('from')).toBe('2026-02-01');
    expect(await inputs(page)).toEqual(['2026-02-01', '2026-02-28']);
  }, 60_000);
});
