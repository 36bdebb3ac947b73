import type Database from 'better-sqlite3';

/**
 * Runs `rewrite` once per agent file and `name` (the table `scrubbed` records it): rows an older version
 * wrote with what this one keeps out of its files (a card holder's birth date) are rewritten without it,
 * and no copy of the old bytes is left behind: secure_delete zeroes what this connection's rewrites and
 * deletes free (from here on, for its later rewrites too), VACUUM rebuilds the file without the free
 * pages and cell space older deletes left unzeroed, and a TRUNCATE checkpoint empties the WAL that held
 * the old pages. VACUUM keeps the rowids in practice (SQLite's documentation allows it to renumber tables
 * without an INTEGER PRIMARY KEY; only the order of two journal rows of the same millisecond would follow).
 * Throws what better-sqlite3 throws, but SQLITE_FULL (below).
 */
export function scrubOnce(db: Database.Database, name: string, rewrite: () => void): void {
  db.pragma('secure_delete = ON');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS scrubbed (name TEXT PRIMARY KEY)');
    if (db.prepare('SELECT 1 FROM scrubbed WHERE name = ?').get(name) !== undefined) return;
    db.transaction(rewrite)();
    db.exec('VACUUM');
    db.prepare('INSERT INTO scrubbed (name) VALUES (?)').run(name);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (e) {
    // A disk too full (VACUUM writes a copy of the file into the WAL) does not keep the agent from starting:
    // its screens and keypads need no room, and its next open scrubs again.
    if ((e as { code?: unknown }).code !== 'SQLITE_FULL') throw e;
  }
}

/** A stored command's JSON that holds a birth date (the rows scrubOnce rewrites), for a LIKE on the column. */
export const HOLDS_BIRTH_DATE = '%"birthDate"%';
