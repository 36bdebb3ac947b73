import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorParts } from '../../src/cli/cli-error.js';

/**
 * The ops tryout of the nineteenth session: `hallq report --db` on a file damaged inside printed
 * `error: FAILED: database disk image is malformed (操作失败)`, SQLite's own text and a Chinese that
 * says nothing. An SQLite error that reaches the CLI outside the store's wrappers is said in words.
 */
describe("SQLite's own errors at the CLI", () => {
  it('are the store\'s codes and words in both languages, never SQLite\'s text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-sqlite-words-'));
    const notDb = join(dir, 'garbage.db');
    writeFileSync(notDb, Buffer.alloc(8192, 0x5a));
    let raw: unknown;
    try {
      new Database(notDb).prepare('SELECT 1 FROM sqlite_master').get();
    } catch (e) {
      raw = e;
    }
    expect((raw as { code?: string }).code).toBe('SQLITE_NOTADB');
    expect(errorParts(raw)).toEqual({ code: 'STORE_CORRUPT', message: expect.stringContaining('the hall database: it is not a database') as string, messageZh: expect.stringContaining('大厅数据库：它不是数据库文件') as string });
    const corrupt = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    expect(errorParts(corrupt)).toEqual({ code: 'STORE_CORRUPT', message: 'the hall database: the database file is damaged', messageZh: '大厅数据库：数据库文件已损坏' });
  });
});
