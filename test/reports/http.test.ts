import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/core/index.js';
import type { Report } from '../../src/reports/query.js';
import { launchChromium } from '../helpers/browser.js';
import { httpRig, PIN, type HttpRig } from '../http/rig.js';

/**
 * The reports on the hall server: a short day run through the real server (HTTP commands for staff and
 * manager, the rating keypad's command on the engine), then the manager-only API, the CSV, the XLSX
 * (opened with exceljs) and the page in Chromium, whose XLSX download is opened and checked too.
 */
describe('reports over HTTP and in the browser', () => {
  let rig: HttpRig;
  let manager = '';
  let browser: Browser | undefined;
  const day = '2026-11-23';
  beforeAll(async () => {
    rig = await httpRig();
    manager = await rig.signIn('m01', PIN.m01 as string);
    let n = 0;
    const run = async (body: Record<string, unknown>) => {
      const r = await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { cookie: manager, 'content-type': 'application/json' }, payload: { id: `r${++n}`, ...body } });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { outcome: { ok: boolean; ticketId?: string } };
    };
    const rate = (grade: string) => rig.engine.handle({ id: `rate${++n}`, type: 'Rate', window: 1, grade, source: 'rating-device' } as Command, rig.clock());
    await run({ type: 'OpenWindow', window: 1, staffId: 's01' });
    const service = rig.engine.state.config?.windows[0]?.tiers[0]?.[0] as string;
    for (let i = 0; i < 4; i++) expect((await run({ type: 'IssueTicket', serviceId: service, delivery: 'none' })).outcome.ok).toBe(true);
    for (const grade of ['very-satisfied', 'very-dissatisfied', 'satisfied']) {
      await run({ type: 'CallNext', window: 1 });
      await run({ type: 'Complete', window: 1 });
      expect(rate(grade).outcome.ok).toBe(true);
    }
    await run({ type: 'CallNext', window: 1 }); // the fourth: called, not served
    const bad = Object.values(rig.engine.state.ratings).find((r) => r.grade === 'very-dissatisfied');
    await run({ type: 'FollowUp', ratingId: bad?.id, note: '已电话回复' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
  });

  it('answers managers only, with the figures of the day', async () => {
    const url = `/api/reports?from=${day}&to=${day}`;
    expect((await rig.app.inject({ url })).statusCode).toBe(401);
    const staff = await rig.signIn('s03', PIN.s03 as string, 3);
    expect((await rig.app.inject({ url, headers: { cookie: staff } })).statusCode).toBe(403);
    const bad = await rig.app.inject({ url: `/api/reports?from=${day}&to=2026-11-01`, headers: { cookie: manager } });
    expect(bad.statusCode).toBe(400);
    const month13 = await rig.app.inject({ url: `/api/reports?from=2026-13-01&to=${day}`, headers: { cookie: manager } });
    expect(month13.statusCode).toBe(400);
    // Said as what it is: not a day; not a wrong order or range.
    expect(month13.body).toContain('a day YYYY-MM-DD, like');
    expect(month13.body).not.toMatch(/after to|800 days/);
    const r = await rig.app.inject({ url, headers: { cookie: manager } });
    expect(r.statusCode, r.body).toBe(200);
    const rep = r.json() as Report;
    expect(rep.total).toMatchObject({ issued: 4, served: 3, open: 1, rated: 3, bad: 1, badFollowedUp: 1, followUpRate: 1, replyRate: 1, grades: [1, 1, 0, 0, 1] });
    expect(rep.total.satisfaction).toBeCloseTo(2 / 3, 12);
    expect(rep.groups.staff.find((x) => x.key === 's01')?.label).toBe('王芳');
    expect(rep.groups.window[0]?.openMin).toBeGreaterThanOrEqual(0);
  });

  it('downloads CSV with Chinese headers and an XLSX that exceljs reads back with the same figures', async () => {
    const csv = await rig.app.inject({ url: `/api/reports.csv?from=${day}&to=${day}&by=staff`, headers: { cookie: manager } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.split('\r\n');
    expect(lines[0]?.startsWith('\uFEFF工作人员,取号,办结')).toBe(true);
    expect(lines.some((l) => l.startsWith('王芳,4,3,'))).toBe(true);
    const x = await rig.app.inject({ url: `/api/reports.xlsx?from=${day}&to=${day}`, headers: { cookie: manager } });
    expect(x.statusCode).toBe(200);
    await checkWorkbook(x.rawPayload);
  });

  it('shows the figures, charts and tables on the reports page, and its XLSX download opens', async () => {
    const { port } = (await rig.app.listen({ host: '127.0.0.1', port: 0 }), rig.app.server.address() as { port: number });
    browser = await launchChromium();
    const ctx = await browser.newContext({ timezoneId: 'Asia/Shanghai', acceptDownloads: true, viewport: { width: 1600, height: 1200 } });
    const [name, value] = manager.split('=') as [string, string];
    await ctx.addCookies([{ name, value, domain: 'hall.test', path: '/' }]);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`failed ${r.url()}`));
    await page.goto(`http://hall.test:${port}/reports?from=${day}&to=${day}`);
    await page.locator('#fig-issued').filter({ hasText: '4' }).waitFor();
    expect(await page.locator('#fig-served').textContent()).toBe('3');
    expect(await page.locator('#fig-satisfaction').textContent()).toBe('66.7%');
    expect(await page.locator('#fig-followup').textContent()).toBe('100.0%');
    // chart.js drew into each canvas (it sets the canvas size and keeps the chart on it).
    for (const id of ['chart-hour', 'chart-day', 'chart-grades', 'chart-window']) {
      expect(await page.$eval(`#${id}`, (canvas) => Boolean((globalThis as unknown as { Chart: { getChart(c: unknown): unknown } }).Chart.getChart(canvas)))).toBe(true);
    }
    await page.selectOption('#by', 'staff');
    await page.locator('#table-staff td', { hasText: '王芳' }).waitFor();
    const row = await page.locator('#table-staff tr', { hasText: '王芳' }).locator('td').allTextContents();
    expect(row.slice(0, 3)).toEqual(['王芳', '4', '3']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#xlsx')]);
    const file = join(mkdtempSync(join(tmpdir(), 'hallq-xlsx-')), 'report.xlsx');
    await download.saveAs(file);
    await checkWorkbook(readFileSync(file));
    expect(errors).toEqual([]);
    // The admin page links here (leaving admin aborts its event stream, which is no error).
    await page.goto(`http://hall.test:${port}/admin`);
    await page.click('#reports-link');
    await page.waitForURL(/\/reports$/);
  }, 120_000);

  async function checkWorkbook(buf: Buffer): Promise<void> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '业务', '窗口', '工作人员', '时段', '日期']);
    const sheet = wb.getWorksheet('工作人员');
    const head = (sheet?.getRow(1).values as unknown[]).slice(1);
    expect(head.slice(0, 3)).toEqual(['工作人员', '取号', '办结']);
    const satisfaction = head.indexOf('满意率%') + 1;
    let found = false;
    sheet?.eachRow((row) => {
      if (row.getCell(1).value !== '王芳') return;
      found = true;
      expect([row.getCell(2).value, row.getCell(3).value, row.getCell(satisfaction).value]).toEqual([4, 3, 66.7]);
    });
    expect(found).toBe(true);
    const total = wb.getWorksheet('日期')?.lastRow;
    expect(total?.getCell(1).value).toBe('全厅');
  }
});
