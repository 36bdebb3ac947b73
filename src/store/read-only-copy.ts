import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HallqError } from '../../drivers/common/error.js';
import { fileProblem } from '../../drivers/common/system-words.js';
import { storeError } from './errors.js';
import { SCHEMA_VERSION } from './schema.js';

/**
 * Whether this process may write a SQLite file where it is: the file, and its folder (SQLite writes its
 * -wal, -shm and -journal files beside it). A file or folder with no write bit at all is read-only by
 * its owner's intent even for root, whom access(W_OK) never refuses (a 0444 copy, a 0555 folder).
 */
export function mayWrite(path: string): boolean {
  try {
    if ((statSync(path).mode & 0o222) === 0 || (statSync(dirname(path)).mode & 0o222) === 0) return false;
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The header bytes that say "WAL": an in-memory database cannot be in WAL mode, so the copy says "rollback journal". */
const WAL_VERSION_BYTES = [18, 19] as const;

/**
 * A hall database this user may read but not write (a 0444 copy, a file in a read-only folder, the live
 * file of another user), as an in-memory database holding what it holds: the caller may write to the
 * copy (report tables), the file is never written nor locked for writing, and nothing is migrated.
 * The file's bytes when no write-ahead log beside it holds anything; else through a read-only
 * connection, which reads the file and its log in one consistent snapshot (a live database). When
 * SQLite cannot open one (a read-only folder without the log's -shm file, which it would have to
 * make), that is refused in words, with what to do.
 */
export function readOnlyCopy(path: string, what: { en: string; zh: string }): Database.Database {
  const wal = `${path}-wal`;
  // Without a write-ahead log holding anything, the file holds it all: its bytes are read, and no
  // -shm or -wal file is left beside it (a read-only connection would make them where it may).
  let bytes = sizeOf(wal) > 0 ? undefined : readBytes(path);
  if (bytes === undefined) {
    try {
      const src = new Database(path, { readonly: true, fileMustExist: true });
      try {
        // A read first: serialize() says only "out of memory" when SQLite cannot read (sqlite3_serialize gives NULL).
        src.prepare('SELECT 1 FROM sqlite_master').get();
        bytes = src.serialize();
      } finally {
        src.close();
      }
    } catch (err) {
      if (!/^SQLITE_(READONLY|CANTOPEN)/.test(String((err as { code?: unknown }).code))) throw storeError(err, what, { path });
      throw new HallqError(
        'STORE_IO',
        `${what.en}: its write-ahead log ${wal} holds changes not yet in the file (a server is running on it, or stopped without closing it), and SQLite cannot read them without writing ${path}-shm beside it, which this user may not. Run the report as the server's user, or copy both files to a folder this user may write and give --db the copy`,
        { path, messageZh: `${what.zh}：它的预写日志 ${wal} 里还有未写入文件的改动（服务器正在使用它，或未正常关闭），SQLite 要在旁边写 ${path}-shm 才能读取，而当前用户没有这个权限。请以服务器的用户运行报表，或把这两个文件复制到当前用户可写的目录，再用 --db 指定副本` },
        { cause: err },
      );
    }
  }
  for (const i of WAL_VERSION_BYTES) if (bytes[i] === 2) bytes[i] = 1;
  let db: Database.Database;
  try {
    db = new Database(bytes);
  } catch (err) {
    throw storeError(err, what, { path });
  }
  return db;
}

/** A database of a newer hallq (its schema version above this one's): said, with what to do. */
export function newerSchema(path: string, found: number): HallqError {
  return new HallqError('STORE_IO', `${path} was written by a newer hallq (database schema version ${found}; this hallq reads up to ${SCHEMA_VERSION}): upgrade hallq to read it`, { path, found, known: SCHEMA_VERSION, messageZh: `${path} 由更新版本的 hallq 写入（数据库结构版本 ${found}，本 hallq 最多识别 ${SCHEMA_VERSION}）：请升级 hallq 后再读取` });
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const p = fileProblem('read', path, e);
    throw new HallqError('STORE_IO', p.en, { path, errno: p.errno, messageZh: p.zh }, { cause: e });
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
