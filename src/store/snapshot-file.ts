import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HallqError } from '../../drivers/common/error.js';
import type { EventLog } from './event-log.js';
import { SNAPSHOTS_KEPT } from './event-log.js';
import { storeError } from './errors.js';
import { ensurePrivateDbFile } from './private-file.js';
import type { LogEvent } from './rows.js';
import { fromJson } from './rows.js';

/** The side file's schema version (PRAGMA user_version); a newer file is not read. */
const VERSION = 1;

/** What SnapshotFile.latestFor found; `skipped` counts newer rows of another history passed over. */
export type SideSnapshot =
  | { kind: 'none' }
  | { kind: 'found'; seq: number; state: unknown; skipped: number }
  | { kind: 'unmatched'; skipped: number }
  | { kind: 'unreadable'; reason: string };

/**
 * The file next to an event log that holds its snapshots (`<log>.snapshots`), written by a worker
 * thread off the server's event loop (issue 12: writing a big day's snapshot into the log's own
 * file took 25-30 ms, and a second writer on that file would hold the appends' lock as long).
 * Undefined for a log that is not a file of its own (in-memory, a `file:` URI).
 */
export function snapshotFilePath(logPath: string): string | undefined {
  if (logPath === '' || logPath === ':memory:' || logPath.startsWith('file:')) return undefined;
  return `${logPath}.snapshots`;
}

/**
 * Snapshots of an event log kept in a SQLite file of their own. Each row carries the digest of the
 * log's event at its seq (EventLog.eventDigest), so a snapshot is used only with the history it was
 * made from. Losing this file loses nothing but start time: the log alone replays to the same state.
 * WAL with synchronous=NORMAL: a power cut may lose the newest snapshot, never the file's integrity.
 */
export class SnapshotFile {
  readonly path: string;
  #db: Database.Database | undefined;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
  }

  /**
   * Opens the file for writing, creating it (mode 0600, like the log) with its table. Throws STORE_IO when
   * it cannot be opened or written, STORE_CORRUPT for a file that is not this kind of database.
   */
  static openForWriting(path: string): SnapshotFile {
    let db: Database.Database | undefined;
    try {
      ensurePrivateDbFile(path);
      db = new Database(path);
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const version = Number(db.pragma('user_version', { simple: true }));
      if (version > VERSION) throw new HallqError('STORE_CORRUPT', `snapshot file ${path} is of a newer version (${version})`, { path, messageZh: `快照文件 ${path} 的版本（${version}）比本程序新` });
      if (version === 0) {
        db.exec(`CREATE TABLE IF NOT EXISTS snapshots (
          seq     INTEGER PRIMARY KEY,
          digest  TEXT    NOT NULL,  -- EventLog.eventDigest(seq) of the log it was made from
          state   TEXT    NOT NULL,  -- JSON
          created INTEGER NOT NULL   -- wall-clock ms, for operators only
        ); PRAGMA user_version = ${VERSION};`);
      }
      return new SnapshotFile(path, db);
    } catch (err) {
      db?.close();
      throw storeError(err, { en: `cannot open snapshot file ${path}`, zh: `打不开快照文件 ${path}` }, { path });
    }
  }

  /**
   * The newest snapshot in the file at `path` that belongs to `log` (its digest matches the log's event at
   * its seq). `none`: no file or no row; `unmatched`: rows, none of this history (a restored backup, a
   * shorter log); `unreadable`: a file that cannot be read. Never throws: snapshots only save time.
   */
  static latestFor<E extends LogEvent>(path: string, log: EventLog<E>): SideSnapshot {
    if (!existsSync(path)) return { kind: 'none' };
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const version = Number(db.pragma('user_version', { simple: true }));
      if (version !== VERSION) return { kind: 'unreadable', reason: `version ${version}, not ${VERSION}` };
      const rows = db.prepare('SELECT seq, digest FROM snapshots ORDER BY seq DESC').all() as { seq: unknown; digest: unknown }[];
      let skipped = 0;
      for (const { seq, digest } of rows) {
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || typeof digest !== 'string' || log.eventDigest(seq) !== digest) {
          skipped++;
          continue;
        }
        const row = db.prepare('SELECT state FROM snapshots WHERE seq = ?').get(seq) as { state: unknown } | undefined;
        return { kind: 'found', seq, state: fromJson(row?.state, `snapshot at seq ${seq} in ${path}`, { seq }), skipped };
      }
      return skipped === 0 ? { kind: 'none' } : { kind: 'unmatched', skipped };
    } catch (err) {
      return { kind: 'unreadable', reason: err instanceof Error ? err.message : String(err) };
    } finally {
      db?.close();
    }
  }

  /** Stores `json` as the state at `seq` with the log's digest of that event, and keeps the newest SNAPSHOTS_KEPT. Throws STORE_IO. */
  save(seq: number, digest: string, json: string): void {
    const db = this.#db;
    if (db === undefined) throw new HallqError('STORE_IO', `snapshot file ${this.path} is closed`, { path: this.path, messageZh: `快照文件 ${this.path} 已关闭` });
    try {
      db.transaction(() => {
        db.prepare('INSERT OR REPLACE INTO snapshots (seq, digest, state, created) VALUES (?, ?, ?, ?)').run(seq, digest, json, Date.now());
        db.prepare('DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)').run(SNAPSHOTS_KEPT);
      }).immediate();
    } catch (err) {
      throw storeError(err, { en: `cannot save snapshot at seq ${seq} in ${this.path}`, zh: `无法在 ${this.path} 保存序号 ${seq} 的快照` }, { seq, path: this.path });
    }
  }

  /** Idempotent. */
  close(): void {
    const db = this.#db;
    this.#db = undefined;
    db?.close();
  }
}
