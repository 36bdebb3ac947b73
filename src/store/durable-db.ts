import Database from 'better-sqlite3';
import { ensurePrivateDbFile } from './private-file.js';

/**
 * A SQLite file opened as hallq keeps what it must not lose (the island outbox, the kiosk's print
 * journal, the SMS outbox, the platform link): mode 0600 (personal data), WAL, synchronous=FULL (a
 * commit is on the disk before it returns), a 5 s busy wait for the other connections of the box.
 * Throws what better-sqlite3 or ensurePrivateDbFile throw (callers wrap it with storeError).
 */
export function openDurableDb(path: string): Database.Database {
  ensurePrivateDbFile(path);
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
