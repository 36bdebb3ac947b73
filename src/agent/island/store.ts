import type Database from 'better-sqlite3';
import { withoutBirthDate, type Command, type NumberLease } from '../../core/index.js';
import { storeError } from '../../store/errors.js';
import { openDurableDb } from '../../store/durable-db.js';
import { HOLDS_BIRTH_DATE, scrubOnce } from '../scrub-once.js';

/** One island action as kept in the outbox: the command as the island decided it (core replayFormOf). */
export interface OutboxEntry {
  /** Order of the outbox (1, 2, …): replayed in this order. */
  n: number;
  command: Command;
  /** The number an island issue took from the agent's lease. */
  leasedNumber?: number;
  /** Epoch ms the island decided it. */
  at: number;
  /** The ticket id the island gave an issue (the server may give another: the number conflict rule). */
  ticketId?: string;
  /**
   * The agent whose device the action came from, when the hall's acting agent decided it for another
   * agent (island mode with the broker up); absent for this agent's own devices.
   */
  for?: string;
}

/** A citizen's number for an island ticket, sealed (island/contacts.ts), kept until the server has it. */
export interface KeptContact {
  /** Its own id (random): the associated data it is sealed with. */
  id: string;
  /** The ticket it is for (renamed with it when the server renumbers it). */
  ticketId: string;
  /** The hall day of the ticket: a number for another day's ticket is never sent. */
  day: string;
  /** Sealed: version · IV · tag · ciphertext. */
  phone: Buffer;
}

/**
 * The agent's durable island file (DESIGN §7): its number leases of the day and its outbox of
 * island actions, one SQLite file in WAL mode with synchronous=FULL, so an action the hall saw (a
 * printed number, a call on the screen) is on disk before it happens and survives a power cut.
 * Mode 0600: an outbox may hold a person's keyed hash and masked forms (never a raw ID or phone); the
 * mobile numbers citizens gave at this kiosk during an island are kept sealed (AES-256-GCM, the key in
 * a file of its own beside this one: island/contacts.ts) until the server has them.
 */
export class IslandStore {
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Opens (creating) the file. Throws STORE_IO when it cannot, STORE_CORRUPT when it is not a database. */
  static open(path: string): IslandStore {
    let db: Database.Database | undefined;
    try {
      db = openDurableDb(path);
      db.exec(`
        CREATE TABLE IF NOT EXISTS leases (day TEXT NOT NULL, service TEXT NOT NULL, from_n INTEGER NOT NULL, to_n INTEGER NOT NULL, PRIMARY KEY (day, service, from_n));
        CREATE TABLE IF NOT EXISTS used (day TEXT NOT NULL, service TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, service, n));
        CREATE TABLE IF NOT EXISTS outbox (n INTEGER PRIMARY KEY AUTOINCREMENT, command_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, leased_number INTEGER, ticket_id TEXT, at INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS contacts (id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, day TEXT NOT NULL, phone BLOB NOT NULL);
      `);
      // Files from before the acting agent (island mode with the broker up) lack the column.
      const cols = db.prepare('PRAGMA table_info(outbox)').all() as { name: string }[];
      if (!cols.some((c) => c.name === 'for_agent')) db.exec('ALTER TABLE outbox ADD COLUMN for_agent TEXT');
      const store = new IslandStore(db);
      // An older version kept an island issue's birth date (core replayFormOf keeps none now): gone from the
      // returned entries here; one not yet returned keeps it until it is, for the server to decide it as the island did.
      scrubOnce(db, 'outbox birth dates', () => store.dropBirthDates());
      return store;
    } catch (e) {
      db?.close();
      throw storeError(e, { en: `cannot open the island file ${path}`, zh: `打不开孤岛模式文件 ${path}` }, { path });
    }
  }

  pragmaSynchronous(): number {
    return Number(this.db.pragma('synchronous', { simple: true }));
  }

  /** Keeps the day's leases of this agent (from the replica); blocks already kept are left as they are. */
  keepLeases(day: string, leases: readonly NumberLease[]): void {
    const ins = this.db.prepare('INSERT OR IGNORE INTO leases (day, service, from_n, to_n) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const l of leases) ins.run(day, l.serviceId, l.from, l.to);
    })();
  }

  /** The kept leases of a day. */
  leases(day: string): NumberLease[] {
    return (this.db.prepare('SELECT service, from_n, to_n FROM leases WHERE day = ? ORDER BY service, from_n').all(day) as { service: string; from_n: number; to_n: number }[]).map((r) => ({
      serviceId: r.service,
      from: r.from_n,
      to: r.to_n,
    }));
  }

  /** Whether this agent already issued number `n` of a service in island mode today (never twice, even after a restart). */
  used(day: string, serviceId: string, n: number): boolean {
    return this.db.prepare('SELECT 1 FROM used WHERE day = ? AND service = ? AND n = ?').get(day, serviceId, n) !== undefined;
  }

  /**
   * Appends one island action (and marks its leased number used, when it is this agent's) in one
   * durable transaction. An action already in the outbox (the same command id: a mirror of the acting
   * agent's decision received twice) is kept once.
   */
  append(day: string, entry: Omit<OutboxEntry, 'n'>): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO outbox (command_id, body, leased_number, ticket_id, at, for_agent) VALUES (?, ?, ?, ?, ?, ?)')
        .run(entry.command.id, JSON.stringify(entry.command), entry.leasedNumber ?? null, entry.ticketId ?? null, entry.at, entry.for ?? null);
      if (entry.leasedNumber !== undefined && entry.for === undefined && entry.command.type === 'IssueTicket') this.markUsed(day, entry.command.serviceId, entry.leasedNumber);
    })();
  }

  /** Marks a leased number of this agent used (durably) before it is sent to the acting agent: never twice, whatever comes back. */
  markUsed(day: string, serviceId: string, n: number): void {
    this.db.prepare('INSERT OR IGNORE INTO used (day, service, n) VALUES (?, ?, ?)').run(day, serviceId, n);
  }

  /** The actions not yet taken by the server, in order. */
  pending(): OutboxEntry[] {
    const rows = this.db.prepare('SELECT n, body, leased_number, ticket_id, at, for_agent FROM outbox WHERE done = 0 ORDER BY n').all() as {
      n: number;
      body: string;
      leased_number: number | null;
      ticket_id: string | null;
      at: number;
      for_agent: string | null;
    }[];
    return rows.map((r) => ({
      n: r.n,
      command: JSON.parse(r.body) as Command,
      at: r.at,
      ...(r.leased_number === null ? {} : { leasedNumber: r.leased_number }),
      ...(r.ticket_id === null ? {} : { ticketId: r.ticket_id }),
      ...(r.for_agent === null ? {} : { for: r.for_agent }),
    }));
  }

  /**
   * Drops actions not yet returned (by command id): the decisions of an acting agent that lost the
   * election to one that acted in the same instant; the winner decides them again (its mirror comes back).
   */
  drop(commandIds: readonly string[]): void {
    const del = this.db.prepare('DELETE FROM outbox WHERE command_id = ? AND done = 0');
    this.db.transaction(() => {
      for (const id of commandIds) del.run(id);
    })();
  }

  /** The server answered this action (whatever it decided): it is not replayed again. */
  done(n: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE outbox SET done = 1 WHERE n = ?').run(n);
      this.dropBirthDates(n);
    })();
  }

  /**
   * Returned entries of an older version (all, or entry `n`) that kept an issue's birth date: rewritten
   * without it (returned, nothing decides by it any more).
   */
  private dropBirthDates(n?: number): void {
    const rows = (
      n === undefined
        ? this.db.prepare('SELECT n, body FROM outbox WHERE done = 1 AND body LIKE ?').all(HOLDS_BIRTH_DATE)
        : this.db.prepare('SELECT n, body FROM outbox WHERE n = ? AND done = 1 AND body LIKE ?').all(n, HOLDS_BIRTH_DATE)
    ) as { n: number; body: string }[];
    const update = this.db.prepare('UPDATE outbox SET body = ? WHERE n = ?');
    for (const r of rows) update.run(JSON.stringify(withoutBirthDate(JSON.parse(r.body) as Command, false)), r.n);
  }

  /** Rewrites the ticket id in the pending actions and the kept contacts (an island ticket the server renumbered). */
  renameTicket(from: string, to: string): void {
    for (const e of this.pending()) {
      if ('ticketId' in e.command && e.command.ticketId === from) this.db.prepare('UPDATE outbox SET body = ? WHERE n = ?').run(JSON.stringify({ ...e.command, ticketId: to }), e.n);
    }
    this.db.prepare('UPDATE contacts SET ticket_id = ? WHERE ticket_id = ?').run(to, from);
  }

  /**
   * Keeps a citizen's mobile number for an island ticket until the server is back (island/contacts.ts):
   * `phone` is already sealed (AES-256-GCM, `id` its associated data); never a raw number in this file.
   */
  keepContact(c: KeptContact): void {
    this.db.prepare('INSERT INTO contacts (id, ticket_id, day, phone) VALUES (?, ?, ?, ?)').run(c.id, c.ticketId, c.day, c.phone);
  }

  /** The sealed contacts kept, oldest first. */
  contacts(): KeptContact[] {
    return (this.db.prepare('SELECT id, ticket_id, day, phone FROM contacts ORDER BY rowid').all() as { id: string; ticket_id: string; day: string; phone: Buffer }[]).map((r) => ({ id: r.id, ticketId: r.ticket_id, day: r.day, phone: r.phone }));
  }

  /** A kept contact went to the server (or can never go): deleted. */
  dropContact(id: string): void {
    this.db.prepare('DELETE FROM contacts WHERE id = ?').run(id);
  }

  close(): void {
    this.db.close();
  }
}
