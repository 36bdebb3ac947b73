import { beforeAll, describe, expect, it } from 'vitest';
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
    await page.context().close();
  });

  it('replaces the loading line with the error when the report cannot be had', async () => {
    const page = await open();
    // from after to: the API refuses the period.
    await page.goto(`${pages.base}/reports?from=2026-11-24&to=2026-11-23`);
    await page.locator('#error').waitFor();
    expect((await page.textContent('#error'))?.length).toBeGreaterThan(0);
    expect(await page.textContent('body')).not.toContain('正在加载报表');
    await page.context().close();
  });

  it('reversed days are said plainly in both languages, naming both days (not the API\'s key path)', async () => {
    const page = await open();
    await page.goto(`${pages.base}/reports?from=2026-12-05&to=2026-12-01`);
    await page.locator('#error').waitFor();
    expect(await page.textContent('#error')).toBe('开始日期 2026-12-05 晚于结束日期 2026-12-01 · The first day 2026-12-05 is after the last day 2026-12-01');
    expect(await page.textContent('body')).not.toContain('query.to');
    await page.context().close();
  });
});
