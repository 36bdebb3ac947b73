import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import { HallqError } from '../../drivers/common/error.js';
import { errnoOf, systemWords } from '../../drivers/common/system-words.js';

/** Owner read and write only: the database holds masked personal data and sealed phone numbers. */
export const PRIVATE_MODE = 0o600;

/**
 * Makes sure the database file at `path` exists with mode 0600 before SQLite opens it, whatever the
 * umask. SQLite creates the -wal and -shm files with the mode of the database file, so they follow.
 * An existing file readable by others is tightened. In-memory and temporary databases are left alone.
 * Throws STORE_IO when the file can be neither created nor tightened, or has no write bit at all: a file
 * someone made read-only (a backup copy, chmod 0444) is not written, not even by root, who could.
 */
export function ensurePrivateDbFile(path: string): void {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return;
  refuseReadOnly(path);
  try {
    // An existing file is never opened here: closing any descriptor of a file drops every POSIX lock this
    // process holds on it, SQLite's included, and a connection of this process may have it open (the event
    // log, when a side connection opens). Without its locks another process's connection (sqlite3, a
    // backup) believes it is the last one and deletes the write-ahead log under the server, whose commits
    // then go to a deleted file and are lost at the next kill (issue 12's tryout). Only a missing file is
    // created ('wx': not one someone made meanwhile), which no connection can have open.
    if (!exists(path)) {
      try {
        closeSync(openSync(path, 'wx', PRIVATE_MODE));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    if ((statSync(path).mode & 0o777) !== PRIVATE_MODE) chmodSync(path, PRIVATE_MODE);
    for (const side of [`${path}-wal`, `${path}-shm`]) {
      try {
        if ((statSync(side).mode & 0o777) !== PRIVATE_MODE) chmodSync(side, PRIVATE_MODE);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  } catch (e) {
    const w = systemWords(errnoOf(e));
    throw new HallqError('STORE_IO', `cannot create or make private (mode 0600) the database ${path}: ${w.en}`, { path, messageZh: `无法创建数据库 ${path} 或把它设为仅属主可读写（0600）：${w.zh}` }, { cause: e });
  }
}

/**
 * Makes the file at `path` and its -wal and -shm, those that exist, readable by their owner only: found
 * readable or writable by others (a copy, a chmod), they lose those bits (0644 → 0600; a read-only copy,
 * 0444 → 0400, stays read-only). Creates nothing and opens nothing (a closed descriptor would drop this
 * process's SQLite locks on it: ensurePrivateDbFile). For a file read before it is written again (the
 * snapshot file, read at the start and written only at the next snapshot). Throws STORE_IO when one
 * cannot be changed (another user's file).
 */
export function tightenExisting(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = statSync(file).mode & 0o777;
      if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      const w = systemWords(errnoOf(e));
      throw new HallqError('STORE_IO', `cannot make ${file} private (readable by its owner only): ${w.en}`, { path: file, messageZh: `无法把 ${file} 设为仅属主可读：${w.zh}` }, { cause: e });
    }
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** STORE_IO for an existing database file with no write bit for anyone (the rule `hallq report` reads such a file by). */
function refuseReadOnly(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return; // missing (created next) or unreadable: the open says why
  }
  if ((mode & 0o222) !== 0) return;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  throw new HallqError('STORE_IO', `the database ${path} is read-only (mode ${octal}): hallq writes its database; give its user write permission (chmod 600) or use a writable copy`, {
    path,
    messageZh: `数据库 ${path} 是只读的（权限 ${octal}）：hallq 需要写入数据库，请给运行用户写权限（chmod 600）或改用可写的副本`,
  });
}
