import Table from 'cli-table3';
import { columns, groupNames, tableRows, toCsv } from '../reports/columns.js';
import { ReportProjection } from '../reports/projection.js';
import { assertHallDatabase } from '../store/hall-database.js';
import { MAX_REPORT_DAYS, buildReport, daysBetween, groupings, isDay, type GroupBy } from '../reports/query.js';
import { toXlsx } from '../reports/xlsx.js';
import { errorLine } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { progressBar } from './progress.js';

export interface ReportOptions {
  /** The hall database (the server's event log file). */
  database: string;
  from: string;
  to: string;
  by: string;
  format: 'table' | 'csv' | 'xlsx' | 'json';
  rebuild: boolean;
  /** Where XLSX goes; stdout when absent (refused on a terminal). */
  out?: (data: Buffer | string) => void;
}

/**
 * `hallq report`: reads the hall database file directly (no server needed, works on a copy or on the live
 * file beside a running server: catching up is one short transaction, safe alongside the server's own).
 * Folds any events the projection has not seen yet, or all of them with --rebuild, then prints the report.
 */
export async function reportCommand(o: ReportOptions): Promise<number> {
  const bad = !isDay(o.from) || !isDay(o.to)
    ? '--from and --to must be days like 2026-11-23'
    : o.from > o.to
      ? '--from is after --to'
      : daysBetween(o.from, o.to) >= MAX_REPORT_DAYS
        ? `at most ${MAX_REPORT_DAYS} days in one report`
        : (groupings as readonly string[]).includes(o.by)
          ? undefined
          : `--by must be one of ${groupings.join(', ')}`;
  if (bad) {
    process.stderr.write(`${errorLine({ code: 'USAGE', message: `report: ${bad}`, messageZh: '报表的日期或分组写法不对' })}\n`);
    return exitCodes.usage;
  }
  const by = o.by as GroupBy;
  // The wrong file (a YAML, another program's database) is refused untouched, before any table is made.
  assertHallDatabase(o.database, "Give --db the server's database file (server.database), or --config the hall's config.");
  const proj = ReportProjection.open(o.database);
  try {
    // Folding a long log (a first report, --rebuild) takes a while: a bar on a terminal's stderr only.
    const bar = progressBar(o.rebuild ? 'report: rebuilding' : 'report: reading the log', 'events');
    let folded: number;
    try {
      const onProgress = (seq: number, last: number) => bar.update(seq, Math.max(seq, last));
      folded = o.rebuild ? proj.rebuild(onProgress) : proj.catchUp(onProgress);
    } finally {
      bar.stop();
    }
    if (o.rebuild) process.stderr.write(`report tables rebuilt from ${folded} events\n`);
    const report = buildReport(proj.db, proj.labels, proj.lastSeq(), o.from, o.to, Date.now());
    const write = o.out ?? ((d: Buffer | string) => process.stdout.write(d));
    switch (o.format) {
      case 'json':
        write(`${JSON.stringify(report, null, 2)}\n`);
        break;
      case 'csv':
        write(toCsv(report, by));
        break;
      case 'xlsx':
        if (!o.out && process.stdout.isTTY) {
          process.stderr.write('report: --xlsx writes a binary file; redirect it, e.g. hallq report … --xlsx > report.xlsx\n');
          return exitCodes.usage;
        }
        write(await toXlsx(report));
        break;
      case 'table': {
        const { head, rows } = tableRows(report, by);
        // The terminal gets the main columns; --csv/--xlsx/--json carry all of them.
        const keep = ['issued', 'served', 'noShow', 'cancelled', 'waitMeanMin', 'waitP90Min', 'serviceMeanMin', 'utilisation', 'rated', 'satisfaction', 'bad', 'followUpRate'];
        const idx = [0, ...keep.map((k) => columns.findIndex((c) => c.key === k) + 1)];
        const t = new Table({ head: idx.map((i) => head[i] ?? ''), style: { head: [], border: [] } });
        for (const r of rows) t.push(idx.map((i) => (r[i] === null || r[i] === undefined ? '—' : String(r[i]))));
        write(`${report.hall} ${report.from} 至 ${report.to} · 按${groupNames[by]}\n${t.toString()}\n`);
        break;
      }
    }
    return exitCodes.ok;
  } finally {
    proj.close();
  }
}
