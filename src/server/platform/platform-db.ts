/**
 * The platform link's own SQLite file beside the hall database (`<database>.platform`, mode 0600,
 * WAL, synchronous=FULL): the export outbox, its cursor into the event log, and the ledger of
 * imported appointments. Apart from the event log so its writes never contend with the hall's.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../../../drivers/common/logger.js';
import { storeError } from '../../store/errors.js';
import { openDurableDb } from '../../store/durable-db.js';

export function platformDbPath(database: string): string {
  return `${database}.platform`;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE export_outbox (
     seq             INTEGER PRIMARY KEY,  -- the event's seq; the idempotency key is <hall>:<seq>
     ticket_id       TEXT,
     type            TEXT    NOT NULL,     -- ticket.issued …
     body            TEXT    NOT NULL,     -- the JSON sent, personal data already reduced
     state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'rejected')),
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error      TEXT,
     created         INTEGER NOT NULL,     -- epoch ms: when the event was appended
     updated         INTEGER NOT NULL
   );
   CREATE INDEX export_outbox_state ON export_outbox (state, seq);
   CREATE TABLE export_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
   CREATE TABLE imported_appointments (
     id      TEXT    PRIMARY KEY,          -- the platform's appointment id
     digest  TEXT    NOT NULL,             -- sha256 of what was last applied
     updated INTEGER NOT NULL
   );`,
];

export function openPlatformDb(path: string, logger: Logger): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = openDurableDb(path);
    const from = db.pragma('user_version', { simple: true }) as number;
    for (let v = from; v < MIGRATIONS.length; v++) {
      const conn = db;
      conn.transaction(() => {
        conn.exec(MIGRATIONS[v] as string);
        conn.pragma(`user_version = ${v + 1}`);
      }).immediate();
      logger.info({ version: v + 1 }, 'platform tables migrated');
    }
    return db;
  } catch (e) {
    db?.close();
    throw storeError(e, { en: `cannot open the platform tables in ${path}`, zh: `打不开 ${path} 中的统一平台数据表` }, { path });
  }
}
