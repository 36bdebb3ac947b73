import type Database from 'better-sqlite3';
import { agePriority, localTime, withoutBirthDate, type Command, type HallState } from '../core/index.js';
import { storeError } from '../store/errors.js';
import { openDurableDb } from '../store/durable-db.js';
import { HOLDS_BIRTH_DATE, scrubOnce } from './scrub-once.js';

/** Where a kiosk print stands on this agent, as the journal keeps it. */
export type PrintStep =
  /** The issue was asked of the server (or the island); nothing is printed yet. */
  | 'asked'
  /**
   * The ticket's bytes were handed to the printer (recorded before the write): the citizen may hold the
   * paper, so the ticket is kept — at the next start it is confirmed as printed, never voided.
   */
  | 'sent'
  /** The printer confirmed the cut: the citizen holds the paper; PrintConfirmed goes out under `settleId`. */
  | 'cut'
  /** The print failed, or the citizen was told no: PrintFailed goes out under `settleId`. */
  | 'void';

export interface JournalEntry {
  /** The issue command's id (IssueTicket or CheckIn): resolved by it when its answer was lost. */
  issueId: string;
  /**
   * The issue command as sent, so it can be asked again by its id; without the card holder's birth date,
   * the age rule's answer kept as `priority` instead (core withoutBirthDate).
   */
  issue: Command;
  step: PrintStep;
  ticketId?: string;
  /** The id of the PrintConfirmed / PrintFailed that settles it (sent again with the same id, idempotent). */
  settleId?: string;
  reason?: string;
}

/**
 * Whether the hall's age rule serves a card holder born on `birthDate` (YYYYMMDD) with priority at `at`
 * (epoch ms): what the journal keeps of a birth date.
 */
export type AgeRule = (birthDate: string, at: number) => boolean;

/**
 * The age rule as the replica's config has it, on the hall's day of `at` (the day the server decides an
 * issue of that moment on); no config yet (before the first catch-up): no priority by age.
 */
export function replicaAgeRule(state: () => HallState): AgeRule {
  return (birthDate, at) => {
    const config = state().config;
    return config !== null && agePriority(config, birthDate, localTime(at, config.utcOffsetMinutes).day);
  };
}

/**
 * The kiosk's durable print journal (issue 10): every printed issue from the moment it is asked until
 * the server has answered what the printer decided. One SQLite table, WAL, synchronous=FULL, so that
 * the ticket's bytes are going to the printer is on disk before they are written, a confirmed cut before
 * PrintConfirmed is sent or the citizen is answered, and both survive a SIGKILL or a power cut of the agent. It may share the island file (another table). Mode 0600: an
 * issue command may hold a person's keyed hash and masked forms (never a raw ID or phone, nor a birth
 * date: `ageRule`'s answer is kept instead, and the rows of an older version that held one are
 * rewritten without it at the first open, scrub-once.ts).
 */
export class KioskJournal {
  private constructor(
    private readonly db: Database.Database,
    private readonly ageRule: AgeRule,
  ) {}

  /** Opens (creating) the file; ':memory:' keeps it for this process only. Throws STORE_IO / STORE_CORRUPT. */
  static open(path: string, ageRule: AgeRule): KioskJournal {
    let db: Database.Database | undefined;
    try {
      db = openDurableDb(path);
      db.exec(`CREATE TABLE IF NOT EXISTS kiosk_prints (
        issue_id TEXT PRIMARY KEY, issue TEXT NOT NULL, step TEXT NOT NULL, ticket_id TEXT, settle_id TEXT, reason TEXT,
        at INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0)`);
      const journal = new KioskJournal(db, ageRule);
      scrubOnce(db, 'kiosk_prints birth dates', () => journal.dropBirthDates());
      return journal;
    } catch (e) {
      db?.close();
      throw storeError(e, { en: `cannot open the kiosk journal ${path}`, zh: `打不开取号机日志 ${path}` }, { path });
    }
  }

  pragmaSynchronous(): number {
    return Number(this.db.pragma('synchronous', { simple: true }));
  }

  /** Before the issue is sent: a request whose answer is lost is still known here by its id. */
  asked(issue: Command, at: number): void {
    this.db.prepare("INSERT OR IGNORE INTO kiosk_prints (issue_id, issue, step, at) VALUES (?, ?, 'asked', ?)").run(issue.id, JSON.stringify(this.kept(issue, at)), at);
  }

  /** The issue as kept: without the birth date, the age rule's answer at `at` in its place. */
  private kept(issue: Command, at: number): Command {
    const birth = issue.type === 'IssueTicket' ? issue.person?.birthDate : undefined;
    return withoutBirthDate(issue, birth !== undefined && this.ageRule(birth, at));
  }

  /**
   * Rows of an older version that kept the birth date: rewritten without it. Only an open row with no
   * ticket may be sent again (resolveOpenPrints), so only its age rule's answer is kept.
   */
  private dropBirthDates(): void {
    const rows = this.db.prepare('SELECT rowid AS id, issue, at, ticket_id, done FROM kiosk_prints WHERE issue LIKE ?').all(HOLDS_BIRTH_DATE) as { id: number; issue: string; at: number; ticket_id: string | null; done: number }[];
    const update = this.db.prepare('UPDATE kiosk_prints SET issue = ? WHERE rowid = ?');
    for (const r of rows) {
      const issue = JSON.parse(r.issue) as Command;
      const kept = r.done === 0 && r.ticket_id === null ? this.kept(issue, r.at) : withoutBirthDate(issue, false);
      update.run(JSON.stringify(kept), r.id);
    }
  }

  /** The server's answer named the ticket. */
  ticket(issueId: string, ticketId: string): void {
    this.db.prepare('UPDATE kiosk_prints SET ticket_id = ? WHERE issue_id = ?').run(ticketId, issueId);
  }

  /**
   * Right before the ticket's bytes are written to the printer (on disk first: a kill after the write
   * finds it here). Only an issue still `asked` moves; a later step is never undone.
   */
  sent(issueId: string): void {
    this.db.prepare("UPDATE kiosk_prints SET step = 'sent' WHERE issue_id = ? AND step = 'asked'").run(issueId);
  }

  /**
   * The printer confirmed the cut (`cut`) or the ticket is to be voided (`void`), settled by the
   * command `settleId`. A cut is never turned back into a void: the paper decided.
   */
  decide(issueId: string, ticketId: string, step: 'cut' | 'void', settleId: string, reason?: string): void {
    this.db
      .prepare("UPDATE kiosk_prints SET step = ?, ticket_id = ?, settle_id = ?, reason = ? WHERE issue_id = ? AND step <> 'cut'")
      .run(step, ticketId, settleId, reason ?? null, issueId);
  }

  /** The server answered the settling command (or refused the issue): nothing more to send. */
  settled(issueId: string): void {
    this.db.prepare('UPDATE kiosk_prints SET done = 1 WHERE issue_id = ?').run(issueId);
  }

  /** What is not settled yet, oldest first. */
  open(): JournalEntry[] {
    const rows = this.db.prepare('SELECT issue_id, issue, step, ticket_id, settle_id, reason FROM kiosk_prints WHERE done = 0 ORDER BY at, rowid').all() as {
      issue_id: string;
      issue: string;
      step: PrintStep;
      ticket_id: string | null;
      settle_id: string | null;
      reason: string | null;
    }[];
    return rows.map((r) => ({
      issueId: r.issue_id,
      issue: JSON.parse(r.issue) as Command,
      step: r.step,
      ...(r.ticket_id === null ? {} : { ticketId: r.ticket_id }),
      ...(r.settle_id === null ? {} : { settleId: r.settle_id }),
      ...(r.reason === null ? {} : { reason: r.reason }),
    }));
  }

  /** The entry of one issue, settled or not (tests, diagnostics). */
  entry(issueId: string): { step: PrintStep; ticketId?: string; settleId?: string; done: boolean } | undefined {
    const r = this.db.prepare('SELECT step, ticket_id, settle_id, done FROM kiosk_prints WHERE issue_id = ?').get(issueId) as
      | { step: PrintStep; ticket_id: string | null; settle_id: string | null; done: number }
      | undefined;
    return r && { step: r.step, done: r.done === 1, ...(r.ticket_id === null ? {} : { ticketId: r.ticket_id }), ...(r.settle_id === null ? {} : { settleId: r.settle_id }) };
  }

  /** Settled entries older than `before` (epoch ms) are dropped: the log on the server keeps the rest. */
  purge(before: number): void {
    this.db.prepare('DELETE FROM kiosk_prints WHERE done = 1 AND at < ?').run(before);
  }

  close(): void {
    this.db.close();
  }
}
