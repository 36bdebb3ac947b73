import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { daysReversedWords } from '../../src/server/reports-http.js';
import { rigPages } from '../helpers/rig-pages.js';
import { PIN } from '../http/rig.js';

/** The reports page's loading line goes when the figures arrive, and an error replaces it (issue 13). */
describe('reports page loading line', () => {
  const pages = rigPages();
  let cookie = '';
  const day = '2026-11-23';
  beforeAll(async () => {
    cookie = await pages.rig.signIn('m01', PIN.m01 as string);
  });

  const open = async () => (await pages.context(cookie, { timezoneId: 'Asia/Shanghai' })).newPage();

  it('removes "正在加载报表…" once the figures are shown', async () => {
    const page = await open();
    await page.goto(`${pages.base}/reports?from=${day}&to=${day}`);
    await page.locator('#fig-issued').waitFor();
    expect(await page.textContent('body')).not.toContain('正在加载报表');
    // The downloads are links to the period shown.
    expect(await page.getAttribute('#csv', 'href')).toBe(`/api/reports.csv?from=${day}&to=${day}&by=service`);
    await page.context().close();
  });

  it('a link with a wrong or half period is refused in words, not replaced by this month; no download offered (a tryout)', async () => {
    for (const q of ['from=abc&to=', `from=${day}`]) {
      const page = await open();
      await page.goto(`${pages.base}/reports?${q}`);
      await page.locator('#error').waitFor();
      expect(await page.textContent('#error'), q).toMatch(/query\.(from|to)/);
      expect(await page.locator('#figs').count(), q).toBe(0);
      expect(await page.getAttribute('#csv', 'href'), q).toBeNull();
      expect(await page.getAttribute('#xlsx', 'href'), q).toBeNull();
      await page.context().close();
    }
  });

  it('replaces the loading line with the error when the report cannot be had', async () => {
    const page = await open();
    // from after to: the API refuses the period.
    await page.goto(`${pages.base}/reports?from=2026-11-24&to=2026-11-23`);
    await page.locator('#error').waitFor();
    expect((await page.textContent('#error'))?.length).toBeGreaterThan(0);
    expect(await page.textContent('body')).not.toContain('正在加载报表');
    // Nothing to download for a refused period (the links would fetch the same refusal as a file).
    expect(await page.getAttribute('#csv', 'href')).toBeNull();
    // The hall's name stays in the header (a tryout: it went with the figures).
    const hall = (await pages.rig.app.inject({ method: 'GET', url: '/api/hall' })).json<{ hall: { zh: string } }>().hall.zh;
    await page.locator('#hall-name').waitFor();
    expect(await page.textContent('#hall-name')).toBe(hall);
    await page.context().close();
  });

  it('reversed days are said plainly in both languages, naming both days: the API\'s words, Chinese then English (not a key path)', async () => {
    const api = await pages.rig.app.inject({ url: '/api/reports?from=2026-12-05&to=2026-12-01', headers: { cookie } });
    expect(api.statusCode).toBe(400);
    const { error } = api.json() as { error: { code: string; message: string; messageZh: string } };
    expect(error.code).toBe('days-reversed');
    const page = await open();
    await page.goto(`${pages.base}/reports?from=2026-12-05&to=2026-12-01`);
    await page.locator('#error').waitFor();
    expect(await page.textContent('#error')).toBe(`${error.messageZh} · ${error.message}`);
    expect(await page.textContent('#error')).toBe('开始日期 2026-12-05 晚于结束日期 2026-12-01 · The first day 2026-12-05 is after the last day 2026-12-01');
    expect(await page.textContent('body')).not.toContain('query.to');
    // Figures of an earlier period do not stay under the refused dates.
    await page.fill('#from', day);
    await page.fill('#to', day);
    await page.locator('#fig-issued').waitFor();
    await page.fill('#from', '2026-11-24');
    await page.locator('#error').waitFor();
    expect(await page.textContent('#error')).toBe(`开始日期 2026-11-24 晚于结束日期 ${day} · The first day 2026-11-24 is after the last day ${day}`);
    expect(await page.locator('#fig-issued').count()).toBe(0);
    await page.context().close();
  });

  it('whatever words the API refuses reversed days with are the words the page shows', async () => {
    const page = await open();
    const said = { error: { code: 'days-reversed', message: 'API words 2026-12-05 / 2026-12-01', messageZh: '接口的话 2026-12-05 / 2026-12-01' } };
    await page.route('**/api/reports?*', (route) => route.fulfill({ status: 400, contentType: 'application/json; charset=utf-8', body: JSON.stringify(said) }));
    await page.goto(`${pages.base}/reports?from=2026-12-05&to=2026-12-01`);
    await page.locator('#error').waitFor();
    expect(await page.textContent('#error')).toBe('接口的话 2026-12-05 / 2026-12-01 · API words 2026-12-05 / 2026-12-01');
    await page.context().close();
  });

  it('the page keeps no wording of its own for reversed days: it shows what the API says', () => {
    // Each fixed piece of the API's words (between the two days) is absent from every page file.
    const pieces = Object.values(daysReversedWords('\u0000', '\u0000')).flatMap((w) => w.split('\u0000')).map((p) => p.trim()).filter((p) => p.length >= 2);
    expect(pieces).toEqual(expect.arrayContaining(['开始日期', '晚于结束日期', 'is after the last day']));
    const dir = 'src/web';
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(?:js|mjs|html)$/.test(f));
    expect(files).toContain(join('static', 'reports.js'));
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const p of pieces) expect(text.includes(p), `${f} carries "${p}"`).toBe(false);
    }
  });
});
