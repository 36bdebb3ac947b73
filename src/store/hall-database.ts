import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HallqError } from '../../drivers/common/error.js';
import { fileProblem } from '../../drivers/common/system-words.js';
import { newerSchema } from './read-only-copy.js';
import { SCHEMA_VERSION } from './schema.js';

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Refuses a file that is not a hall database (the server's event log) before anything opens it for
 * writing: a tool given the wrong file (`hallq report --db hall.yaml`) must leave it as it was, byte for
 * byte, instead of turning it into a SQLite file with report tables. Reads the header, then looks for
 * the log's table through a read-only connection.
 */
export function assertHallDatabase(path: string, hint: { en: string; zh: string }): void {
  assertSqliteFile(path, hint);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare('SELECT 1 FROM sqlite_master').get();
  } catch {
    // A read-only look was not possible (a WAL file this user cannot share read-only): the header passed;
    // the open that follows reports anything else.
    db?.close();
    return;
  }
  try {
    assertHallLog(db, path, hint);
  } finally {
    db.close();
  }
}

/** The first check of assertHallDatabase: the file is there, readable, and a SQLite file (its header). */
export function assertSqliteFile(path: string, hint: { en: string; zh: string }): void {
  let header = '';
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(SQLITE_HEADER.length);
    header = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('latin1');
  } catch (e) {
    const p = fileProblem('read', path, e);
    throw new HallqError('STORE_IO', p.en, { path, errno: p.errno, messageZh: p.zh }, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (header !== SQLITE_HEADER) throw notHallDatabase(path, header.length === 0 ? { en: 'it is empty', zh: '它是空文件' } : { en: 'it is not a SQLite file', zh: '它不是 SQLite 数据库文件' }, hint);
}

/** The second: an open SQLite database of `path` holds an event log, of a schema this hallq reads. */
export function assertHallLog(db: Database.Database, path: string, hint: { en: string; zh: string }): void {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() === undefined) {
    throw notHallDatabase(path, { en: 'it is a SQLite file without an event log', zh: '它是 SQLite 文件，但没有事件日志' }, hint);
  }
  // A newer hallq's log may hold what this one cannot read: said before anything is made in it.
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw newerSchema(path, version);
}

const notHallDatabase = (path: string, why: { en: string; zh: string }, hint: { en: string; zh: string }) =>
  new HallqError('STORE_IO', `${path} is not a hall database (${why.en}); left as it was. ${hint.en}`, { path, messageZh: `${path} 不是大厅数据库（${why.zh}），未做任何改动。${hint.zh}` });
