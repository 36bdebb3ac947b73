import Database from 'better-sqlite3';
import type { Logger } from '../../drivers/common/logger.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { grades, type HallEvent } from '../core/index.js';
import { decodeEvent } from '../store/rows.js';
import { storeError } from '../store/errors.js';
import { refreshRollups, ROLLUP_DROP, ROLLUP_TABLES } from './rollup.js';

/**
 * Report projections (issue 11; DB22/T 2871.4 §12, Songjiang §6.6.1/§6.6.3): SQLite tables beside the
 * event log, in the same file, kept current from the log and rebuilt from it when PROJECTION_VERSION
 * changes or on demand (`hallq report --rebuild`). The log stays the only truth: every row here can be
 * recomputed from it.
 *
 * One row per ticket (report_tickets) keeps the exact wait and service time of every ticket, so
 * percentiles are exact, not estimated. Time at windows is spans (report_spans): open, paused (with the
 * reason), busy (a call until completion, no-show, transfer or cancel), signed-in (attendance).
 *
 * The tables are not in the store's migrations (src/store/schema.ts): they are a cache with their own
 * version in report_meta, dropped and rebuilt whenever it changes.
 */
export const PROJECTION_VERSION = 2;

/** Codes of an IssueTicket/CheckIn refusal (src/core/rejections.ts) that the report counts as "refused". */
export const ISSUE_REFUSALS: ReadonlySet<string> = new Set(['hall-closed', 'outside-hours', 'issuing-stopped', 'quota-reached', 'no-window', 'id-required', 'id-invalid', 'per-id-open', 'per-id-daily', 'per-phone-open', 'per-phone-daily']);

/** Events per transaction while catching up; keeps one write transaction short. */
const BATCH = 5000;

const TABLES = `
  CREATE TABLE IF NOT EXISTS report_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS report_tickets (
    ticket_id   TEXT PRIMARY KEY,
    day         TEXT    NOT NULL,        -- local day of issue, YYYY-MM-DD
    hour        INTEGER NOT NULL,        -- local hour of issue, 0..23
    service_id  TEXT    NOT NULL,        -- the service it was issued for (a transfer does not move it)
    class       TEXT    NOT NULL,
    issued_at   INTEGER NOT NULL,        -- epoch ms
    called_at   INTEGER,                 -- first call
    wait_ms     INTEGER,                 -- issue → first call
    service_ms  INTEGER NOT NULL DEFAULT 0, -- sum of ServiceCompleted/TicketTransferred durations
    window      INTEGER,                 -- the window of the last call
    staff_id    TEXT,                    -- the staff of the last call
    outcome     TEXT    NOT NULL DEFAULT 'open', -- open | served | no-show | cancelled | voided | expired
    reason      TEXT                     -- why cancelled / voided
  );
  CREATE INDEX IF NOT EXISTS report_tickets_day ON report_tickets (day);
  CREATE TABLE IF NOT EXISTS report_spans (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,          -- open | paused | busy | signed-in
    window    INTEGER,                   -- none for a signed-in span away from a window
    staff_id  TEXT,
    reason    TEXT,                      -- pause reason
    ticket_id TEXT,                      -- busy spans
    start_at  INTEGER NOT NULL,
    end_at    INTEGER                    -- NULL while it lasts
  );
  CREATE INDEX IF NOT EXISTS report_spans_start ON report_spans (start_at);
  CREATE INDEX IF NOT EXISTS report_spans_open ON report_spans (kind, window) WHERE end_at IS NULL;
  CREATE INDEX IF NOT EXISTS report_spans_busy ON report_spans (ticket_id) WHERE end_at IS NULL;
  CREATE INDEX IF NOT EXISTS report_spans_staff ON report_spans (staff_id) WHERE end_at IS NULL;
  CREATE TABLE IF NOT EXISTS report_takeovers (at INTEGER NOT NULL, day TEXT NOT NULL, window INTEGER NOT NULL, staff_id TEXT NOT NULL, previous_staff_id TEXT);
  CREATE INDEX IF NOT EXISTS report_takeovers_day ON report_takeovers (day);
  CREATE TABLE IF NOT EXISTS report_ratings (
    rating_id     TEXT PRIMARY KEY,
    ticket_id     TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    hour          INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    service_id    TEXT    NOT NULL,
    window        INTEGER NOT NULL,
    staff_id      TEXT,
    grade         INTEGER NOT NULL,      -- 1 非常满意 … 5 非常不满意 (core/model.ts grades order)
    followed_at   INTEGER,               -- first follow-up record of any kind
    replied       INTEGER NOT NULL DEFAULT 0,  -- a reply record (回复)
    rectified     INTEGER NOT NULL DEFAULT 0,  -- a rectification record (整改)
    untrue        INTEGER NOT NULL DEFAULT 0,  -- a not-true determination (不属实认定)
    untrue_reason TEXT
  );
  CREATE INDEX IF NOT EXISTS report_ratings_day ON report_ratings (day);
  CREATE TABLE IF NOT EXISTS report_refusals (day TEXT NOT NULL, hour INTEGER NOT NULL, at INTEGER NOT NULL, code TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS report_refusals_day ON report_refusals (day);
`;
const DROP = ['report_tickets', 'report_spans', 'report_takeovers', 'report_ratings', 'report_refusals', 'report_meta'].map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n') + ROLLUP_DROP;

/** Names the reports label rows with, from the latest HallConfigured. */
export interface ReportLabels {
  utcOffsetMinutes: number;
  hall: string;
  services: Record<string, string>;
  staff: Record<string, string>;
  windows: Record<string, string>;
}

export const emptyLabels: ReportLabels = { utcOffsetMinutes: 480, hall: '', services: {}, staff: {}, windows: {} };

/** Local day (YYYY-MM-DD) and hour of an epoch ms at a UTC offset in minutes. */
export function localDayHour(at: number, offsetMinutes: number): { day: string; hour: number } {
  const d = new Date(at + offsetMinutes * 60_000);
  return { day: d.toISOString().slice(0, 10), hour: d.getUTCHours() };
}

/** Epoch ms of local midnight starting `day`. */
export function dayStart(day: string, offsetMinutes: number): number {
  return Date.parse(`${day}T00:00:00Z`) - offsetMinutes * 60_000;
}

/** The follow-up kinds of RatingFollowedUp (a missing kind is a reply: the event before issue 11 had none). */
export type FollowUpKind = 'reply' | 'rectification' | 'untrue';

/**
 * The projections over one hall database file. Opens its own connection (the engine keeps its own), so
 * the CLI can use it on a file a running server writes: catching up is one IMMEDIATE transaction that
 * reads its position inside, so two processes never apply the same event twice.
 */
export class ReportProjection {
  readonly db: Database.Database;
  #labels: ReportLabels = emptyLabels;
  readonly #logger: Logger;
  readonly #s: ReturnType<typeof statements>;
  readonly #catchUpTx: (limit?: number) => number;

  private constructor(db: Database.Database, logger: Logger) {
    this.db = db;
    this.#logger = logger;
    this.#prepareTables();
    this.#s = statements(db);
    const tx = db.transaction((limit: number) => {
      let last = Number(this.#meta('last_seq') ?? 0);
      const rows = this.#s.events.all(last, limit);
      for (const row of rows) {
        const e = decodeEvent<HallEvent>(row);
        this.#apply(e);
        last = e.seq;
      }
      if (rows.length > 0) {
        this.#s.setMeta.run('last_seq', String(last));
        this.#s.setMeta.run('labels', JSON.stringify(this.#labels));
      }
      return rows.length;
    });
    this.#catchUpTx = (limit = BATCH) => tx.immediate(limit);
  }

  /** Opens the projections in a hall database (the event log file), creating or rebuilding the tables as their version asks. */
  static open(path: string, opts: { logger?: Logger } = {}): ReportProjection {
    const logger = (opts.logger ?? silentLogger).child({ module: 'reports' });
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      // A cache of the log: a fold lost to a power cut is folded again (last_seq commits with its rows), so
      // no fsync per fold; the command's own append already paid the one that matters (DESIGN §7).
      db.pragma('synchronous = NORMAL');
    } catch (err) {
      throw storeError(err, { en: `cannot open the hall database ${path} for reports`, zh: `打不开大厅数据库 ${path} 来生成报表` }, { path });
    }
    return new ReportProjection(db, logger);
  }

  /**
   * The projections over a database already open (the in-memory copy of a hall database this user may
   * not write, src/store/read-only-copy.ts): its report tables are used and folded on in the copy only.
   */
  static over(db: Database.Database, opts: { logger?: Logger } = {}): ReportProjection {
    return new ReportProjection(db, (opts.logger ?? silentLogger).child({ module: 'reports' }));
  }

  #prepareTables(): void {
    // One transaction: on a new database the thirty-odd CREATEs commit once, not each on its own (issue 12).
    this.db.transaction(() => this.#prepareTablesTx())();
  }

  #prepareTablesTx(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS report_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const v = this.db.prepare<[string], { value: string }>('SELECT value FROM report_meta WHERE key = ?').get('version')?.value;
    if (v !== String(PROJECTION_VERSION)) {
      if (v !== undefined) this.#logger.info({ from: v, to: PROJECTION_VERSION }, 'report projection version changed; rebuilding from the log');
      this.db.exec(DROP);
      this.db.exec(TABLES + ROLLUP_TABLES);
      this.db.prepare('INSERT OR REPLACE INTO report_meta (key, value) VALUES (?, ?)').run('version', String(PROJECTION_VERSION));
    } else {
      this.db.exec(TABLES + ROLLUP_TABLES);
    }
    const labels = this.db.prepare<[string], { value: string }>('SELECT value FROM report_meta WHERE key = ?').get('labels')?.value;
    if (labels !== undefined) this.#labels = JSON.parse(labels) as ReportLabels;
  }

  #meta(key: string): string | undefined {
    return this.#s.getMeta.get(key)?.value;
  }

  get labels(): ReportLabels {
    return this.#labels;
  }

  /** The last event seq folded into the tables. */
  lastSeq(): number {
    return Number(this.#meta('last_seq') ?? 0);
  }

  /**
   * Folds every event the log holds beyond lastSeq() into the tables; returns how many.
   * `onProgress` hears after each batch how far the fold is (seq folded, the log's last seq).
   */
  catchUp(onProgress?: (seq: number, lastSeq: number) => void): number {
    let n = 0;
    const end = onProgress ? (this.db.prepare<[], { m: number | null }>('SELECT max(seq) AS m FROM events').get()?.m ?? 0) : 0;
    for (;;) {
      let k: number;
      try {
        k = this.#catchUpTx();
      } catch (err) {
        throw storeError(err, { en: 'report projection: cannot fold events', zh: '报表无法汇总事件' }, { seq: this.lastSeq() + 1 });
      }
      n += k;
      onProgress?.(this.lastSeq(), end);
      if (k < BATCH) return n;
    }
  }

  /**
   * Folds at most `limit` events beyond lastSeq() in one transaction; returns how many (fewer than
   * `limit`: caught up). The server folds a long backlog in such steps after it is ready (reports-http.ts).
   */
  foldSome(limit: number): number {
    try {
      return this.#catchUpTx(limit);
    } catch (err) {
      throw storeError(err, { en: 'report projection: cannot fold events', zh: '报表无法汇总事件' }, { seq: this.lastSeq() + 1 });
    }
  }

  /** Drops the tables and folds the whole log again (`onProgress` as for catchUp). */
  rebuild(onProgress?: (seq: number, lastSeq: number) => void): number {
    this.db.exec(DROP);
    this.#labels = emptyLabels;
    this.#prepareTables();
    const n = this.catchUp(onProgress);
    refreshRollups(this.db, this.#labels.utcOffsetMinutes);
    this.#logger.info({ events: n }, 'report projection rebuilt');
    return n;
  }

  close(): void {
    this.db.close();
  }

  #closeSpans(kind: string, window: number | null, at: number): void {
    this.#s.closeSpans.run({ kind, window, at });
  }

  #staffAt(window: number): string | null {
    return this.#s.openStaff.get(window)?.staff_id ?? null;
  }

  #apply(e: HallEvent): void {
    const s = this.#s;
    const off = this.#labels.utcOffsetMinutes;
    switch (e.type) {
      case 'HallConfigured': {
        const c = e.config;
        this.#labels = {
          utcOffsetMinutes: c.utcOffsetMinutes,
          hall: c.name.zh,
          services: Object.fromEntries(c.services.map((x) => [x.id, x.name.zh])),
          staff: Object.fromEntries(c.staff.map((x) => [x.id, x.name])),
          windows: Object.fromEntries(c.windows.map((w) => [String(w.id), `${w.id}号窗口`])),
        };
        return;
      }
      case 'TicketIssued': {
        const t = e.ticket;
        s.issue.run({ id: t.id, day: t.day, hour: localDayHour(t.issuedAt, off).hour, service: t.serviceId, cls: t.class, at: t.issuedAt });
        return;
      }
      case 'TicketCalled': {
        const staff = e.staffId ?? this.#staffAt(e.window);
        s.call.run({ id: e.ticketId, at: e.at, window: e.window, staff });
        s.closeBusy.run({ ticket: e.ticketId, at: e.at });
        s.openSpan.run({ kind: 'busy', window: e.window, staff, reason: null, ticket: e.ticketId, at: e.at });
        return;
      }
      case 'ServiceCompleted':
        s.finish.run({ id: e.ticketId, outcome: 'served', ms: e.durationMs, reason: null });
        s.closeBusy.run({ ticket: e.ticketId, at: e.at });
        return;
      case 'TicketTransferred':
        s.addService.run({ id: e.ticketId, ms: e.durationMs });
        s.closeBusy.run({ ticket: e.ticketId, at: e.at });
        return;
      case 'TicketNoShow':
        if (!e.requeued) s.finish.run({ id: e.ticketId, outcome: 'no-show', ms: 0, reason: null });
        s.closeBusy.run({ ticket: e.ticketId, at: e.at });
        return;
      case 'TicketCancelled':
        s.finish.run({ id: e.ticketId, outcome: 'cancelled', ms: 0, reason: e.reason });
        s.closeBusy.run({ ticket: e.ticketId, at: e.at });
        return;
      case 'TicketVoided':
        s.finish.run({ id: e.ticketId, outcome: 'voided', ms: 0, reason: e.reason });
        return;
      case 'TicketPrinted':
        // The late cut of a ticket the print-confirm timeout voided: it is open again, not voided.
        if (e.revived) s.revive.run(e.ticketId);
        return;
      case 'DayStarted': {
        for (const id of e.expired) s.expire.run(id);
        // Windows close at the day's start (core/apply.ts); what was left open ends at its own day's midnight at the latest.
        s.closeAllAtMidnight.run({ at: e.at, off: off * 60_000 });
        return;
      }
      case 'WindowOpened':
        this.#closeSpans('open', e.window, e.at);
        s.openSpan.run({ kind: 'open', window: e.window, staff: e.staffId, reason: null, ticket: null, at: e.at });
        return;
      case 'WindowPaused':
        this.#closeSpans('paused', e.window, e.at);
        s.openSpan.run({ kind: 'paused', window: e.window, staff: this.#staffAt(e.window), reason: e.reason, ticket: null, at: e.at });
        return;
      case 'WindowResumed':
        this.#closeSpans('paused', e.window, e.at);
        return;
      case 'WindowClosed':
        this.#closeSpans('paused', e.window, e.at);
        this.#closeSpans('open', e.window, e.at);
        return;
      case 'WindowTakenOver': {
        // AB takeover: the open time from here on is the new staff member's.
        const open = s.openSpanOf.get(e.window);
        if (open !== undefined) {
          this.#closeSpans('open', e.window, e.at);
          s.openSpan.run({ kind: 'open', window: e.window, staff: e.staffId, reason: null, ticket: null, at: e.at });
        }
        s.takeover.run({ at: e.at, day: localDayHour(e.at, off).day, window: e.window, staff: e.staffId, previous: e.previousStaffId ?? null });
        return;
      }
      case 'StaffSignedIn':
        s.closeSignedIn.run({ staff: e.staffId, at: e.at });
        s.openSpan.run({ kind: 'signed-in', window: e.window ?? null, staff: e.staffId, reason: null, ticket: null, at: e.at });
        return;
      case 'StaffSignedOut':
        // A session that expired while the server was down ended at its expiry, not at the restart.
        s.closeSignedIn.run({ staff: e.staffId, at: e.endedAt !== undefined && e.endedAt < e.at ? e.endedAt : e.at });
        return;
      case 'RatingRecorded': {
        const r = e.rating;
        const { day, hour } = localDayHour(r.at, off);
        s.rate.run({ id: r.id, ticket: r.ticketId, day, hour, at: r.at, service: r.serviceId, window: r.window, staff: r.staffId ?? null, grade: grades.indexOf(r.grade) + 1 });
        return;
      }
      case 'RatingFollowedUp': {
        // Tolerant read of the issue-11 contract: kind ∈ reply | rectification | untrue, missing means reply.
        const x = e as { kind?: unknown; reason?: unknown };
        const kind: FollowUpKind = x.kind === 'rectification' || x.kind === 'untrue' ? x.kind : 'reply';
        s.followUp.run({ id: e.ratingId, at: e.at, replied: kind === 'reply' ? 1 : 0, rectified: kind === 'rectification' ? 1 : 0, untrue: kind === 'untrue' ? 1 : 0, reason: kind === 'untrue' && typeof x.reason === 'string' ? x.reason : null });
        return;
      }
      case 'CommandRejected': {
        const o = e.outcome;
        if (o !== undefined && !o.ok && ISSUE_REFUSALS.has(o.code)) {
          const { day, hour } = localDayHour(e.at, off);
          s.refuse.run({ day, hour, at: e.at, code: o.code });
        }
        return;
      }
      case 'AppointmentBooked':
      case 'AppointmentCancelled':
      case 'AppointmentCheckedIn':
      case 'CommandNoop':
      case 'NotificationDue':
      case 'RatingRequested':
      case 'ServiceStarted':
      case 'TicketRecalled':
      case 'AppointmentChanged':
      case 'EmergencyRaised':
      case 'EmergencyCleared':
      case 'IslandConflict':
      case 'NumbersLeased':
      case 'NumbersReturned':
        return;
    }
  }
}

function statements(db: Database.Database) {
  return {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM report_meta WHERE key = ?'),
    setMeta: db.prepare<[string, string]>('INSERT OR REPLACE INTO report_meta (key, value) VALUES (?, ?)'),
    events: db.prepare<[number, number]>('SELECT seq, at, command_id, type, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    issue: db.prepare('INSERT OR REPLACE INTO report_tickets (ticket_id, day, hour, service_id, class, issued_at) VALUES (@id, @day, @hour, @service, @cls, @at)'),
    call: db.prepare('UPDATE report_tickets SET called_at = coalesce(called_at, @at), wait_ms = coalesce(wait_ms, @at - issued_at), window = @window, staff_id = @staff WHERE ticket_id = @id'),
    finish: db.prepare('UPDATE report_tickets SET outcome = @outcome, service_ms = service_ms + @ms, reason = @reason WHERE ticket_id = @id'),
    addService: db.prepare('UPDATE report_tickets SET service_ms = service_ms + @ms WHERE ticket_id = @id'),
    revive: db.prepare<[string]>("UPDATE report_tickets SET outcome = 'open', reason = NULL WHERE ticket_id = ? AND outcome = 'voided'"),
    expire: db.prepare<[string]>("UPDATE report_tickets SET outcome = 'expired' WHERE ticket_id = ? AND outcome = 'open'"),
    openSpan: db.prepare('INSERT INTO report_spans (kind, window, staff_id, reason, ticket_id, start_at) VALUES (@kind, @window, @staff, @reason, @ticket, @at)'),
    closeSpans: db.prepare('UPDATE report_spans SET end_at = @at WHERE kind = @kind AND window IS @window AND end_at IS NULL'),
    closeBusy: db.prepare("UPDATE report_spans SET end_at = @at WHERE kind = 'busy' AND ticket_id = @ticket AND end_at IS NULL"),
    closeSignedIn: db.prepare("UPDATE report_spans SET end_at = MAX(start_at, @at) WHERE kind = 'signed-in' AND staff_id = @staff AND end_at IS NULL"),
    // Local midnight after the span's start: ((start + off) - (start + off) mod day) + day - off.
    closeAllAtMidnight: db.prepare("UPDATE report_spans SET end_at = min(@at, (start_at + @off) - ((start_at + @off) % 86400000) + 86400000 - @off) WHERE end_at IS NULL AND kind IN ('open', 'paused', 'busy')"),
    openStaff: db.prepare<[number], { staff_id: string | null }>("SELECT staff_id FROM report_spans WHERE kind = 'open' AND window = ? AND end_at IS NULL ORDER BY id DESC LIMIT 1"),
    openSpanOf: db.prepare<[number], { id: number }>("SELECT id FROM report_spans WHERE kind = 'open' AND window = ? AND end_at IS NULL LIMIT 1"),
    takeover: db.prepare('INSERT INTO report_takeovers (at, day, window, staff_id, previous_staff_id) VALUES (@at, @day, @window, @staff, @previous)'),
    rate: db.prepare('INSERT OR REPLACE INTO report_ratings (rating_id, ticket_id, day, hour, at, service_id, window, staff_id, grade) VALUES (@id, @ticket, @day, @hour, @at, @service, @window, @staff, @grade)'),
    followUp: db.prepare(
      'UPDATE report_ratings SET followed_at = coalesce(followed_at, @at), replied = max(replied, @replied), rectified = max(rectified, @rectified), untrue = max(untrue, @untrue), untrue_reason = coalesce(@reason, untrue_reason) WHERE rating_id = @id',
    ),
    refuse: db.prepare('INSERT INTO report_refusals (day, hour, at, code) VALUES (@day, @hour, @at, @code)'),
  };
}
