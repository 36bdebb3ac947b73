/**
 * The SMS outbox: one row per ticket and reason (UNIQUE(ticket_id, reason)), made from the core's
 * NotificationDue events for tickets with a contact. Enqueueing the same events again (a restart, a
 * replay, a redelivery) finds the row already there and changes nothing.
 *
 * States: pending → sending → sent | pending (retry) | failed;  pending → dropped.
 * 'sending' is written (durably) before the sender is called, so a crash mid-send leaves a row that
 * says "maybe sent"; it is never picked up again (at most once, see README.md).
 */
import type Database from 'better-sqlite3';
import type { HallEvent, NotificationReason } from '../../core/index.js';
import type { Contacts } from './contacts.js';
import type { RatingLinkPlanner } from './rating-link.js';

/** Every state an outbox row can be in (the /metrics gauge has a series for each, 0 or not). */
export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'dropped', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
/** A ticket's notices, or an appointment's reminder (row ticket_id `appointment:<id>`). */
export type OutboxReason = NotificationReason | 'reminder' | 'rating-link';

/** The outbox (and contacts) key of an appointment's reminder. */
export function reminderKey(appointmentId: string): string {
  return `appointment:${appointmentId}`;
}

/** What the message says, from its NotificationDue event. No personal data. */
export interface OutboxParams {
  number: string;
  serviceId: string;
  position?: number;
  windows: number[];
  /** An issued notice that also says "near" (no separate near notice follows). */
  near?: boolean;
  /** Estimated wait in whole minutes, when the notice had one. */
  waitMinutes?: number;
  /** The off-site rating page (reason 'rating-link'), its validity in minutes and its end (epoch ms). */
  link?: string;
  validMinutes?: number;
  expiresAt?: number;
  /** A reminder's appointment and its slot start (epoch ms). */
  appointmentId?: string;
  slotStart?: number;
}

/** A notice's row params: the figures its event says, as the message will (templates.ts smsVars). */
export function outboxParamsOf(e: Extract<HallEvent, { type: 'NotificationDue' }>): OutboxParams {
  return { number: e.number, serviceId: e.serviceId, windows: [...e.windows], ...(e.position === undefined ? {} : { position: e.position }), ...(e.near ? { near: true } : {}), ...(e.waitMinutes === undefined ? {} : { waitMinutes: e.waitMinutes }) };
}

export interface OutboxRow {
  id: number;
  ticketId: string;
  reason: OutboxReason;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastErrorCode: string | undefined;
  providerRef: string | undefined;
  eventSeq: number;
  params: OutboxParams;
  created: number;
  updated: number;
}

interface RawRow {
  id: number;
  ticket_id: string;
  reason: OutboxReason;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error_code: string | null;
  provider_ref: string | null;
  event_seq: number;
  params: string;
  created: number;
  updated: number;
}

/** Code left on a row that was in flight when the process stopped. */
export const INTERRUPTED = 'INTERRUPTED';

export class Outbox {
  private readonly stmt: {
    insert: Database.Statement<[Omit<RawRow, 'id' | 'attempts' | 'last_error_code' | 'provider_ref'>]>;
    nextDue: Database.Statement<[number], RawRow>;
    wakeAt: Database.Statement<[], { at: number | null }>;
    transition: Database.Statement<[{ id: number; from: OutboxState; to: OutboxState; code: string | null; ref: string | null; next: number | null; bump: number; now: number }]>;
    interrupted: Database.Statement<[{ now: number; code: string }]>;
    get: Database.Statement<[string, string], RawRow>;
    reminder: Database.Statement<[{ key: string; next: number; params: string; now: number }]>;
    all: Database.Statement<[], RawRow>;
    purge: Database.Statement<[number]>;
  };
  private readonly countStmt: Database.Statement<[], { state: OutboxState; n: number }>;
  private readonly enqueueTx: Database.Transaction<(events: readonly HallEvent[]) => number>;

  constructor(
    db: Database.Database,
    private readonly contacts: Contacts,
    private readonly clock: () => number,
    /** Off-site rating links owed by completed services (absent: none are sent). */
    private readonly ratingLink?: RatingLinkPlanner,
  ) {
    this.countStmt = db.prepare('SELECT state, count(*) AS n FROM sms_outbox GROUP BY state');
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO sms_outbox (ticket_id, reason, state, next_attempt_at, event_seq, params, created, updated)
         VALUES (@ticket_id, @reason, @state, @next_attempt_at, @event_seq, @params, @created, @updated)
         ON CONFLICT (ticket_id, reason) DO NOTHING`,
      ),
      nextDue: db.prepare(`SELECT * FROM sms_outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1`),
      wakeAt: db.prepare(`SELECT min(next_attempt_at) AS at FROM sms_outbox WHERE state = 'pending'`),
      // Every move names the state it leaves, so a row can never be moved out of a state twice.
      transition: db.prepare(
        `UPDATE sms_outbox SET state = @to, attempts = attempts + @bump, updated = @now,
           last_error_code = coalesce(@code, last_error_code), provider_ref = coalesce(@ref, provider_ref),
           next_attempt_at = coalesce(@next, next_attempt_at)
         WHERE id = @id AND state = @from`,
      ),
      interrupted: db.prepare(`UPDATE sms_outbox SET state = 'failed', last_error_code = @code, updated = @now WHERE state = 'sending'`),
      get: db.prepare('SELECT * FROM sms_outbox WHERE ticket_id = ? AND reason = ?'),
      // One reminder per appointment; a changed slot moves it while it is still pending.
      reminder: db.prepare(
        `INSERT INTO sms_outbox (ticket_id, reason, state, next_attempt_at, event_seq, params, created, updated)
         VALUES (@key, 'reminder', 'pending', @next, 0, @params, @now, @now)
         ON CONFLICT (ticket_id, reason) DO UPDATE SET next_attempt_at = excluded.next_attempt_at, params = excluded.params, updated = excluded.updated
         WHERE state = 'pending' AND (next_attempt_at != excluded.next_attempt_at OR params != excluded.params)`,
      ),
      all: db.prepare('SELECT * FROM sms_outbox ORDER BY id'),
      purge: db.prepare(`DELETE FROM sms_outbox WHERE state IN ('sent', 'dropped', 'failed') AND updated < ?`),
    };
    this.enqueueTx = db.transaction((events: readonly HallEvent[]) => {
      let created = 0;
      const now = this.clock();
      for (const e of events) {
        if (e.type === 'ServiceCompleted' && this.ratingLink && this.contacts.has(e.ticketId)) {
          const owed = this.ratingLink(e);
          if (owed) created += this.stmt.insert.run({ ticket_id: e.ticketId, reason: 'rating-link', state: 'pending', next_attempt_at: owed.dueAt, event_seq: e.seq, params: JSON.stringify(owed.params), created: now, updated: now }).changes;
          continue;
        }
        if (e.type !== 'NotificationDue' || !this.contacts.has(e.ticketId)) continue;
        const params = outboxParamsOf(e);
        const r = this.stmt.insert.run({ ticket_id: e.ticketId, reason: e.reason, state: 'pending', next_attempt_at: now, event_seq: e.seq, params: JSON.stringify(params), created: now, updated: now });
        created += r.changes;
      }
      return created;
    });
  }

  /**
   * Rows for the NotificationDue events among `events` whose ticket has a contact; call it after
   * every durable append (and again with older events when a contact arrives). Returns rows created.
   */
  enqueue(events: readonly HallEvent[]): number {
    return this.enqueueTx.immediate(events);
  }

  /**
   * The reminder of an appointment, due at `at` (epoch ms), for the number stored under
   * reminderKey(id). Made once; a later call with another slot moves a still-pending one. Returns
   * whether a row was made or moved.
   */
  scheduleReminder(r: { appointmentId: string; serviceId: string; slotStart: number; at: number }): boolean {
    const params: OutboxParams = { number: '', serviceId: r.serviceId, windows: [], appointmentId: r.appointmentId, slotStart: r.slotStart };
    return this.stmt.reminder.run({ key: reminderKey(r.appointmentId), next: r.at, params: JSON.stringify(params), now: this.clock() }).changes === 1;
  }

  /** The pending row due first at `now`, if any. */
  nextDue(now: number): OutboxRow | undefined {
    const r = this.stmt.nextDue.get(now);
    return r && toRow(r);
  }

  /** When the earliest pending row falls due (undefined: nothing pending). */
  nextWakeAt(): number | undefined {
    return this.stmt.wakeAt.get()?.at ?? undefined;
  }

  /** pending → sending, counting the attempt. False if the row is no longer pending (nothing changed). */
  markSending(id: number): boolean {
    return this.move(id, 'pending', 'sending', { bump: 1 });
  }
  markSent(id: number, providerRef: string): boolean {
    return this.move(id, 'sending', 'sent', { ref: providerRef });
  }
  /** sending → pending again: the sender said it definitely failed and it is worth another try. */
  retryAt(id: number, code: string, at: number): boolean {
    return this.move(id, 'sending', 'pending', { code, next: at });
  }
  markFailed(id: number, code: string): boolean {
    return this.move(id, 'sending', 'failed', { code });
  }
  /** pending → dropped: no longer worth sending (already called, ticket gone, no contact). */
  markDropped(id: number, code: string): boolean {
    return this.move(id, 'pending', 'dropped', { code });
  }

  /** Rows left 'sending' by a stopped process become 'failed' (INTERRUPTED): maybe sent, never resent. */
  settleInterrupted(): number {
    return this.stmt.interrupted.run({ now: this.clock(), code: INTERRUPTED }).changes;
  }

  get(ticketId: string, reason: OutboxReason): OutboxRow | undefined {
    const r = this.stmt.get.get(ticketId, reason);
    return r && toRow(r);
  }

  all(): OutboxRow[] {
    return this.stmt.all.all().map(toRow);
  }

  /** Rows per state, every state present (0 when none): the /metrics gauge hallq_sms_outbox_messages. */
  countByState(): Record<OutboxState, number> {
    const counts: Record<OutboxState, number> = { pending: 0, sending: 0, sent: 0, dropped: 0, failed: 0 };
    for (const r of this.countStmt.all()) counts[r.state] = r.n;
    return counts;
  }

  /** Deletes finished rows (sent, dropped, failed) last changed before `cutoff`; returns how many. */
  purgeFinishedBefore(cutoff: number): number {
    return this.stmt.purge.run(cutoff).changes;
  }

  private move(id: number, from: OutboxState, to: OutboxState, o: { code?: string; ref?: string; next?: number; bump?: number }): boolean {
    return this.stmt.transition.run({ id, from, to, code: o.code ?? null, ref: o.ref ?? null, next: o.next ?? null, bump: o.bump ?? 0, now: this.clock() }).changes === 1;
  }
}

function toRow(r: RawRow): OutboxRow {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    reason: r.reason,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastErrorCode: r.last_error_code ?? undefined,
    providerRef: r.provider_ref ?? undefined,
    eventSeq: r.event_seq,
    params: JSON.parse(r.params) as OutboxParams,
    created: r.created,
    updated: r.updated,
  };
}
