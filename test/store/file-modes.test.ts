import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { openCredentials } from '../../src/server/auth/credentials.js';
import { loadOrCreateKey } from '../../src/server/sms/key-file.js';
import { openSmsDb } from '../../src/server/sms/sms-db.js';
import { EventLog } from '../../src/store/index.js';
import { lockDatabase, lockPathOf } from '../../src/store/lock.js';
import { tempDirs } from './temp-dir.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('files holding the hall data', () => {
  const dirs = tempDirs();
  let umask: number | undefined;
  afterEach(() => {
    if (umask !== undefined) process.umask(umask);
    dirs.cleanup();
  });

  it('are created 0600 (database, WAL, shared memory, SMS key) under the common umask 022', () => {
    umask = process.umask(0o022);
    const db = join(dirs.make(), 'hall.db');
    const log = EventLog.open(db);
    log.append([{ seq: 1, at: 1, commandId: 'c1', type: 'X' }], { id: 'c1', outcome: { ok: true } });
    const sms = openSmsDb(db, silentLogger);
    expect(existsSync(`${db}-wal`)).toBe(true);
    expect(existsSync(`${db}-shm`)).toBe(true);
    for (const p of [db, `${db}-wal`, `${db}-shm`]) expect([p, mode(p).toString(8)]).toEqual([p, '600']);
    loadOrCreateKey({ database: db, logger: silentLogger });
    expect(mode(`${db}.sms-key`).toString(8)).toBe('600');
    sms.close();
    log.close();
  });

  it('the writer\'s lock file beside the database is created 0600 too, and its journal with it', () => {
    umask = process.umask(0o022);
    const db = join(dirs.make(), 'hall.db');
    const lock = lockDatabase(db);
    expect(mode(lockPathOf(db)).toString(8)).toBe('600');
    // The held exclusive transaction has its rollback journal open: made with the lock file's mode.
    expect(mode(`${lockPathOf(db)}-journal`).toString(8)).toBe('600');
    lock.release();
  });

  it('are created 0600 when `hallq staff passwd` is the first to open the database (it holds the PIN hashes)', () => {
    umask = process.umask(0o022);
    const db = join(dirs.make(), 'hall.db');
    const credentials = openCredentials(db, silentLogger);
    for (const p of [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f))) expect([p, mode(p).toString(8)]).toEqual([p, '600']);
    credentials.close();
  });

  it('an existing database readable by others is made private when opened', () => {
    umask = process.umask(0o022);
    const db = join(dirs.make(), 'hall.db');
    EventLog.open(db).close();
    // An older install, or a copy made with cp: world-readable.
    chmodSync(db, 0o644);
    expect(mode(db).toString(8)).toBe('644');
    const log = EventLog.open(db);
    expect(mode(db).toString(8)).toBe('600');
    log.close();
  });

  it('a database with no write bit at all (a backup copy, chmod 0444) is refused, not migrated nor re-moded, even as root', () => {
    const db = join(dirs.make(), 'hall.db');
    const log = EventLog.open(db);
    log.append([{ seq: 1, at: 1, commandId: 'c1', type: 'X' }], { id: 'c1', outcome: { ok: true } });
    log.close();
    chmodSync(db, 0o444);
    const before = statSync(db);
    expect(() => EventLog.open(db)).toThrow(/read-only \(mode 0444\).*chmod 600/);
    expect(mode(db).toString(8)).toBe('444');
    expect(statSync(db).mtimeMs).toBe(before.mtimeMs);
    // Read-only opens (reports) still read it.
    const ro = EventLog.open(db, { readonly: true });
    expect(ro.lastSeq()).toBe(1);
    ro.close();
  });
});
