import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { openCredentials } from '../../src/server/auth/credentials.js';
import { loadOrCreateKey } from '../../src/server/sms/key-file.js';
import { openSmsDb } from '../../src/server/sms/sms-db.js';
import { HallEngine } from '../../src/server/engine.js';
import { EventLog, SnapshotFile, snapshotFilePath } from '../../src/store/index.js';
import { hallConfig, monday } from '../core/fixtures.js';
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

  it('a snapshot file (and its WAL and shared memory) found readable by others is made private at the server start, when it is read, not at the next snapshot', async () => {
    umask = process.umask(0o022);
    const db = join(dirs.make(), 'hall.db');
    const first = HallEngine.open(db, hallConfig(), silentLogger, monday('09:00'));
    first.close();
    await first.whenClosed();
    const snapshots = snapshotFilePath(db) ?? '';
    // Held open by a writer, so its -wal and -shm are there too (a server killed mid-snapshot leaves them).
    const writer = SnapshotFile.openForWriting(snapshots);
    const files = [db, snapshots, `${snapshots}-wal`, `${snapshots}-shm`];
    expect(files.map(existsSync)).toEqual([true, true, true, true]);
    // The tryout: stop the server, chmod 644 them, start it.
    for (const f of files) chmodSync(f, 0o644);
    const engine = HallEngine.open(db, hallConfig(), silentLogger, monday('09:00'));
    expect(files.map((f) => [f, mode(f).toString(8)])).toEqual(files.map((f) => [f, '600']));
    engine.close();
    await engine.whenClosed();
    writer.close();
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
