import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HallqError, isHallqError } from '../../drivers/common/error.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from '../../src/store/schema.js';
import { EventLog } from '../../src/store/index.js';
import { tempDirs } from './temp-dir.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** A database as the first release would have left it: migration 1 only, with rows in that shape. */
function versionOneDatabase(): string {
  const path = join(dirs.make(), 'v1.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, 1));
  const insert = db.prepare('INSERT INTO events (seq, at, command_id, type, body) VALUES (?, ?, ?, ?, ?)');
  insert.run(1, 1000, 'c1', 'ticket.issued', '{"ticket":"A001"}');
  insert.run(2, 1001, 'c1', 'ticket.printed', '{}');
  insert.run(3, 1002, 'c2', 'ticket.called', '{"window":3}');
  db.prepare('INSERT INTO commands (id, outcome, last_seq) VALUES (?, ?, ?)').run('c1', '{"ok":true}', 2);
  expect(schemaVersion(db)).toBe(1);
  db.close();
  return path;
}

describe('schema migrations', () => {
  it('have versions 1..n in order, and the code version is the last', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
  });

  it('migrate an old-version database at open, keeping its rows', () => {
    const path = versionOneDatabase();
    const log = EventLog.open(path);
    expect(log.pragmas().userVersion).toBe(SCHEMA_VERSION);
    expect(log.lastSeq()).toBe(3);
    expect(log.read(0)).toEqual([
      { seq: 1, at: 1000, commandId: 'c1', type: 'ticket.issued', ticket: 'A001' },
      { seq: 2, at: 1001, commandId: 'c1', type: 'ticket.printed' },
      { seq: 3, at: 1002, commandId: 'c2', type: 'ticket.called', window: 3 },
    ]);
    expect(log.commandOutcome('c1')).toEqual({ ok: true });
    // New rows go in after the migrated ones; the old commands' rows refuse more events of theirs.
    log.append([{ seq: 4, at: 1003, commandId: 'c3', type: 'ticket.served' }], { id: 'c3', outcome: {} });
    expect(() => log.append([{ seq: 5, at: 1004, commandId: 'c1', type: 'ticket.printed' }])).toThrow(/c1/);
    log.close();

    // Migration 2 back-filled each event's position within its command (part of an event's fingerprint);
    // migration 8 dropped the UNIQUE index 2 made over it.
    const raw = new Database(path);
    expect(raw.prepare('SELECT seq, pos FROM events ORDER BY seq').all()).toEqual([
      { seq: 1, pos: 0 },
      { seq: 2, pos: 1 },
      { seq: 3, pos: 0 },
      { seq: 4, pos: 0 },
    ]);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'").all()).toEqual([]);
    raw.close();
  });

  it('refuse a database newer than the code, naming both versions', () => {
    const path = join(dirs.make(), 'future.db');
    EventLog.open(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();

    let err: unknown;
    try {
      EventLog.open(path);
    } catch (e) {
      err = e;
    }
    expect(isHallqError(err, 'STORE_CORRUPT')).toBe(true);
    const e = err as HallqError;
    expect(e.message).toContain(String(SCHEMA_VERSION + 5));
    expect(e.message).toContain(String(SCHEMA_VERSION));
    expect(e.details).toMatchObject({ found: SCHEMA_VERSION + 5, known: SCHEMA_VERSION });
    // It was not touched either.
    const check = new Database(path, { readonly: true });
    expect(schemaVersion(check)).toBe(SCHEMA_VERSION + 5);
    check.close();
    expect(() => EventLog.open(path, { readonly: true })).toThrow(HallqError);
  });

  it('refuse to open an old version read-only, since that cannot migrate', () => {
    const path = versionOneDatabase();
    expect(() => EventLog.open(path, { readonly: true })).toThrow(new RegExp(`version 1.*needs ${SCHEMA_VERSION}`));
  });

  it('apply each migration in its own transaction: a failing one leaves the version and schema before it', () => {
    const path = join(dirs.make(), 'half.db');
    const db = new Database(path);
    const broken = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, description: 'broken', sql: 'CREATE TABLE extra (a); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, broken)).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'extra'`).pluck().get()).toBe(0);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'events'`).pluck().get()).toBe(1);
    db.close();
  });

  it('are a no-op when already current', () => {
    const path = join(dirs.make(), 'twice.db');
    EventLog.open(path).close();
    const db = new Database(path);
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    db.close();
  });
});
