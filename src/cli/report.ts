import Table from 'cli-table3';
import { closest } from '../../drivers/common/did-you-mean.js';
import { columns, groupNames, tableRows, toCsv } from '../reports/columns.js';
import { ReportProjection } from '../reports/projection.js';
import { assertHallDatabase, assertHallLog, assertSqliteFile } from '../store/hall-database.js';
import { mayWrite, readOnlyCopy } from '../store/read-only-copy.js';
import { MAX_REPORT_DAYS, buildReport, daysBetween, groupings, isDay, type GroupBy } from '../reports/query.js';
import { toXlsx } from '../reports/xlsx.js';
import { UsageError } from './cli-error.js';
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

const HINT = { en: "Give --db the server's database file (server.database), or --config the hall's config.", zh: '请用 --db 指定服务器的数据库文件（server.database），或用 --config 指定大厅的配置文件。' };

/**
 * The report tables of the hall database. The wrong file (a YAML, another program's database) is refused
 * untouched, before any table is made. A database this user may read but not write (a 0444 copy, a
 * read-only folder, the server's file read by another user) is read into memory, never written nor
 * locked, nothing migrated: its report tables are folded on in the copy and not kept.
 */
function openProjection(database: string): ReportProjection {
  if (mayWrite(database)) {
    assertHallDatabase(database, HINT);
    return ReportProjection.open(database);
  }
  assertSqliteFile(database, HINT);
  const copy = readOnlyCopy(database, { en: `cannot read the hall database ${database} for reports`, zh: `无法读取大厅数据库 ${database} 来生成报表` });
  try {
    assertHallLog(copy, database, HINT);
    return ReportProjection.over(copy);
  } catch (e) {
    copy.close();
    throw e;
  }
}

/**
 * `hallq report`: reads the hall database file directly (no server needed, works on a copy or on the live
 * file beside a running server: catching up is one short transaction, safe alongside the server's own).
 * Folds any events the projection has not seen yet, or all of them with --rebuild, then prints the report.
 */
export async function reportCommand(o: ReportOptions): Promise<number> {
  if (!isDay(o.from) || !isDay(o.to)) {
    const which = [isDay(o.from) ? undefined : `--from ${o.from}`, isDay(o.to) ? undefined : `--to ${o.to}`].filter((x) => x !== undefined).join(', ');
    throw new UsageError(`report: --from and --to are days like 2026-11-23 (not ${which})`, `--from 和 --to 应为日期，例如 2026-11-23（而不是 ${which}）`);
  }
  if (o.from > o.to) throw new UsageError(`report: --from ${o.from} is after --to ${o.to}; the first day comes first`, `开始日期 --from ${o.from} 晚于结束日期 --to ${o.to}，请把较早的日期写在 --from`);
  if (daysBetween(o.from, o.to) >= MAX_REPORT_DAYS) throw new UsageError(`report: at most ${MAX_REPORT_DAYS} days in one report`, `一份报表最多 ${MAX_REPORT_DAYS} 天`);
  if (!(groupings as readonly string[]).includes(o.by)) {
    const guess = closest(o.by, groupings);
    throw new UsageError(`report: --by must be one of ${groupings.join(', ')} (not "${o.by}")${guess === undefined ? '' : `; did you mean ${guess}?`}`, `--by 应为以下之一：${groupings.map((g) => `"${g}"`).join('、')}（而不是 "${o.by}"）${guess === undefined ? '' : `，是不是要用 --by ${guess}？`}`);
  }
  const by = o.by as GroupBy;
  const proj = openProjection(o.database);
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
          throw new UsageError('report: --xlsx writes a binary file; redirect it, e.g. hallq report … --xlsx > report.xlsx', '--xlsx 输出的是二进制文件，请重定向到文件，例如 hallq report … --xlsx > report.xlsx');
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
