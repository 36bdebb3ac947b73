/**
 * The SMS tables live in the hall database (migration 3), on a connection of their own: the event
 * log keeps its connection private. Same durability as the log (WAL, synchronous=FULL), since
 * "in flight" must be on disk before a message leaves.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../../../drivers/common/logger.js';
import { storeError } from '../../store/errors.js';
import { migrate } from '../../store/schema.js';
import { openDurableDb } from '../../store/durable-db.js';

export function openSmsDb(path: string, logger: Logger): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = openDurableDb(path);
    // Usually a no-op (the event log migrated the file first); safe if this connection is first.
    migrate(db, undefined, logger);
    return db;
  } catch (e) {
    db?.close();
    throw storeError(e, { en: `cannot open the SMS tables in ${path}`, zh: `打不开 ${path} 中的短信数据表` }, { path });
  }
}
