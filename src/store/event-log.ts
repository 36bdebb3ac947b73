import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { HallqError } from '../../drivers/common/error.js';
import type { Logger } from '../../drivers/common/logger.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { corrupt, storeError } from './errors.js';
import type { EventRow, LogEvent } from './rows.js';
import { decodeEvent, encodeEvent, fromJson, toJson } from './rows.js';
import { ensurePrivateDbFile } from './private-file.js';
import { migrate, requireVersion, schemaVersion } from './schema.js';

export interface EventLogOptions {
  logger?: Logger;
  /** Open an existing log for reading only (e.g. the CLI inspecting a running server's file). Never migrates. */
  readonly?: boolean;
}

/** How many snapshots to keep: the newest plus a couple in case the newest turns out to be bad. */
export const SNAPSHOTS_KEPT = 3;
/** Rows per page when iterating; pages keep a long replay from holding one read transaction open. */
export const ITERATE_PAGE = 512;
const BUSY_TIMEOUT_MS = 5000;

interface AppendGroup {
  rows: readonly EventRow[];
  command: { id: string; outcome: string } | undefined;
}

/**
 * The durable, append-only event log (DESIGN §5, §7). One SQLite file in WAL mode with synchronous=FULL:
 * when append() returns, the events and the command outcome are on disk together, or neither is.
 */
export class EventLog<E extends LogEvent = LogEvent> {
  readonly path: string;
  readonly readonly: boolean;
  #db: Database.Database | undefined;
  readonly #logger: Logger;
  readonly #stmt: {
    lastSeq: Database.Statement<[], { last: number }>;
    insertEvent: Database.Statement<[EventRow]>;
    insertCommand: Database.Statement<[{ id: string; outcome: string; last_seq: number }]>;
    outcome: Database.Statement<[string], { outcome: unknown }>;
    outcomes: Database.Statement<[string], { id: unknown; outcome: unknown }>;
    read: Database.Statement<[number, number], unknown>;
    saveSnapshot: Database.Statement<[{ seq: number; state: string; created: number }]>;
    pruneSnapshots: Database.Statement<[number]>;
    latestSnapshot: Database.Statement<[], { seq: unknown; state: unknown }>;
    eventRow: Database.Statement<[number], { seq: number; at: unknown; command_id: unknown; type: unknown; pos: unknown; body: unknown }>;
  };
  readonly #appendTx: (groups: readonly AppendGroup[]) => void;
  readonly #snapshotTx: (seq: number, state: string) => void;

  private constructor(path: string, db: Database.Database, readonly: boolean, logger: Logger) {
    this.path = path;
    this.readonly = readonly;
    this.#db = db;
    this.#logger = logger;
    this.#stmt = {
      lastSeq: db.prepare('SELECT coalesce(max(seq), 0) AS last FROM events'),
      insertEvent: db.prepare('INSERT INTO events (seq, at, command_id, type, pos, body) VALUES (@seq, @at, @command_id, @type, @pos, @body)'),
      insertCommand: db.prepare('INSERT INTO commands (id, outcome, last_seq) VALUES (@id, @outcome, @last_seq)'),
      outcome: db.prepare('SELECT outcome FROM commands WHERE id = ?'),
      outcomes: db.prepare('SELECT id, outcome FROM commands WHERE id IN (SELECT value FROM json_each(?))'),
      read: db.prepare('SELECT seq, at, command_id, type, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      saveSnapshot: db.prepare('INSERT OR REPLACE INTO snapshots (seq, state, created) VALUES (@seq, @state, @created)'),
      pruneSnapshots: db.prepare('DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)'),
      latestSnapshot: db.prepare('SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 1'),
      eventRow: db.prepare('SELECT seq, at, command_id, type, pos, body FROM events WHERE seq = ?'),
    };

    const appendTx = db.transaction((groups: readonly AppendGroup[]) => {
      // Checked inside the (IMMEDIATE) transaction so another writer cannot slip in between check and insert.
      let last = this.#stmt.lastSeq.get()?.last ?? 0;
      for (const { rows, command } of groups) {
        const first = rows[0];
        if (first !== undefined && first.seq !== last + 1) {
          throw corrupt(`append out of order: first seq ${first.seq}, log ends at ${last}`, { seq: first.seq, lastSeq: last });
        }
        // Without its command's row (history written in bulk) the commands key cannot refuse a second copy:
        // at least a command whose outcome is recorded gets no more events. One key lookup per command.
        if (command === undefined) {
          for (const id of new Set(rows.map((r) => r.command_id))) {
            if (this.#stmt.outcome.get(id) !== undefined) throw corrupt(`events of command ${id} appended after its outcome was recorded`, { commandId: id });
          }
        }
        for (const row of rows) this.#stmt.insertEvent.run(row);
        last = rows.at(-1)?.seq ?? last;
        if (command !== undefined) this.#stmt.insertCommand.run({ id: command.id, outcome: command.outcome, last_seq: last });
      }
    });
    this.#appendTx = (groups) => appendTx.immediate(groups);

    const snapshotTx = db.transaction((seq: number, state: string) => {
      const last = this.#stmt.lastSeq.get()?.last ?? 0;
      if (seq > last) throw corrupt(`snapshot at seq ${seq} is past the end of the log (${last})`, { seq, lastSeq: last });
      this.#stmt.saveSnapshot.run({ seq, state, created: Date.now() });
      this.#stmt.pruneSnapshots.run(SNAPSHOTS_KEPT);
    });
    this.#snapshotTx = (seq, state) => snapshotTx.immediate(seq, state);
  }

  /**
   * Opens (creating if needed, unless readonly) and migrates the log. Throws STORE_CORRUPT for a file that is not
   * a database or whose schema is newer than this code, STORE_IO when it cannot be opened at all.
   */
  static open<E extends LogEvent = LogEvent>(path: string, opts: EventLogOptions = {}): EventLog<E> {
    const readonly = opts.readonly ?? false;
    const logger = (opts.logger ?? silentLogger).child({ module: 'store', path });
    let db: Database.Database | undefined;
    try {
      if (!readonly) ensurePrivateDbFile(path);
      db = new Database(path, { readonly, fileMustExist: readonly });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (!readonly) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        // An in-memory database answers "memory"; anything else means WAL could not be enabled.
        if (mode !== 'wal' && mode !== 'memory') throw new HallqError('STORE_IO', `event log ${path}: journal_mode is ${String(mode)}, not wal`, { messageZh: `事件日志 ${path} 的日志模式是 ${String(mode)}，不是 wal` });
      }
      // WAL's NORMAL can lose the last commits on power loss (DESIGN §7); a ticket is printed only after FULL.
      db.pragma('synchronous = FULL');
      if (db.pragma('synchronous', { simple: true }) !== 2) throw new HallqError('STORE_IO', `event log ${path}: synchronous=FULL did not take`, { messageZh: `事件日志 ${path} 未能设为 synchronous=FULL` });
      db.pragma('foreign_keys = ON');
      let migrated: { from: number; to: number } | undefined;
      if (readonly) requireVersion(db);
      else migrated = migrate(db, undefined, logger);
      const log = new EventLog<E>(path, db, readonly, logger);
      logger.info({ schemaVersion: schemaVersion(db), migratedFrom: migrated?.from, lastSeq: log.lastSeq(), readonly }, 'event log open');
      return log;
    } catch (err) {
      try {
        db?.close();
      } catch {
        // already failing; the original error is the one to report
      }
      throw storeError(err, { en: `cannot open event log ${path}`, zh: `打不开事件日志 ${path}` }, { path });
    }
  }

  #open(): Database.Database {
    if (this.#db === undefined) throw new HallqError('STORE_IO', `event log ${this.path} is closed`, { path: this.path, messageZh: `事件日志 ${this.path} 已关闭` });
    return this.#db;
  }

  /**
   * The database's instance id (migration 6): made once when the file is created or upgraded, kept by
   * copies and backups of it. The hall server puts it in its broker status, so a restart on this
   * database is told from a second server on another one.
   */
  instanceId(): string {
    const row = this.#open().prepare("SELECT value FROM hall_meta WHERE key = 'instance'").get() as { value?: unknown } | undefined;
    if (typeof row?.value !== 'string' || row.value === '') throw corrupt(`event log ${this.path} has no instance id`, { path: this.path });
    return row.value;
  }

  /** The highest stored seq, 0 for an empty log. Read from the file each time, so a read-only reader sees a live writer. */
  lastSeq(): number {
    this.#open();
    try {
      return this.#stmt.lastSeq.get()?.last ?? 0;
    } catch (err) {
      throw storeError(err, { en: 'cannot read the end of the event log', zh: '读不到事件日志的末尾' });
    }
  }

  /**
   * Appends the events of one command and its outcome in one IMMEDIATE transaction (synchronous=FULL).
   * Throws STORE_CORRUPT if events[0].seq !== lastSeq()+1, seqs are not contiguous, an event belongs to another
   * command than `command`, or the command id is already recorded (so a command's events are never stored
   * twice: they go in with its row, in one transaction); STORE_IO if the write fails. On any throw nothing
   * was written. An empty events array with a command still records the command's outcome.
   *
   * Without `command` (history written in bulk by tools and tests; the server always appends with the
   * command) the events may belong to several commands; STORE_CORRUPT if one of them has its outcome
   * recorded. Two such appends of the same command's events are not told apart: the UNIQUE index that
   * told them cost every commit a random-key insert per event (schema migration 8).
   */
  append(events: readonly E[], command?: { id: string; outcome: unknown }): void {
    this.appendBatch([{ events, ...(command === undefined ? {} : { command }) }]);
  }

  /**
   * Group commit: the events and outcomes of several commands, in order, in ONE IMMEDIATE transaction
   * (one fsync for all). Each group is checked as `append` checks one; on any throw nothing of any
   * group was written. The caller answers none of the commands before this returns.
   */
  appendBatch(batch: readonly { events: readonly E[]; command?: { id: string; outcome: unknown } }[]): void {
    this.#open();
    if (this.readonly) throw new HallqError('STORE_IO', `event log ${this.path} is open read-only`, { path: this.path, messageZh: `事件日志 ${this.path} 是以只读方式打开的` });
    const groups: AppendGroup[] = [];
    let prev: number | undefined;
    for (const { events, command } of batch) {
      const rows: EventRow[] = [];
      // Position of each event within its command (the pos column; part of an event's fingerprint).
      const positions = new Map<string, number>();
      for (const e of events) {
        const pos = positions.get(e.commandId) ?? 0;
        positions.set(e.commandId, pos + 1);
        const row = encodeEvent(e, pos);
        if (prev !== undefined && row.seq !== prev + 1) {
          throw corrupt(`append not contiguous: seq ${row.seq} follows ${prev}`, { seq: row.seq });
        }
        if (command !== undefined && e.commandId !== command.id) {
          throw corrupt(`event ${row.seq} belongs to command ${e.commandId}, appended with ${command.id}`, { seq: row.seq, commandId: command.id });
        }
        prev = row.seq;
        rows.push(row);
      }
      let cmd: { id: string; outcome: string } | undefined;
      if (command !== undefined) {
        if (typeof command.id !== 'string' || command.id === '') throw corrupt('command id must be a non-empty string', { commandId: command.id });
        cmd = { id: command.id, outcome: toJson(command.outcome, `outcome of command ${command.id}`, { commandId: command.id }) };
      }
      if (rows.length > 0 || cmd !== undefined) groups.push({ rows, command: cmd });
    }
    if (groups.length === 0) return;
    try {
      this.#appendTx(groups);
    } catch (err) {
      if (err instanceof HallqError) throw err;
      const constraint = typeof err === 'object' && err !== null && 'code' in err && String(err.code).startsWith('SQLITE_CONSTRAINT');
      const first = groups[0];
      const detail = { seq: first?.rows[0]?.seq, commandId: first?.command?.id ?? first?.rows[0]?.command_id };
      throw storeError(err, constraint ? { en: 'append refused, already stored (command id or event)', zh: '追加被拒绝：已存储过（命令编号或事件）' } : { en: 'append failed', zh: '追加事件失败' }, detail);
    }
  }

  /** The outcome recorded for a command id, or undefined if that command was never appended. */
  commandOutcome(id: string): unknown {
    this.#open();
    let row: { outcome: unknown } | undefined;
    try {
      row = this.#stmt.outcome.get(id);
    } catch (err) {
      throw storeError(err, { en: `cannot read outcome of command ${id}`, zh: `读不到命令 ${id} 的结果` }, { commandId: id });
    }
    return row === undefined ? undefined : fromJson(row.outcome, `outcome of command ${id}`, { commandId: id });
  }

  /**
   * The recorded outcomes of several command ids in one query (a group commit's batch: issue 12, one
   * lookup per command was a tenth of a command's CPU), by id; ids never appended are absent.
   */
  commandOutcomes(ids: readonly string[]): Map<string, unknown> {
    this.#open();
    const out = new Map<string, unknown>();
    if (ids.length === 0) return out;
    let rows: { id: unknown; outcome: unknown }[];
    try {
      rows = this.#stmt.outcomes.all(JSON.stringify(ids));
    } catch (err) {
      throw storeError(err, { en: 'cannot read the outcomes of commands', zh: '读不到命令的结果' }, { commandId: ids[0] });
    }
    for (const row of rows) {
      const id = String(row.id);
      out.set(id, fromJson(row.outcome, `outcome of command ${id}`, { commandId: id }));
    }
    return out;
  }

  /**
   * Events with seq > afterSeq in order, at most `limit` of them. A missing seq in the middle is STORE_CORRUPT
   * naming that seq; the log is never returned with a silent hole.
   */
  read(afterSeq: number, limit?: number): E[] {
    this.#open();
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new HallqError('INTERNAL', `read: afterSeq ${afterSeq} is not a seq`, { afterSeq });
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new HallqError('INTERNAL', `read: bad limit ${limit}`, { limit });
    let rows: unknown[];
    try {
      rows = this.#stmt.read.all(afterSeq, limit ?? -1); // LIMIT -1 is "no limit" in SQLite
    } catch (err) {
      throw storeError(err, { en: `cannot read events after ${afterSeq}`, zh: `读不到序号 ${afterSeq} 之后的事件` }, { seq: afterSeq + 1 });
    }
    const out: E[] = [];
    let expected = afterSeq + 1;
    for (const row of rows) {
      const e = decodeEvent<E>(row);
      if (e.seq !== expected) throw corrupt(`event ${expected} is missing (next stored is ${e.seq})`, { seq: expected });
      out.push(e);
      expected++;
    }
    return out;
  }

  /**
   * Streams events after afterSeq in pages, so a replay of a long log neither loads it whole nor holds one read
   * transaction open (which would stall WAL checkpoints); the connection stays usable between items.
   */
  *iterate(afterSeq = 0): IterableIterator<E> {
    let after = afterSeq;
    for (;;) {
      const page = this.read(after, ITERATE_PAGE);
      yield* page;
      const last = page.at(-1);
      if (last === undefined || page.length < ITERATE_PAGE) return;
      after = last.seq;
    }
  }

  /** Stores the state as of `seq` (JSON) and drops all but the newest SNAPSHOTS_KEPT. Returns the snapshot's size in bytes of JSON. */
  saveSnapshot(seq: number, state: unknown): number {
    this.#open();
    if (this.readonly) throw new HallqError('STORE_IO', `event log ${this.path} is open read-only`, { path: this.path, messageZh: `事件日志 ${this.path} 是以只读方式打开的` });
    if (!Number.isSafeInteger(seq) || seq < 0) throw corrupt(`snapshot seq ${seq} is not a seq`, { seq });
    const json = toJson(state, `snapshot at seq ${seq}`, { seq });
    try {
      this.#snapshotTx(seq, json);
    } catch (err) {
      throw storeError(err, { en: `cannot save snapshot at seq ${seq}`, zh: `无法在序号 ${seq} 保存快照` }, { seq });
    }
    this.#logger.debug({ seq, bytes: json.length }, 'snapshot saved');
    return json.length;
  }

  /**
   * A digest of the stored event at `seq` (SHA-256 of its columns, hex), undefined when the log has none
   * there. A snapshot kept outside this file records it, so it is taken only by the history it was
   * made from: a restored backup, a shorter log or another hall's log at the same seq does not match.
   */
  eventDigest(seq: number): string | undefined {
    this.#open();
    let row: { seq: number; at: unknown; command_id: unknown; type: unknown; pos: unknown; body: unknown } | undefined;
    try {
      row = this.#stmt.eventRow.get(seq);
    } catch (err) {
      throw storeError(err, { en: `cannot read event ${seq}`, zh: `读不到事件 ${seq}` }, { seq });
    }
    if (row === undefined) return undefined;
    return createHash('sha256').update(JSON.stringify([row.seq, row.at, row.command_id, row.type, row.pos, row.body])).digest('hex');
  }

  latestSnapshot(): { seq: number; state: unknown } | undefined {
    this.#open();
    let row: { seq: unknown; state: unknown } | undefined;
    try {
      row = this.#stmt.latestSnapshot.get();
    } catch (err) {
      throw storeError(err, { en: 'cannot read the latest snapshot', zh: '读不到最新的快照' });
    }
    if (row === undefined) return undefined;
    const seq = row.seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) throw corrupt(`snapshot row with unreadable seq ${String(seq)}`, { seq });
    return { seq, state: fromJson(row.state, `snapshot at seq ${seq}`, { seq }) };
  }

  /** Settings as SQLite reports them for this connection, for health checks and tests. */
  pragmas(): { journalMode: string; synchronous: number; foreignKeys: number; busyTimeout: number; userVersion: number } {
    const db = this.#open();
    const get = (name: string): unknown => db.pragma(name, { simple: true });
    return {
      journalMode: String(get('journal_mode')),
      synchronous: Number(get('synchronous')),
      foreignKeys: Number(get('foreign_keys')),
      busyTimeout: Number(get('busy_timeout')),
      userVersion: Number(get('user_version')),
    };
  }

  /**
   * Idempotent. Checkpoints the WAL into the main file first (TRUNCATE: waits up to the busy timeout for a
   * reader's transaction), so the file alone holds every event after a clean stop: SQLite's own checkpoint
   * at the last connection's close does not run while another connection (the snapshot worker's
   * read-only one) is still open, and `hall.db` would then be left with its events in `hall.db-wal`.
   */
  close(): void {
    const db = this.#db;
    if (db === undefined) return;
    this.#db = undefined;
    try {
      if (!this.readonly) db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Only the file's wholeness without its -wal is lost (SQLite still reads both); closing matters more.
    }
    try {
      db.close();
    } catch (err) {
      throw storeError(err, { en: `cannot close event log ${this.path}`, zh: `无法关闭事件日志 ${this.path}` }, { path: this.path });
    }
  }
}
