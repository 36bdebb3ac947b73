import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HallqError } from '../../drivers/common/error.js';
import { storeWords } from './errors.js';
import { ensurePrivateDbFile } from './private-file.js';

/** Held by the one process that writes a hall's event log; released by release() or by the process's end. */
export interface DatabaseLock {
  readonly path: string | undefined;
  release(): void;
}

/** The lock file of a database: `<database>.lock`, beside it. */
export const lockPathOf = (database: string): string => `${database}.lock`;

/**
 * Takes the writer's lock of a hall database before anything touches its log: an exclusive SQLite
 * transaction held open on `<database>.lock` (an fcntl lock, which the kernel drops when the process
 * ends, even by SIGKILL, so a crash leaves no stale lock). A second `hallq server` on the same file
 * gets STORE_LOCKED at once instead of appending beside the first. Readers (`hallq report`,
 * `hallq staff`) do not take it. An in-memory database has nothing to share.
 */
export function lockDatabase(database: string): DatabaseLock {
  if (database === ':memory:' || database === '') return { path: undefined, release: () => undefined };
  const path = lockPathOf(database);
  let db: Database.Database | undefined;
  try {
    // 0600 like the database beside it (its -journal follows the file's mode); a missing folder is said below.
    if (existsSync(dirname(database))) ensurePrivateDbFile(path);
    db = new Database(path, { timeout: 0 });
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db?.close();
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new HallqError(
        'STORE_LOCKED',
        `${database} is in use by another hallq server (it holds ${path}); stop that one first, or give this one its own server.database`,
        { database, lock: path, messageZh: `${database} 正被另一个 hallq 服务器使用（它持有 ${path}）；请先停掉那一个，或给本服务器另设 server.database` },
        { cause: e },
      );
    }
    // better-sqlite3 creates the file, never its folder: say which folder, under the key that names it.
    const folder = dirname(database);
    if (!existsSync(folder)) {
      throw new HallqError(
        'STORE_IO',
        `server.database: the folder ${folder} of ${database} is not there; create it (owned by the user hallq runs as), or give server.database a folder that is`,
        { database, lock: path, key: 'server.database', messageZh: `server.database：数据库 ${database} 所在的目录 ${folder} 不存在；请先创建（属主为运行 hallq 的用户），或把 server.database 设在已有的目录中` },
        { cause: e },
      );
    }
    const why = storeWords(e);
    throw new HallqError('STORE_IO', `cannot lock ${path}: ${why.en}`, { database, lock: path, messageZh: `${path} 加锁失败：${why.zh}` }, { cause: e });
  }
  const held = db;
  return {
    path,
    release: () => {
      if (held.open) held.close();
    },
  };
}
