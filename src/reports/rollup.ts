import { countReason, tallyTicket, type TicketTally } from './tally.js';
import type Database from 'better-sqlite3';

/**
 * Per-day rollups of the ticket and rating rows (issue 11: a year of a busy hall reports in under a second).
 *
 * One row per (local day, grouping, key): grp is 'hall' (key '') or service / window / staff / hour, as
 * buildReport groups tickets and ratings. Counts and sums are plain columns. Percentiles stay exact: the
 * row keeps the day's waits and service times themselves (epoch-ms differences, as report_tickets holds
 * them) as a Float64 blob, so a report over many days concatenates blobs and sorts once instead of reading
 * one row per ticket. Same multiset, same sort: the figures are identical to the row path's.
 *
 * Window time: report_rollup_spans holds, per day and grouping, the time of closed spans cut at local hour
 * and day boundaries exactly as buildReport cuts them (integer ms, so sums are exact); spans still open end
 * at "now" and are read row by row at report time.
 *
 * Kept current by triggers: any insert, update or delete of a report_tickets, report_ratings or closed
 * report_spans row marks
 * its day in report_rollup_dirty (a late event — a follow-up weeks later — marks the old day). Dirty days
 * are recomputed from their rows by refreshRollups, called by buildReport for its range and after a
 * rebuild. The tables are part of the report projection (PROJECTION_VERSION): dropped and rebuilt with it.
 */
export const ROLLUP_TABLES = `
  CREATE TABLE IF NOT EXISTS report_rollup (
    day TEXT NOT NULL, grp TEXT NOT NULL, key TEXT NOT NULL,
    issued INTEGER NOT NULL, served INTEGER NOT NULL, no_show INTEGER NOT NULL, cancelled INTEGER NOT NULL,
    voided INTEGER NOT NULL, expired INTEGER NOT NULL, open INTEGER NOT NULL,
    waits BLOB, services BLOB,                 -- Float64Array bytes, ms, unsorted
    g1 INTEGER NOT NULL, g2 INTEGER NOT NULL, g3 INTEGER NOT NULL, g4 INTEGER NOT NULL, g5 INTEGER NOT NULL,
    bad INTEGER NOT NULL, bad_followed INTEGER NOT NULL, replied INTEGER NOT NULL, rectified INTEGER NOT NULL,
    untrue INTEGER NOT NULL, follow_sum REAL NOT NULL, follow_max REAL,
    cancelled_by TEXT, voided_by TEXT,         -- JSON {reason: count}, hall rows only
    PRIMARY KEY (day, grp, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS report_rollup_dirty (day TEXT PRIMARY KEY) WITHOUT ROWID;
  -- Window time of closed spans, cut at local hour and day boundaries as buildReport cuts them, summed per
  -- day; spans still open are read row by row at report time (they end at "now").
  CREATE TABLE IF NOT EXISTS report_rollup_spans (
    day TEXT NOT NULL, grp TEXT NOT NULL, key TEXT NOT NULL,
    open_ms INTEGER NOT NULL, paused_ms INTEGER NOT NULL, busy_ms INTEGER NOT NULL, signed_ms INTEGER NOT NULL,
    paused_by TEXT,                            -- JSON {reason: ms}
    PRIMARY KEY (day, grp, key)
  ) WITHOUT ROWID;
  -- 0..999: the days a closed span touches are marked from a trigger, which cannot use a recursive CTE.
  CREATE TABLE IF NOT EXISTS report_rollup_n (n INTEGER PRIMARY KEY);
  INSERT OR IGNORE INTO report_rollup_n (n) WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < 999) SELECT n FROM c;
  -- UTC days from the day before the start to the day after the end: a superset of the local days at any offset.
  CREATE TRIGGER IF NOT EXISTS report_spans_rollup_ins AFTER INSERT ON report_spans WHEN NEW.end_at IS NOT NULL BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) SELECT date(NEW.start_at / 1000 + (n - 1) * 86400, 'unixepoch') FROM report_rollup_n
    WHERE n <= (NEW.end_at - NEW.start_at) / 86400000 + 3; END;
  CREATE TRIGGER IF NOT EXISTS report_spans_rollup_upd AFTER UPDATE ON report_spans WHEN NEW.end_at IS NOT NULL OR OLD.end_at IS NOT NULL BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) SELECT date(OLD.start_at / 1000 + (n - 1) * 86400, 'unixepoch') FROM report_rollup_n
    WHERE n <= (coalesce(OLD.end_at, OLD.start_at) - OLD.start_at) / 86400000 + 3;
    INSERT OR IGNORE INTO report_rollup_dirty (day) SELECT date(NEW.start_at / 1000 + (n - 1) * 86400, 'unixepoch') FROM report_rollup_n
    WHERE n <= (coalesce(NEW.end_at, NEW.start_at) - NEW.start_at) / 86400000 + 3; END;
  CREATE TRIGGER IF NOT EXISTS report_spans_rollup_del AFTER DELETE ON report_spans WHEN OLD.end_at IS NOT NULL BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) SELECT date(OLD.start_at / 1000 + (n - 1) * 86400, 'unixepoch') FROM report_rollup_n
    WHERE n <= (OLD.end_at - OLD.start_at) / 86400000 + 3; END;
  CREATE TRIGGER IF NOT EXISTS report_tickets_rollup_replace BEFORE INSERT ON report_tickets BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) SELECT day FROM report_tickets WHERE ticket_id = NEW.ticket_id; END;
  CREATE TRIGGER IF NOT EXISTS report_tickets_rollup_ins AFTER INSERT ON report_tickets BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) VALUES (NEW.day); END;
  CREATE TRIGGER IF NOT EXISTS report_tickets_rollup_upd AFTER UPDATE ON report_tickets BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) VALUES (OLD.day), (NEW.day); END;
  CREATE TRIGGER IF NOT EXISTS report_tickets_rollup_del AFTER DELETE ON report_tickets BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) VALUES (OLD.day); END;
  CREATE TRIGGER IF NOT EXISTS report_ratings_rollup_replace BEFORE INSERT ON report_ratings BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) SELECT day FROM report_ratings WHERE rating_id = NEW.rating_id; END;
  CREATE TRIGGER IF NOT EXISTS report_ratings_rollup_ins AFTER INSERT ON report_ratings BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) VALUES (NEW.day); END;
  CREATE TRIGGER IF NOT EXISTS report_ratings_rollup_upd AFTER UPDATE ON report_ratings BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) VALUES (OLD.day), (NEW.day); END;
  CREATE TRIGGER IF NOT EXISTS report_ratings_rollup_del AFTER DELETE ON report_ratings BEGIN
    INSERT OR IGNORE INTO report_rollup_dirty (day) VALUES (OLD.day); END;
`;
export const ROLLUP_DROP = 'DROP TABLE IF EXISTS report_rollup; DROP TABLE IF EXISTS report_rollup_dirty; DROP TABLE IF EXISTS report_rollup_spans; DROP TABLE IF EXISTS report_rollup_n;';

/** The groupings a rollup row can belong to ('hall' feeds both the whole hall and the day rows). */
export type RollupGroup = 'hall' | 'service' | 'window' | 'staff' | 'hour';

class Part implements TicketTally {
  issued = 0;
  served = 0;
  noShow = 0;
  cancelled = 0;
  voided = 0;
  expired = 0;
  open = 0;
  waits: number[] = [];
  services: number[] = [];
  grades = [0, 0, 0, 0, 0];
  bad = 0;
  badFollowed = 0;
  replied = 0;
  rectified = 0;
  untrue = 0;
  followSum = 0;
  followMax: number | null = null;
  cancelledBy: Record<string, number> | null = null;
  voidedBy: Record<string, number> | null = null;
}

const blob = (xs: number[]): Buffer | null => (xs.length ? Buffer.from(Float64Array.from(xs).buffer) : null);

/** A rollup blob back as numbers (copied: SQLite's buffer need not be 8-byte aligned). */
export function unblob(b: Buffer | null): Float64Array {
  if (b === null || b.length === 0) return new Float64Array(0);
  return new Float64Array(new Uint8Array(b).buffer);
}

/**
 * Recomputes the dirty days between from and to (YYYY-MM-DD, inclusive; every dirty day when omitted) from
 * report_tickets and report_ratings, in one IMMEDIATE transaction (a server folding events meanwhile waits).
 * Returns how many days it recomputed.
 */
export function refreshRollups(db: Database.Database, offsetMinutes: number, from = '0000-00-00', to = '9999-99-99'): number {
  const tx = db.transaction((): number => {
    // Span time is cut at local midnight: a new UTC offset moves it, so every day with span time (and its
    // neighbours) is recomputed.
    const was = db.prepare("SELECT value FROM report_meta WHERE key = 'rollup_offset'").pluck().get() as string | undefined;
    if (was !== String(offsetMinutes)) {
      db.exec(`INSERT OR IGNORE INTO report_rollup_dirty (day) SELECT date(day, d) FROM report_rollup_spans, (SELECT '-1 day' AS d UNION ALL SELECT '+0 day' UNION ALL SELECT '+1 day')`);
      db.prepare("INSERT OR REPLACE INTO report_meta (key, value) VALUES ('rollup_offset', ?)").run(String(offsetMinutes));
    }
    const days = (db.prepare('SELECT day FROM report_rollup_dirty WHERE day BETWEEN ? AND ?').pluck().all(from, to) as string[]);
    if (days.length === 0) return 0;
    const parts = new Map<string, Part>();
    const part = (day: string, grp: RollupGroup, key: string): Part => {
      const k = `${day}\u0000${grp}\u0000${key}`;
      let p = parts.get(k);
      if (p === undefined) {
        p = new Part();
        parts.set(k, p);
      }
      return p;
    };
    const inDirty = 'day IN (SELECT day FROM report_rollup_dirty WHERE day BETWEEN ? AND ?)';
    const tickets = db
      .prepare(`SELECT service_id, window, staff_id, hour, day, outcome, wait_ms, service_ms, reason FROM report_tickets WHERE ${inDirty}`)
      .raw()
      .iterate(from, to) as IterableIterator<[string, number | null, string | null, number, string, string, number | null, number, string | null]>;
    for (const [service, window, staff, hour, day, outcome, wait, serviceMs, reason] of tickets) {
      const hall = part(day, 'hall', '');
      const ps = [hall, part(day, 'service', service), part(day, 'hour', String(hour))];
      if (window !== null) ps.push(part(day, 'window', String(window)));
      if (staff !== null) ps.push(part(day, 'staff', staff));
      for (const p of ps) tallyTicket(p, outcome, wait, serviceMs);
      if (outcome === 'cancelled') countReason((hall.cancelledBy ??= {}), reason);
      if (outcome === 'voided') countReason((hall.voidedBy ??= {}), reason);
    }
    const ratings = db
      .prepare(`SELECT day, hour, service_id, window, staff_id, grade, at, followed_at, replied, rectified, untrue FROM report_ratings WHERE ${inDirty}`)
      .raw()
      .iterate(from, to) as IterableIterator<[string, number, string, number, string | null, number, number, number | null, number, number, number]>;
    for (const [day, hour, service, window, staff, grade, at, followedAt, replied, rectified, untrue] of ratings) {
      const ps = [part(day, 'hall', ''), part(day, 'hour', String(hour)), part(day, 'service', service), part(day, 'window', String(window))];
      if (staff !== null) ps.push(part(day, 'staff', staff));
      for (const p of ps) {
        p.grades[grade - 1] = (p.grades[grade - 1] ?? 0) + 1;
        if (grade < 4) continue;
        p.bad++;
        p.replied += replied;
        p.rectified += rectified;
        p.untrue += untrue;
        if (followedAt !== null) {
          p.badFollowed++;
          const d = followedAt - at;
          p.followSum += d;
          p.followMax = p.followMax === null ? d : Math.max(p.followMax, d);
        }
      }
    }
    const del = db.prepare('DELETE FROM report_rollup WHERE day = ?');
    for (const d of days) del.run(d);
    const ins = db.prepare(
      'INSERT INTO report_rollup VALUES (@day, @grp, @key, @issued, @served, @noShow, @cancelled, @voided, @expired, @open, @waits, @services, @g1, @g2, @g3, @g4, @g5, @bad, @badFollowed, @replied, @rectified, @untrue, @followSum, @followMax, @cancelledBy, @voidedBy)',
    );
    for (const [k, p] of parts) {
      const [day, grp, key] = k.split('\u0000');
      ins.run({
        day,
        grp,
        key,
        issued: p.issued,
        served: p.served,
        noShow: p.noShow,
        cancelled: p.cancelled,
        voided: p.voided,
        expired: p.expired,
        open: p.open,
        waits: blob(p.waits),
        services: blob(p.services),
        g1: p.grades[0],
        g2: p.grades[1],
        g3: p.grades[2],
        g4: p.grades[3],
        g5: p.grades[4],
        bad: p.bad,
        badFollowed: p.badFollowed,
        replied: p.replied,
        rectified: p.rectified,
        untrue: p.untrue,
        followSum: p.followSum,
        followMax: p.followMax,
        cancelledBy: p.cancelledBy && JSON.stringify(p.cancelledBy),
        voidedBy: p.voidedBy && JSON.stringify(p.voidedBy),
      });
    }
    rollSpans(db, offsetMinutes, days);
    db.prepare('DELETE FROM report_rollup_dirty WHERE day BETWEEN ? AND ?').run(from, to);
    return days.length;
  });
  return tx.immediate();
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** As buildReport's SPAN_LOOKBACK_MS: the longest span looked back for. */
const SPAN_LOOKBACK_MS = 7 * DAY;

/** Recomputes report_rollup_spans for `days` (sorted YYYY-MM-DD) from the closed spans that touch them. */
function rollSpans(db: Database.Database, offsetMinutes: number, days: string[]): void {
  const wanted = new Set(days);
  const offMs = offsetMinutes * MIN;
  const fromMs = Date.parse(`${days[0] as string}T00:00:00Z`) - offMs;
  const toMs = Date.parse(`${days.at(-1) as string}T00:00:00Z`) + DAY - offMs;
  type SpanPart = { open: number; paused: number; busy: number; signed: number; pausedBy: Record<string, number> };
  const parts = new Map<string, SpanPart>();
  const part = (day: string, grp: string, key: string): SpanPart => {
    const k = `${day}\u0000${grp}\u0000${key}`;
    let p = parts.get(k);
    if (p === undefined) {
      p = { open: 0, paused: 0, busy: 0, signed: 0, pausedBy: {} };
      parts.set(k, p);
    }
    return p;
  };
  const spans = db
    .prepare('SELECT kind, window, staff_id, reason, start_at, end_at FROM report_spans WHERE start_at >= ? AND start_at < ? AND end_at IS NOT NULL AND end_at > ?')
    .raw()
    .iterate(fromMs - SPAN_LOOKBACK_MS, toMs, fromMs) as IterableIterator<[string, number | null, string | null, string | null, number, number]>;
  for (const [kind, window, staff, reason, start, end] of spans) {
    let a = Math.max(start, fromMs);
    const b = Math.min(end, toMs);
    while (a < b) {
      // Cut at the next local hour boundary (the same cut as buildReport's).
      const next = Math.min(b, Math.floor((a + offMs) / HOUR) * HOUR + HOUR - offMs);
      const ms = next - a;
      const local = a + offMs;
      const day = new Date(Math.floor(local / DAY) * DAY).toISOString().slice(0, 10);
      a = next;
      if (!wanted.has(day)) continue;
      const hour = Math.floor((local % DAY) / HOUR);
      const ps = [part(day, 'hall', ''), part(day, 'hour', String(hour))];
      if (window !== null && kind !== 'signed-in') ps.push(part(day, 'window', String(window)));
      if (staff !== null) ps.push(part(day, 'staff', staff));
      for (const p of ps) {
        if (kind === 'open') p.open += ms;
        else if (kind === 'paused') {
          p.paused += ms;
          const r = reason ?? '';
          p.pausedBy[r] = (p.pausedBy[r] ?? 0) + ms;
        } else if (kind === 'busy') p.busy += ms;
        else if (kind === 'signed-in') p.signed += ms;
      }
    }
  }
  const del = db.prepare('DELETE FROM report_rollup_spans WHERE day = ?');
  for (const d of days) del.run(d);
  const ins = db.prepare('INSERT INTO report_rollup_spans VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const [k, p] of parts) {
    const [day, grp, key] = k.split('\u0000');
    ins.run(day, grp, key, p.open, p.paused, p.busy, p.signed, Object.keys(p.pausedBy).length ? JSON.stringify(p.pausedBy) : null);
  }
}
