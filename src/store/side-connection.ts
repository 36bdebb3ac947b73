import Database from 'better-sqlite3';
import type { Logger } from '../../drivers/common/logger.js';
import { storeError } from './errors.js';
import { ensurePrivateDbFile } from './private-file.js';
import { migrate } from './schema.js';

/**
 * A connection of its own to the hall database at `path`, for tables beside the event log (staff
 * credentials, sign-in throttle counts): the file made 0600 if this is the first to create it, WAL,
 * a 5 s busy wait, migrated.
 * Errors: STORE_* (src/store/errors.ts), worded "cannot open `what` in `path`".
 */
export function openSideConnection(path: string, logger: Logger, what: { en: string; zh: string }): Database.Database {
  try {
    ensurePrivateDbFile(path);
    const db = new Database(path);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    migrate(db, undefined, logger);
    return db;
  } catch (e) {
    throw storeError(e, { en: `cannot open ${what.en} in ${path}`, zh: `打不开 ${path} 中的${what.zh}` }, { path });
  }
}
