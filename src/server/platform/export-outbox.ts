/**
 * The export outbox: one row per exported hall event, keyed by its seq (the idempotency key is
 * `<hall>:<seq>`), with a cursor into the event log written in the same transaction, so a crash
 * between the log's append and this table loses nothing: the next start reads on from the cursor.
 *
 * States: pending → delivered (the platform answered 2xx) | rejected (it refused the payload for good,
 * 400/413/422); pending → pending (retry later). Rows go out strictly in seq order, so every ticket's
 * events arrive in the order they happened.
 */
import type Database from 'better-sqlite3';
import type { HallEvent, HallState } from '../../core/index.js';
import { toPlatformEvent, type PersonalData, type PlatformEventType } from './payload.js';

export interface ExportRow {
  seq: number;
  ticketId: string | undefined;
  type: PlatformEventType;
  body: string;
  state: 'pending' | 'delivered' | 'rejected';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | undefined;
  created: number;
}

interface RawRow {
  seq: number;
  ticket_id: string | null;
  type: PlatformEventType;
  body: string;
  state: ExportRow['state'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created: number;
}

export interface BacklogStats {
  /** Rows not yet delivered (pending). */
  pending: number;
  /** Age in seconds of the oldest pending event (0 when none). */
  oldestAgeSeconds: number;
  delivered: number;
  rejected: number;
  lastError: string | undefined;
}

export class ExportOutbox {
  private readonly stmt: {
    insert: Database.Statement<[{ seq: number; ticket_id: string | null; type: string; body: string; next: number; created: number; now: number }]>;
    cursor: Database.Statement<[], { seq: number }>;
    setCursor: Database.Statement<[number]>;
    head: Database.Statement<[], RawRow>;
    delivered: Database.Statement<[number, number]>;
    retry: Database.Statement<[{ seq: number; error: string; next: number; now: number }]>;
    reject: Database.Statement<[{ seq: number; error: string; now: number }]>;
    stats: Database.Statement<[], { state: string; n: number; oldest: number | null }>;
    lastError: Database.Statement<[], { last_error: string | null }>;
    all: Database.Statement<[], RawRow>;
    purge: Database.Statement<[number]>;
  };
  private readonly enqueueTx: Database.Transaction<(events: readonly HallEvent[], state: HallState) => number>;

  constructor(
    db: Database.Database,
    private readonly o: { hall: string; types: ReadonlySet<PlatformEventType>; personalData: PersonalData; clock: () => number },
  ) {
    this.stmt = {
      // A seq already there (a replay after a crash) keeps its row: the same key, the same bytes.
      insert: db.prepare(
        `INSERT INTO export_outbox (seq, ticket_id, type, body, state, next_attempt_at, created, updated)
         VALUES (@seq, @ticket_id, @type, @body, 'pending', @next, @created, @now) ON CONFLICT (seq) DO NOTHING`,
      ),
      cursor: db.prepare('SELECT seq FROM export_cursor WHERE id = 1'),
      setCursor: db.prepare('INSERT INTO export_cursor (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = max(seq, excluded.seq)'),
      head: db.prepare(`SELECT * FROM export_outbox WHERE state = 'pending' ORDER BY seq LIMIT 1`),
      delivered: db.prepare(`UPDATE export_outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL, updated = ? WHERE seq = ? AND state = 'pending'`),
      retry: db.prepare(`UPDATE export_outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, updated = @now WHERE seq = @seq AND state = 'pending'`),
      reject: db.prepare(`UPDATE export_outbox SET state = 'rejected', attempts = attempts + 1, last_error = @error, updated = @now WHERE seq = @seq AND state = 'pending'`),
      stats: db.prepare('SELECT state, count(*) AS n, min(created) AS oldest FROM export_outbox GROUP BY state'),
      lastError: db.prepare(`SELECT last_error FROM export_outbox WHERE last_error IS NOT NULL ORDER BY updated DESC LIMIT 1`),
      all: db.prepare('SELECT * FROM export_outbox ORDER BY seq'),
      purge: db.prepare(`DELETE FROM export_outbox WHERE state = 'delivered' AND updated < ?`),
    };
    this.enqueueTx = db.transaction((events: readonly HallEvent[], state: HallState) => {
      let made = 0;
      const now = this.o.clock();
      for (const e of events) {
        const p = toPlatformEvent(e, state, this.o.hall, this.o.personalData);
        if (!p || !this.o.types.has(p.type)) continue;
        made += this.stmt.insert.run({ seq: e.seq, ticket_id: p.ticket?.id ?? null, type: p.type, body: JSON.stringify(p), next: now, created: e.at, now }).changes;
      }
      const last = events.at(-1);
      if (last) this.stmt.setCursor.run(last.seq);
      return made;
    });
  }

  /** The last event seq looked at; undefined before the first start. */
  cursor(): number | undefined {
    return this.stmt.cursor.get()?.seq;
  }

  /** Starts the cursor at `seq` (the first start: history before the link was configured is not sent). */
  initCursor(seq: number): void {
    this.stmt.setCursor.run(seq);
  }

  /** Rows for the exported events among `events` (in seq order) and the cursor moved past them, in one transaction. */
  enqueue(events: readonly HallEvent[], state: HallState): number {
    return events.length === 0 ? 0 : this.enqueueTx.immediate(events, state);
  }

  /** The oldest pending row: the only one that may go next. */
  head(): ExportRow | undefined {
    const r = this.stmt.head.get();
    return r && toRow(r);
  }

  markDelivered(seq: number): boolean {
    return this.stmt.delivered.run(this.o.clock(), seq).changes === 1;
  }
  retryAt(seq: number, error: string, at: number): boolean {
    return this.stmt.retry.run({ seq, error, next: at, now: this.o.clock() }).changes === 1;
  }
  markRejected(seq: number, error: string): boolean {
    return this.stmt.reject.run({ seq, error, now: this.o.clock() }).changes === 1;
  }

  stats(): BacklogStats {
    const by = new Map(this.stmt.stats.all().map((r) => [r.state, r]));
    const oldest = by.get('pending')?.oldest ?? null;
    return {
      pending: by.get('pending')?.n ?? 0,
      oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (this.o.clock() - oldest) / 1000),
      delivered: by.get('delivered')?.n ?? 0,
      rejected: by.get('rejected')?.n ?? 0,
      lastError: this.stmt.lastError.get()?.last_error ?? undefined,
    };
  }

  all(): ExportRow[] {
    return this.stmt.all.all().map(toRow);
  }

  /** Deletes delivered rows last changed before `cutoff` (epoch ms). */
  purgeDeliveredBefore(cutoff: number): number {
    return this.stmt.purge.run(cutoff).changes;
  }
}

function toRow(r: RawRow): ExportRow {
  return {
    seq: r.seq,
    ticketId: r.ticket_id ?? undefined,
    type: r.type,
    body: r.body,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error ?? undefined,
    created: r.created,
  };
}
