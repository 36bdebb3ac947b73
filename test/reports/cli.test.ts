import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/reports/query.js';
import { simulatedEvents, writeLog } from './month.js';

function hallq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8', env: { ...process.env, HALLQ_RUN: 'src' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `hallq report` on a database file of two simulated days, no server running. */
describe('hallq report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-report-cli-'));
  const db = join(dir, 'hall.db');
  let days: string[] = [];
  beforeAll(() => {
    const events = simulatedEvents({ days: 2, seed: 3 });
    days = events.filter((e) => e.type === 'DayStarted').map((e) => (e as { day: string }).day);
    writeLog(db, events);
  }, 300_000);

  it('prints JSON, a table, CSV and XLSX with the same figures; refuses bad days', async () => {
    const [from, to] = [days[0] as string, days[1] as string];
    const json = await hallq('report', '--db', db, '--from', from, '--to', to, '--json');
    expect(json.code, json.stderr).toBe(0);
    const rep = JSON.parse(json.stdout) as Report;
    expect(rep.total.issued).toBeGreaterThan(800);
    expect(rep.groups.day.map((d) => d.key)).toEqual([from, to]);

    const tableOut = await hallq('report', '--db', db, '--from', from, '--to', to, '--by', 'staff');
    expect(tableOut.code).toBe(0);
    expect(tableOut.stdout).toContain('王芳');
    expect(tableOut.stdout).toMatch(new RegExp(`全厅\\s*│\\s*${rep.total.issued}\\s*│\\s*${rep.total.served}\\s*│`));

    const csv = await hallq('report', '--db', db, '--from', from, '--to', to, '--by', 'window', '--csv');
    const last = csv.stdout.trim().split('\r\n').at(-1) ?? '';
    expect(last.startsWith(`全厅,${rep.total.issued},${rep.total.served},${rep.total.noShow},`)).toBe(true);

    const xlsx = join(dir, 'r.xlsx');
    const x = await new Promise<number>((resolve) => {
      const child = execFile('/bin/sh', ['-c', `"${process.execPath}" bin/hallq.js report --db "${db}" --from ${from} --to ${to} --xlsx > "${xlsx}"`], { env: { ...process.env, HALLQ_RUN: 'src' } }, (err) => resolve(err ? 1 : 0));
      void child;
    });
    expect(x).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(xlsx) as unknown as ArrayBuffer);
    expect(wb.getWorksheet('日期')?.lastRow?.getCell(2).value).toBe(rep.total.issued);

    const rebuilt = await hallq('report', '--db', db, '--from', from, '--to', to, '--json', '--rebuild');
    expect(rebuilt.stderr).toMatch(/rebuilt from \d+ events/);
    expect((JSON.parse(rebuilt.stdout) as Report).groups.window).toEqual(rep.groups.window.map((w) => ({ ...w })));

    const bad = await hallq('report', '--db', db, '--from', '2026-02-30', '--to', to);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from and --to');
    const both = await hallq('report', '--db', db, '--from', from, '--to', to, '--csv', '--xlsx');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not --xlsx and --csv');
    const long = await hallq('report', '--db', db, '--from', '2020-01-01', '--to', to);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('at most 800 days');
  }, 120_000);
});
