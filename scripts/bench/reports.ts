/**
 * Reports over a year of a busy hall (issue 11: ≈ 300,000 tickets must report in under a second).
 *
 * A few days of the demo hall are simulated on the real core (src/sim, with ratings, follow-ups, pauses,
 * attendance and takeovers woven in: test/reports/month.ts), then tiled over a year of hall days (Mon–Sat),
 * each day twice (the second copy a second wing: windows +100, its own ticket and rating ids), into a real
 * event log file. The projection is folded from it once (the rebuild time is printed, per-day rollups
 * included), then timed:
 *  - the report for the whole year, a month and a day from the projection tables (buildReport), and the
 *    year again from the per-ticket rows ({ rows: true }, the path before the rollups);
 *  - the baseline: a full scan of the event log (EventLog.iterate, decoding every event), which is what
 *    any report computed from the log alone must at least pay.
 * Min and median over repeats, and the ratio scan / report.
 *
 *   npx tsx scripts/bench/reports.ts [--days N] [--repeats N]     (alone)
 *   benchReports(say) from scripts/bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { HallEvent } from '../../src/core/index.js';
import { dayStart, localDayHour, ReportProjection } from '../../src/reports/projection.js';
import { buildReport } from '../../src/reports/query.js';
import { EventLog } from '../../src/store/index.js';
import { simulatedEvents } from '../../test/reports/month.js';

const OFF = 480;
const TIME_KEYS = new Set(['at', 'issuedAt', 'queuedAt', 'calledAt', 'startedAt', 'finishedAt', 'slotStart', 'slotEnd']);
const ID_KEYS = new Set(['ticketId', 'ratingId', 'appointmentId']);

/** A copy of `e` moved by `shift` ms, its ids prefixed, its windows moved by `windowShift`. */
function moved(e: unknown, shift: number, prefix: string, day: string, windowShift: number, key = ''): unknown {
  if (Array.isArray(e)) return e.map((x) => moved(x, shift, prefix, day, windowShift, key === 'expired' ? 'ticketId' : key === 'windows' ? 'window' : ''));
  if (typeof e === 'number') return TIME_KEYS.has(key) ? e + shift : key === 'window' ? e + windowShift : e;
  if (typeof e === 'string') return ID_KEYS.has(key) || key === 'id' ? `${prefix}${e}` : key === 'day' ? day : e;
  if (e === null || typeof e !== 'object') return e;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = k === 'config' ? v : moved(v, shift, prefix, day, windowShift, k);
  return out;
}

/** Hall days (Mon–Sat) from `start`, `n` of them. */
function hallDays(start: string, n: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); out.length < n; t += 86_400_000) if (new Date(t).getUTCDay() !== 0) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export async function benchReports(say: (s: string) => void, opts: { simDays?: number; yearDays?: number; repeats?: number } = {}): Promise<void> {
  const simDays = opts.simDays ?? 4;
  // 205 hall days of two wings of the demo hall ≈ 300,000 tickets, the issue's busy year.
  const yearDays = opts.yearDays ?? 205;
  const repeats = opts.repeats ?? 7;
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-reports-'));
  try {
    const src = simulatedEvents({ days: simDays, seed: 20261130, startDay: '2025-01-06' });
    const config = src.find((e) => e.type === 'HallConfigured') as HallEvent;
    const byDay = new Map<string, HallEvent[]>();
    for (const e of src) {
      if (e.type === 'HallConfigured') continue;
      const d = localDayHour(e.at, OFF).day;
      byDay.set(d, [...(byDay.get(d) ?? []), e]);
    }
    // Hall days only (a day that holds only late follow-ups is not one).
    const srcDays = [...byDay.keys()].filter((d) => byDay.get(d)?.some((e) => e.type === 'DayStarted')).sort();
    const log = EventLog.open<HallEvent>(join(dir, 'hall.db'));
    let seq = 0;
    const write = (batch: HallEvent[]) => log.append(batch);
    write([{ ...config, seq: ++seq, commandId: `c${seq}` }]);
    let tickets = 0;
    const days = hallDays('2025-01-06', yearDays);
    for (const [k, day] of days.entries()) {
      const from = srcDays[k % srcDays.length] as string;
      const shift = dayStart(day, OFF) - dayStart(from, OFF);
      for (const copy of [0, 1]) {
        const batch: HallEvent[] = [];
        for (const e of byDay.get(from) ?? []) {
          const m = moved(e, shift, `${day}/${copy}/`, day, copy * 100) as HallEvent;
          if (copy === 1 && m.type === 'DayStarted') continue;
          if (m.type === 'TicketIssued') tickets++;
          batch.push({ ...m, seq: ++seq, commandId: `c${seq}` });
        }
        // Interleave the wings by time, as one hall's log would be.
        write(batch);
      }
    }
    log.close();
    say(`reports: a year of events: ${days.length} hall days, ${tickets} tickets, ${seq} events (from ${srcDays.length} simulated days, tiled, two wings)`);

    const proj = ReportProjection.open(join(dir, 'hall.db'));
    let t = performance.now();
    proj.rebuild();
    say(`reports: projection folded from the whole log in ${((performance.now() - t) / 1000).toFixed(1)} s (once; afterwards each append folds only its own events)`);

    const time = (fn: () => void) => {
      const xs: number[] = [];
      for (let i = 0; i < repeats; i++) {
        t = performance.now();
        fn();
        xs.push(performance.now() - t);
      }
      xs.sort((a, b) => a - b);
      return { min: xs[0] ?? 0, median: xs[Math.floor(xs.length / 2)] ?? 0 };
    };
    const first = days[0] as string;
    const last = days.at(-1) as string;
    const now = dayStart(last, OFF) + 86_400_000;
    let issued = 0;
    const parts: Record<string, number> = {};
    const year = time(() => {
      issued = buildReport(proj.db, proj.labels, proj.lastSeq(), first, last, now, parts).total.issued;
    });
    if (issued !== tickets) throw new Error(`bench: the year's report counts ${issued} tickets, the log has ${tickets}`);
    // The same report the way it was read before the rollups: one row per ticket and rating.
    const yearRows = time(() => buildReport(proj.db, proj.labels, proj.lastSeq(), first, last, now, undefined, { rows: true }));
    const month = time(() => buildReport(proj.db, proj.labels, proj.lastSeq(), days[Math.max(0, days.length - 26)] as string, last, now));
    const oneDay = time(() => buildReport(proj.db, proj.labels, proj.lastSeq(), last, last, now));
    proj.close();
    const reader = EventLog.open<HallEvent>(join(dir, 'hall.db'), { readonly: true });
    let scanned = 0;
    const scan = time(() => {
      scanned = 0;
      for (const e of reader.iterate()) if (e.type === 'TicketIssued') scanned++;
    });
    reader.close();
    const ms = (x: { min: number; median: number }) => `min ${x.min.toFixed(0)} ms, median ${x.median.toFixed(0)} ms`;
    say(`reports: year (${tickets} tickets, every grouping): ${ms(year)} (goal < 1000 ms; mean parts: ${Object.entries(parts).map(([k, v]) => `${k} ${(v / repeats).toFixed(0)}`).join(', ')} ms); month: ${ms(month)}; day: ${ms(oneDay)}`);
    say(`reports: year from the per-ticket rows instead of the per-day rollups: ${ms(yearRows)} → rollups ${(yearRows.min / year.min).toFixed(1)}× faster (min)`);
    say(`reports: full log scan (${seq} events decoded, ${scanned} tickets counted): ${ms(scan)} → scan / year report ${(scan.min / year.min).toFixed(1)}× (min), ${(scan.median / year.median).toFixed(1)}× (median)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { days: { type: 'string' }, 'year-days': { type: 'string' }, repeats: { type: 'string' } } });
  await benchReports((s) => console.log(s), {
    ...(values.days ? { simDays: Number(values.days) } : {}),
    ...(values['year-days'] ? { yearDays: Number(values['year-days']) } : {}),
    ...(values.repeats ? { repeats: Number(values.repeats) } : {}),
  });
}
