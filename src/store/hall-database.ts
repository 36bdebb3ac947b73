import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HallqError } from '../../drivers/common/error.js';

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Refuses a file that is not a hall database (the server's event log) before anything opens it for
 * writing: a tool given the wrong file (`hallq report --db hall.yaml`) must leave it as it was, byte for
 * byte, instead of turning it into a SQLite file with report tables. Reads the header, then looks for
 * the log's table through a read-only connection.
 */
export function assertHallDatabase(path: string, hint: string): void {
  let header = '';
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(SQLITE_HEADER.length);
    header = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HallqError('STORE_IO', `cannot read ${path} (${code ?? String(e)})`, { path }, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (header !== SQLITE_HEADER) throw notHallDatabase(path, header.length === 0 ? 'it is empty' : 'it is not a SQLite file', hint);
  let hasLog: boolean | undefined;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      hasLog = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    // A read-only look was not possible (a WAL file this user cannot share read-only): the header passed;
    // the open that follows reports anything else.
    hasLog = undefined;
  }
  if (hasLog === false) throw notHallDatabase(path, 'it is a SQLite file without an event log', hint);
}

const notHallDatabase = (path: string, why: string, hint: string) => new HallqError('STORE_IO', `${path} is not a hall database (${why}); left as it was. ${hint}`, { path });
