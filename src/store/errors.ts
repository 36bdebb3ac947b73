import { HallqError } from '../../drivers/common/error.js';

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
 * Every failure leaving src/store is a HallqError: STORE_CORRUPT when the data (or an attempted write) breaks the
 * log's invariants, STORE_IO otherwise. HallqErrors raised inside a transaction pass through unchanged.
 */
export function storeError(err: unknown, what: string, details: Record<string, unknown> = {}): HallqError {
  if (err instanceof HallqError) return err;
  const code = sqliteCode(err);
  const reason = err instanceof Error ? err.message : String(err);
  return new HallqError(
    code !== undefined && isCorruptionCode(code) ? 'STORE_CORRUPT' : 'STORE_IO',
    `${what}: ${reason}`,
    code === undefined ? details : { ...details, sqlite: code },
    { cause: err },
  );
}

export function corrupt(message: string, details: Record<string, unknown>): HallqError {
  return new HallqError('STORE_CORRUPT', message, details);
}
