import { countReason, tallyTicket, type TicketTally } from './tally.js';
import type Database from 'better-sqlite3';
import { dayStart, type ReportLabels } from './projection.js';
import { rejectionMessages } from '../core/rejections.js';
import { refreshRollups, type RollupGroup, unblob } from './rollup.js';

/** How the rows of a report are split. */
export const groupings = ['service', 'window', 'staff', 'hour', 'day'] as const;
export type GroupBy = (typeof groupings)[number];

/**
 * One row of a report: a service, window, staff member, hour of day, day, or the whole hall.
 * Times in minutes (floats, unrounded), rates as shares 0..1 (null when there is nothing to divide by).
 *
 * Attribution: tickets count on their day and hour of issue and at the window/staff of their last call;
 * wait is issue → first call over the called tickets; service time is over served tickets (a transferred
 * ticket's time at both windows). Window time (open, paused, busy, signed-in) is cut at day and hour
 * boundaries and counted where it fell; service rows have no window time (null utilisation).
 * Ratings count on the day and hour they were given.
 */
export interface ReportRow {
  key: string;
  label: string;
  issued: number;
  /** Completed tickets only (ServiceCompleted); a ticket being called or served is not served. */
  served: number;
  noShow: number;
  cancelled: number;
  voided: number;
  /** Still waiting when the day ended (DayStarted expired them). */
  expired: number;
  /** Neither finished nor expired yet (today's waiting and called tickets). */
  open: number;
  /**
   * Refused tickets (issue refusals: quota reached, outside hours, per-ID limits …); hall, day and hour rows
   * only: null in service, window and staff rows (the log keeps the refusal, not the service asked for: a 0
   * there would say no one was refused).
   */
  refused: number | null;
  called: number;
  waitMeanMin: number | null;
  waitP50Min: number | null;
  waitP90Min: number | null;
  waitMaxMin: number | null;
  serviceMeanMin: number | null;
  serviceP90Min: number | null;
  openMin: number;
  pausedMin: number;
  pausedByReason: Record<string, number>;
  busyMin: number;
  /** busy / (open − paused). */
  utilisation: number | null;
  /** Ratings per grade: [非常满意, 满意, 基本满意, 不满意, 非常不满意]. */
  grades: [number, number, number, number, number];
  rated: number;
  /** 满意率: (非常满意 + 满意 + 基本满意) / rated. */
  satisfaction: number | null;
  /** 差评: 不满意 + 非常不满意. */
  bad: number;
  badFollowedUp: number;
  followUpRate: number | null;
  replyRate: number | null;
  rectificationRate: number | null;
  untrueRate: number | null;
  /** Mean time from a bad rating to its first follow-up record, over the followed-up ones. */
  followUpMeanHours: number | null;
  followUpMaxHours: number | null;
  /** Attendance: time signed in (StaffSignedIn → StaffSignedOut). */
  signedInMin: number;
  /** AB takeovers: at a window row, takeovers of it; at a staff row, the takeovers that person made. */
  takeovers: number;
}

export interface Report {
  from: string;
  to: string;
  hall: string;
  /** The last event seq the figures include. */
  seq: number;
  generatedAt: number;
  total: ReportRow;
  groups: Record<GroupBy, ReportRow[]>;
  refusedByReason: Record<string, number>;
  /** Each refusal code of refusedByReason as staff read it: "暂无窗口办理该业务 No window handles this service". */
  refusedReasonNames: Record<string, string>;
  cancelledByReason: Record<string, number>;
  voidedByReason: Record<string, number>;
}

/** Nearest-rank quantile (the q·n-th smallest, rounded up) of an ascending sorted array; exact, no interpolation. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const i = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[i] ?? 0;
}

/**
 * The same value as nearestRank(sorted copy of xs, q), found by selection (three-way quickselect, O(n))
 * instead of sorting; reorders xs in place.
 */
export function selectNearestRank(xs: Float64Array, q: number): number {
  const n = xs.length;
  const k = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const a = xs[lo] as number;
    const b = xs[(lo + hi) >>> 1] as number;
    const c = xs[hi] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Dutch flag: [lo, lt) < pivot, [lt, i) = pivot, (gt, hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const x = xs[i] as number;
      if (x < pivot) {
        xs[i] = xs[lt] as number;
        xs[lt++] = x;
        i++;
      } else if (x > pivot) {
        xs[i] = xs[gt] as number;
        xs[gt--] = x;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return xs[k] ?? 0;
}

const MIN = 60_000;
const HOUR = 3_600_000;

class Acc implements TicketTally {
  issued = 0;
  served = 0;
  noShow = 0;
  cancelled = 0;
  voided = 0;
  expired = 0;
  open = 0;
  refused = 0;
  waits: number[] = [];
  services: number[] = [];
  /** Whole days' waits and service times from report_rollup. */
  waitChunks: Float64Array[] = [];
  serviceChunks: Float64Array[] = [];
  openMs = 0;
  pausedMs = 0;
  pausedBy: Record<string, number> = {};
  busyMs = 0;
  signedMs = 0;
  takeovers = 0;
  grades: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  bad = 0;
  badFollowed = 0;
  replied = 0;
  rectified = 0;
  untrue = 0;
  followN = 0;
  followSum = 0;
  followMax = -Infinity;
  constructor(readonly key: string) {}

  row(label: string, hasWindowTime: boolean, hasRefusals = true): ReportRow {
    // Selection, not a sort: the same nearest-rank values; sums of whole ms are exact in any order.
    const w = joined(this.waits, this.waitChunks);
    const sv = joined(this.services, this.serviceChunks);
    let wMax = -Infinity;
    for (let i = 0; i < w.length; i++) wMax = Math.max(wMax, w[i] as number);
    const rated = this.grades.reduce((a, b) => a + b, 0);
    const avail = this.openMs - this.pausedMs;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    const sum = (xs: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < xs.length; i++) s += xs[i] ?? 0;
      return s;
    };
    return {
      key: this.key,
      label,
      issued: this.issued,
      served: this.served,
      noShow: this.noShow,
      cancelled: this.cancelled,
      voided: this.voided,
      expired: this.expired,
      open: this.open,
      refused: hasRefusals ? this.refused : null,
      called: w.length,
      waitMeanMin: w.length ? sum(w) / w.length / MIN : null,
      waitP50Min: w.length ? selectNearestRank(w, 0.5) / MIN : null,
      waitP90Min: w.length ? selectNearestRank(w, 0.9) / MIN : null,
      waitMaxMin: w.length ? wMax / MIN : null,
      serviceMeanMin: sv.length ? sum(sv) / sv.length / MIN : null,
      serviceP90Min: sv.length ? selectNearestRank(sv, 0.9) / MIN : null,
      openMin: this.openMs / MIN,
      pausedMin: this.pausedMs / MIN,
      pausedByReason: Object.fromEntries(Object.entries(this.pausedBy).map(([k, v]) => [k, v / MIN])),
      busyMin: this.busyMs / MIN,
      utilisation: hasWindowTime ? ratio(this.busyMs, avail) : null,
      grades: this.grades,
      rated,
      satisfaction: ratio(this.grades[0] + this.grades[1] + this.grades[2], rated),
      bad: this.bad,
      badFollowedUp: this.badFollowed,
      followUpRate: ratio(this.badFollowed, this.bad),
      replyRate: ratio(this.replied, this.bad),
      rectificationRate: ratio(this.rectified, this.bad),
      untrueRate: ratio(this.untrue, this.bad),
      followUpMeanHours: this.followN ? this.followSum / this.followN / HOUR : null,
      followUpMaxHours: this.followN ? this.followMax / HOUR : null,
      signedInMin: this.signedMs / MIN,
      takeovers: this.takeovers,
    };
  }
}

/** The values of `xs` and of every chunk in one array. */
function joined(xs: number[], chunks: Float64Array[]): Float64Array {
  let n = xs.length;
  for (const c of chunks) n += c.length;
  const out = new Float64Array(n);
  out.set(xs);
  let at = xs.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

class Groups {
  readonly m = new Map<string, Acc>();
  get(key: string): Acc {
    let a = this.m.get(key);
    if (a === undefined) {
      a = new Acc(key);
      this.m.set(key, a);
    }
    return a;
  }
}

type RollupRow = [
  string, RollupGroup, string, number, number, number, number, number, number, number, Buffer | null, Buffer | null,
  number, number, number, number, number, number, number, number, number, number, number, number | null, string | null, string | null,
];

/** Adds the per-day rollups of from..to (refreshed first where a late event touched a day) to the accumulators. */
function readRollups(db: Database.Database, off: number, from: string, to: string, total: Acc, g: Record<GroupBy, Groups>, cancelledBy: Record<string, number>, voidedBy: Record<string, number>): void {
  refreshRollups(db, off, from, to);
  const rows = db.prepare('SELECT * FROM report_rollup WHERE day BETWEEN ? AND ?').raw().iterate(from, to) as IterableIterator<RollupRow>;
  const merge = (into: Record<string, number>, json: string | null) => {
    if (json === null) return;
    for (const [k, v] of Object.entries(JSON.parse(json) as Record<string, number>)) into[k] = (into[k] ?? 0) + v;
  };
  for (const r of rows) {
    const [day, grp, key, issued, served, noShow, cancelled, voided, expired, open, waits, services, g1, g2, g3, g4, g5, bad, badFollowed, replied, rectified, untrue, followSum, followMax, cBy, vBy] = r;
    const accs = grp === 'hall' ? [total, g.day.get(day)] : [g[grp].get(key)];
    const w = unblob(waits);
    const sv = unblob(services);
    for (const a of accs) {
      a.issued += issued;
      a.served += served;
      a.noShow += noShow;
      a.cancelled += cancelled;
      a.voided += voided;
      a.expired += expired;
      a.open += open;
      if (w.length) a.waitChunks.push(w);
      if (sv.length) a.serviceChunks.push(sv);
      a.grades[0] += g1;
      a.grades[1] += g2;
      a.grades[2] += g3;
      a.grades[3] += g4;
      a.grades[4] += g5;
      a.bad += bad;
      a.badFollowed += badFollowed;
      a.replied += replied;
      a.rectified += rectified;
      a.untrue += untrue;
      a.followN += badFollowed;
      a.followSum += followSum;
      if (followMax !== null) a.followMax = Math.max(a.followMax, followMax);
    }
    if (grp === 'hall') {
      merge(cancelledBy, cBy);
      merge(voidedBy, vBy);
    }
  }
  const spans = db.prepare('SELECT * FROM report_rollup_spans WHERE day BETWEEN ? AND ?').raw().iterate(from, to) as IterableIterator<[string, RollupGroup, string, number, number, number, number, string | null]>;
  for (const [day, grp, key, openMs, pausedMs, busyMs, signedMs, pausedBy] of spans) {
    const accs = grp === 'hall' ? [total, g.day.get(day)] : [g[grp].get(key)];
    const by = pausedBy === null ? {} : (JSON.parse(pausedBy) as Record<string, number>);
    for (const a of accs) {
      a.openMs += openMs;
      a.pausedMs += pausedMs;
      a.busyMs += busyMs;
      a.signedMs += signedMs;
      for (const [r, ms] of Object.entries(by)) a.pausedBy[r] = (a.pausedBy[r] ?? 0) + ms;
    }
  }
}

/** YYYY-MM-DD, checked. */
/** Longest range one report may cover, days (the API and `hallq report` alike; a report over it stays fast, scripts/bench/reports.ts). */
export const MAX_REPORT_DAYS = 800;

/** Whole days from `from` to `to` (both valid days). */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

/** The day after `day`. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Longest span the window-time query looks back for (a span is cut at midnight; sessions last hours). */
const SPAN_LOOKBACK_MS = 7 * 86_400_000;

/**
 * The report for local days from..to (inclusive) read from the projection tables (call catchUp first).
 * `now` closes spans still running (an open window today). Tickets and ratings come from the per-day
 * rollups (src/reports/rollup.ts; dirty days in the range are recomputed first, so this writes), or with
 * `opts.rows` from the per-ticket and per-rating rows (the same figures, slower; the tests compare them).
 * Spans, takeovers and refusals are read row by row. No scan of the event log.
 */
export function buildReport(
  db: Database.Database,
  labels: ReportLabels,
  seq: number,
  from: string,
  to: string,
  now: number,
  timings?: Record<string, number>,
  opts: { rows?: boolean } = {},
): Report {
  const off = labels.utcOffsetMinutes;
  let t0 = performance.now();
  const mark = (what: string) => {
    if (!timings) return;
    const t = performance.now();
    timings[what] = (timings[what] ?? 0) + t - t0;
    t0 = t;
  };
  const total = new Acc('hall');
  const g: Record<GroupBy, Groups> = { service: new Groups(), window: new Groups(), staff: new Groups(), hour: new Groups(), day: new Groups() };
  const cancelledBy: Record<string, number> = {};
  const voidedBy: Record<string, number> = {};
  const refusedBy: Record<string, number> = {};

  if (!opts.rows) readRollups(db, off, from, to, total, g, cancelledBy, voidedBy);
  const tickets = opts.rows ? db
    .prepare('SELECT service_id, window, staff_id, hour, day, outcome, wait_ms, service_ms, reason FROM report_tickets WHERE day BETWEEN ? AND ?')
    .raw()
    .all(from, to) as [string, number | null, string | null, number, string, string, number | null, number, string | null][] : [];
  for (const [service, window, staff, hour, day, outcome, wait, serviceMs, reason] of tickets) {
    const accs = [total, g.service.get(service), g.hour.get(String(hour)), g.day.get(day)];
    if (window !== null) accs.push(g.window.get(String(window)));
    if (staff !== null) accs.push(g.staff.get(staff));
    for (const a of accs) tallyTicket(a, outcome, wait, serviceMs);
    if (outcome === 'cancelled') countReason(cancelledBy, reason);
    if (outcome === 'voided') countReason(voidedBy, reason);
  }

  const fromMs = dayStart(from, off);
  const toMs = dayStart(nextDay(to), off);
  const spans = db
    .prepare(`SELECT kind, window, staff_id, reason, start_at, coalesce(end_at, @now) FROM report_spans WHERE ${opts.rows ? '' : 'end_at IS NULL AND '}start_at >= @lookback AND start_at < @to AND coalesce(end_at, @now) > @from`)
    .raw()
    .all({ now, lookback: fromMs - SPAN_LOOKBACK_MS, to: toMs, from: fromMs }) as [string, number | null, string | null, string | null, number, number][];
  const offMs = off * MIN;
  const dayNames = new Map<number, string>();
  const dayName = (index: number): string => {
    let d = dayNames.get(index);
    if (d === undefined) {
      d = new Date(index * 86_400_000).toISOString().slice(0, 10);
      dayNames.set(index, d);
    }
    return d;
  };
  mark('tickets');
  for (const [kind, window, staff, reason, start, end] of spans) {
    let a = Math.max(start, fromMs);
    const b = Math.min(end, toMs);
    while (a < b) {
      // Cut at the next local hour boundary.
      const next = Math.min(b, Math.floor((a + offMs) / HOUR) * HOUR + HOUR - offMs);
      const ms = next - a;
      const local = a + offMs;
      const day = dayName(Math.floor(local / 86_400_000));
      const hour = Math.floor((local % 86_400_000) / HOUR);
      const accs = [total, g.day.get(day), g.hour.get(String(hour))];
      if (window !== null && kind !== 'signed-in') accs.push(g.window.get(String(window)));
      if (staff !== null) accs.push(g.staff.get(staff));
      for (const x of accs) {
        if (kind === 'open') x.openMs += ms;
        else if (kind === 'paused') {
          x.pausedMs += ms;
          const r = reason ?? '';
          x.pausedBy[r] = (x.pausedBy[r] ?? 0) + ms;
        } else if (kind === 'busy') x.busyMs += ms;
        else if (kind === 'signed-in') x.signedMs += ms;
      }
      a = next;
    }
  }

  mark('spans');
  const takeovers = db.prepare('SELECT window, staff_id, day FROM report_takeovers WHERE day BETWEEN ? AND ?').raw().all(from, to) as [number, string, string][];
  for (const [window, staff, day] of takeovers) {
    for (const x of [total, g.window.get(String(window)), g.staff.get(staff), g.day.get(day)]) x.takeovers++;
  }

  const ratings = opts.rows ? db
    .prepare('SELECT day, hour, service_id, window, staff_id, grade, at, followed_at, replied, rectified, untrue FROM report_ratings WHERE day BETWEEN ? AND ?')
    .raw()
    .all(from, to) as [string, number, string, number, string | null, number, number, number | null, number, number, number][] : [];
  for (const [day, hour, service, window, staff, grade, at, followedAt, replied, rectified, untrue] of ratings) {
    const accs = [total, g.day.get(day), g.hour.get(String(hour)), g.service.get(service), g.window.get(String(window))];
    if (staff !== null) accs.push(g.staff.get(staff));
    const bad = grade >= 4;
    for (const x of accs) {
      x.grades[grade - 1] = (x.grades[grade - 1] ?? 0) + 1;
      if (!bad) continue;
      x.bad++;
      x.replied += replied;
      x.rectified += rectified;
      x.untrue += untrue;
      if (followedAt !== null) {
        x.badFollowed++;
        x.followN++;
        x.followSum += followedAt - at;
        x.followMax = Math.max(x.followMax, followedAt - at);
      }
    }
  }

  mark('ratings');
  const refusals = db.prepare('SELECT day, hour, code FROM report_refusals WHERE day BETWEEN ? AND ?').raw().all(from, to) as [string, number, string][];
  for (const [day, hour, code] of refusals) {
    for (const x of [total, g.day.get(day), g.hour.get(String(hour))]) x.refused++;
    refusedBy[code] = (refusedBy[code] ?? 0) + 1;
  }

  const label = (by: GroupBy, key: string): string => {
    switch (by) {
      case 'service':
        return labels.services[key] ?? key;
      case 'window':
        return labels.windows[key] ?? `${key}号窗口`;
      case 'staff':
        return labels.staff[key] ?? key;
      case 'hour':
        return `${key.padStart(2, '0')}:00–${String(Number(key) + 1).padStart(2, '0')}:00`;
      case 'day':
        return key;
    }
  };
  const order = (by: GroupBy) => (a: Acc, b: Acc) => (by === 'window' || by === 'hour' ? Number(a.key) - Number(b.key) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const rows = (by: GroupBy) => [...g[by].m.values()].sort(order(by)).map((a) => a.row(label(by, a.key), by !== 'service', by === 'day' || by === 'hour'));
  const out: Report = {
    from,
    to,
    hall: labels.hall,
    seq,
    generatedAt: now,
    total: total.row('全厅', true),
    groups: { service: rows('service'), window: rows('window'), staff: rows('staff'), hour: rows('hour'), day: rows('day') },
    refusedByReason: refusedBy,
    refusedReasonNames: Object.fromEntries(Object.keys(refusedBy).map((code) => [code, reasonName(code)])),
    cancelledByReason: cancelledBy,
    voidedByReason: voidedBy,
  };
  mark('rows');
  return out;
}

/** A refusal code in the words staff read (src/core/rejections.ts), the code itself when it has none. */
function reasonName(code: string): string {
  const m = (rejectionMessages as Record<string, { zh: string; en: string } | undefined>)[code];
  return m ? `${m.zh} ${m.en}` : code;
}
