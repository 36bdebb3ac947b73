import { HallqError } from '../../drivers/common/error.js';
import { errnoOf, systemWords } from '../../drivers/common/system-words.js';

/** SQLite result codes that mean the file or its rows cannot be trusted, as opposed to "could not read/write now". */
function isCorruptionCode(code: string): boolean {
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_CONSTRAINT');
}

function sqliteCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
    return err.code;
  }
  return undefined;
}

/**
 * Whether `err` is a store failing to save (STORE_IO / STORE_CORRUPT, or SQLite's own error from a write:
 * SQLITE_FULL on a full disk, SQLITE_IOERR …), as opposed to a bug or a refusal: the caller sends the
 * person to the desk instead of telling them to try again.
 */
export function isStoreFailure(err: unknown): boolean {
  if (err instanceof HallqError) return err.code === 'STORE_IO' || err.code === 'STORE_CORRUPT';
  return sqliteCode(err) !== undefined;
}

/** SQLite's result codes in words (the primary code: SQLITE_IOERR_WRITE is SQLITE_IOERR). */
const SQLITE_WORDS: Readonly<Record<string, { en: string; zh: string }>> = {
  SQLITE_NOTADB: { en: 'it is not a database (not a SQLite file, or encrypted)', zh: '它不是数据库文件（不是 SQLite 文件，或已加密）' },
  SQLITE_CORRUPT: { en: 'the database file is damaged', zh: '数据库文件已损坏' },
  SQLITE_CANTOPEN: { en: 'the file cannot be opened (is the folder there, and writable by this user?)', zh: '打不开文件（目录是否存在、当前用户是否可写？）' },
  SQLITE_READONLY: { en: 'the database may not be written (read-only file or folder)', zh: '数据库不可写（文件或目录是只读的）' },
  SQLITE_FULL: { en: 'the disk is full', zh: '磁盘已满' },
  SQLITE_IOERR: { en: 'the disk reported a read or write error', zh: '磁盘读写出错' },
  SQLITE_BUSY: { en: 'another program holds the database', zh: '数据库正被其他程序占用' },
  SQLITE_LOCKED: { en: 'the database is locked', zh: '数据库被锁定' },
  SQLITE_PERM: { en: 'access denied', zh: '没有访问权限' },
  SQLITE_CONSTRAINT: { en: 'the data is already stored or breaks a rule of the log', zh: '数据已存在或违反日志的约束' },
  SQLITE_TOOBIG: { en: 'a row is too big', zh: '一行数据过大' },
  SQLITE_NOMEM: { en: 'out of memory', zh: '内存不足' },
};

/** What went wrong in a store failure, in words: SQLite's result code, or the system's errno, or the text as is. */
export function storeWords(err: unknown): { en: string; zh: string } {
  const code = sqliteCode(err);
  if (code !== undefined) {
    const w = SQLITE_WORDS[code] ?? SQLITE_WORDS[code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')];
    if (w) return w;
    return { en: err instanceof Error ? err.message : code, zh: `数据库出错（${code}）` };
  }
  const errno = errnoOf(err);
  if (errno !== undefined) return systemWords(errno);
  return { en: err instanceof Error ? err.message : String(err), zh: '数据库出错' };
}

/**
 * Every failure leaving src/store is a HallqError: STORE_CORRUPT when the data (or an attempted write) breaks the
 * log's invariants, STORE_IO otherwise. HallqErrors raised inside a transaction pass through unchanged.
 * `what` says what was being done, in English and Chinese; the reason follows in words of its own.
 */
export function storeError(err: unknown, what: { en: string; zh: string }, details: Record<string, unknown> = {}): HallqError {
  if (err instanceof HallqError) return err;
  const code = sqliteCode(err);
  const why = storeWords(err);
  return new HallqError(
    code !== undefined && isCorruptionCode(code) ? 'STORE_CORRUPT' : 'STORE_IO',
    `${what.en}: ${why.en}`,
    { ...details, ...(code === undefined ? {} : { sqlite: code }), messageZh: `${what.zh}：${why.zh}` },
    { cause: err },
  );
}

/**
 * STORE_CORRUPT: the log breaks one of its invariants. The Chinese names the event's seq when there is
 * one (the English says which invariant, for the developer who looks into the file).
 */
export function corrupt(message: string, details: Record<string, unknown>, messageZh?: string): HallqError {
  const seq = typeof details['seq'] === 'number' ? `（序号 ${String(details['seq'])}）` : '';
  return new HallqError('STORE_CORRUPT', message, { ...details, messageZh: messageZh ?? `事件日志的数据损坏或不一致${seq}，请保留该文件并联系技术支持` });
}
