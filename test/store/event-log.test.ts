import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import { recordingLogger } from '../../drivers/common/logger.js';
import { EventLog, ITERATE_PAGE, SCHEMA_VERSION, SNAPSHOTS_KEPT } from '../../src/store/index.js';
import type { LogEvent } from '../../src/store/index.js';
import { tempDirs } from './temp-dir.js';

interface TestEvent extends LogEvent {
  n?: number;
  note?: string;
}

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function ev(seq: number, commandId: string, extra: Partial<TestEvent> = {}): TestEvent {
  return { seq, at: 1_700_000_000_000 + seq, commandId, type: 'ticket.issued', ...extra };
}

function openFresh(): { log: EventLog<TestEvent>; path: string } {
  const path = join(dirs.make(), 'events.db');
  return { log: EventLog.open<TestEvent>(path), path };
}

/** Runs fn, expects a HallqError with `code`, returns it for further checks. */
function thrown(fn: () => unknown, code: 'STORE_CORRUPT' | 'STORE_IO' | 'INTERNAL') {
  try {
    fn();
  } catch (err) {
    if (isHallqError(err, code)) return err;
    throw new Error(`expected HallqError ${code}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected HallqError ${code}, nothing was thrown`);
}

describe('EventLog open', () => {
  it('uses WAL, synchronous=FULL (2), foreign keys, a busy timeout and the current schema version', () => {
    const { log } = openFresh();
    expect(log.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, foreignKeys: 1, busyTimeout: 5000, userVersion: SCHEMA_VERSION });
    expect(log.lastSeq()).toBe(0);
    log.close();
  });

  it('keeps synchronous=FULL on a read-only connection too', () => {
    const { log, path } = openFresh();
    const ro = EventLog.open(path, { readonly: true });
    expect(ro.pragmas().synchronous).toBe(2);
    ro.close();
    log.close();
  });

  it('refuses a file that is not a database with STORE_CORRUPT', () => {
    const path = join(dirs.make(), 'junk.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const err = thrown(() => EventLog.open(path), 'STORE_CORRUPT');
    expect(err.details).toMatchObject({ path, sqlite: 'SQLITE_NOTADB' });
  });

  it('gives STORE_IO when the directory does not exist, or a read-only open finds no file', () => {
    const dir = dirs.make();
    thrown(() => EventLog.open(join(dir, 'no', 'such', 'events.db')), 'STORE_IO');
    thrown(() => EventLog.open(join(dir, 'missing.db'), { readonly: true }), 'STORE_IO');
  });

  it('logs the open with the schema version and last seq', () => {
    const logger = recordingLogger();
    const path = join(dirs.make(), 'events.db');
    EventLog.open(path, { logger }).close();
    const open = logger.records.find((r) => r.msg === 'event log open');
    expect(open?.obj).toMatchObject({ schemaVersion: SCHEMA_VERSION, lastSeq: 0, migratedFrom: 0 });
    expect(open?.bindings).toMatchObject({ module: 'store', path });
  });
});

describe('EventLog append and read', () => {
  it('stores events with their fields and reads them back in order, also after reopening', () => {
    const { log, path } = openFresh();
    log.append([ev(1, 'c1', { n: 7, note: '张三 窗口3' }), ev(2, 'c1')], { id: 'c1', outcome: { ok: true, ticket: 'A001' } });
    log.append([ev(3, 'c2', { type: 'ticket.called' })], { id: 'c2', outcome: { ok: true } });
    log.close();

    const again = EventLog.open<TestEvent>(path);
    expect(again.lastSeq()).toBe(3);
    expect(again.read(0)).toEqual([ev(1, 'c1', { n: 7, note: '张三 窗口3' }), ev(2, 'c1'), ev(3, 'c2', { type: 'ticket.called' })]);
    expect(again.read(1, 1)).toEqual([ev(2, 'c1')]);
    expect(again.read(3)).toEqual([]);
    expect(again.read(99)).toEqual([]);
    expect(again.commandOutcome('c1')).toEqual({ ok: true, ticket: 'A001' });
    again.close();
  });

  it('returns the recorded outcome for a command id and undefined for an unknown one', () => {
    const { log } = openFresh();
    expect(log.commandOutcome('c1')).toBeUndefined();
    log.append([ev(1, 'c1')], { id: 'c1', outcome: { ok: false, code: 'QUOTA' } });
    expect(log.commandOutcome('c1')).toEqual({ ok: false, code: 'QUOTA' });
    expect(log.commandOutcome('c2')).toBeUndefined();
    // null and falsy outcomes are outcomes, not "missing"
    log.append([], { id: 'c-null', outcome: null });
    log.append([], { id: 'c-zero', outcome: 0 });
    expect(log.commandOutcome('c-null')).toBeNull();
    expect(log.commandOutcome('c-zero')).toBe(0);
    log.close();
  });

  it('looks up the outcomes of several command ids at once, the stored ones only, null and 0 included', () => {
    const { log } = openFresh();
    expect(log.commandOutcomes([])).toEqual(new Map());
    expect(log.commandOutcomes(['c1'])).toEqual(new Map());
    log.append([ev(1, 'c1')], { id: 'c1', outcome: { ok: false, code: 'QUOTA' } });
    log.append([], { id: 'c-null', outcome: null });
    log.append([], { id: "c'0\"", outcome: 0 });
    const found = log.commandOutcomes(['c2', 'c-null', 'c1', "c'0\"", 'c1']);
    expect(found).toEqual(
      new Map<string, unknown>([
        ['c-null', null],
        ['c1', { ok: false, code: 'QUOTA' }],
        ["c'0\"", 0],
      ]),
    );
    expect(found.has('c2')).toBe(false);
    log.close();
  });

  it('records the outcome of a command that produced no events without moving lastSeq', () => {
    const { log } = openFresh();
    log.append([ev(1, 'c1')], { id: 'c1', outcome: 1 });
    log.append([], { id: 'rejected', outcome: { ok: false, reason: 'window closed' } });
    expect(log.lastSeq()).toBe(1);
    expect(log.commandOutcome('rejected')).toEqual({ ok: false, reason: 'window closed' });
    log.append([ev(2, 'c2')]);
    expect(log.read(0).map((e) => e.seq)).toEqual([1, 2]);
    log.close();
  });

  it('refuses a first seq that does not follow lastSeq, and writes nothing', () => {
    const { log } = openFresh();
    const gap = thrown(() => log.append([ev(2, 'c1')], { id: 'c1', outcome: 1 }), 'STORE_CORRUPT');
    expect(gap.details).toMatchObject({ seq: 2, lastSeq: 0 });
    log.append([ev(1, 'c1')], { id: 'c1', outcome: 1 });
    thrown(() => log.append([ev(1, 'c2')], { id: 'c2', outcome: 1 }), 'STORE_CORRUPT');
    expect(log.commandOutcome('c2')).toBeUndefined();
    expect(log.lastSeq()).toBe(1);
    log.close();
  });

  it('refuses non-contiguous seqs within one append', () => {
    const { log } = openFresh();
    const err = thrown(() => log.append([ev(1, 'c1'), ev(3, 'c1')], { id: 'c1', outcome: 1 }), 'STORE_CORRUPT');
    expect(err.details).toMatchObject({ seq: 3 });
    thrown(() => log.append([ev(1, 'c1'), ev(1, 'c1')]), 'STORE_CORRUPT');
    expect(log.lastSeq()).toBe(0);
    expect(log.commandOutcome('c1')).toBeUndefined();
    log.close();
  });

  it('refuses a repeated command id and rolls back its events with it', () => {
    const { log } = openFresh();
    log.append([ev(1, 'c1')], { id: 'c1', outcome: 'first' });
    // The events insert fine; the command row then violates the key, so the whole transaction must go.
    const err = thrown(() => log.append([ev(2, 'c1')], { id: 'c1', outcome: 'second' }), 'STORE_CORRUPT');
    expect(err.details).toMatchObject({ commandId: 'c1' });
    expect(log.lastSeq()).toBe(1);
    expect(log.commandOutcome('c1')).toBe('first');
    log.close();
  });

  it('refuses more events of a recorded command even when they come without an outcome', () => {
    const { log } = openFresh();
    log.append([ev(1, 'c1'), ev(2, 'c1')], { id: 'c1', outcome: 1 });
    const err = thrown(() => log.append([ev(3, 'c2'), ev(4, 'c1')]), 'STORE_CORRUPT');
    expect(err.details).toMatchObject({ commandId: 'c1' });
    expect(log.lastSeq()).toBe(2);
    // History in bulk, several commands interleaved, none recorded: fine.
    log.append([ev(3, 'c2'), ev(4, 'c3'), ev(5, 'c2')]);
    expect(log.lastSeq()).toBe(5);
    log.close();
  });

  it('keeps no index on the events but their seq: a commit writes the table, not a random-key index (issue 12)', () => {
    const { log, path } = openFresh();
    log.append([ev(1, 'c1')], { id: 'c1', outcome: 1 });
    log.close();
    const db = new Database(path, { readonly: true });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'").all();
    db.close();
    expect(indexes).toEqual([]);
  });

  it('refuses events that belong to another command than the outcome', () => {
    const { log } = openFresh();
    const err = thrown(() => log.append([ev(1, 'c1'), ev(2, 'other')], { id: 'c1', outcome: 1 }), 'STORE_CORRUPT');
    expect(err.details).toMatchObject({ seq: 2 });
    expect(log.lastSeq()).toBe(0);
    log.close();
  });

  it('refuses values JSON cannot hold, before touching the file', () => {
    const { log } = openFresh();
    thrown(() => log.append([ev(1, 'c1', { n: 1n as unknown as number })]), 'STORE_CORRUPT');
    thrown(() => log.append([], { id: 'c1', outcome: undefined }), 'STORE_CORRUPT');
    thrown(() => log.append([ev(1, 'c1', { at: Number.NaN })]), 'STORE_CORRUPT');
    thrown(() => log.append([ev(1.5, 'c1')]), 'STORE_CORRUPT');
    expect(log.lastSeq()).toBe(0);
    expect(log.commandOutcome('c1')).toBeUndefined();
    log.close();
  });

  it('rejects nonsense read arguments', () => {
    const { log } = openFresh();
    thrown(() => log.read(-1), 'INTERNAL');
    thrown(() => log.read(0, 1.5), 'INTERNAL');
    log.close();
  });
});

describe('EventLog iterate', () => {
  it('streams every event across page boundaries, from any starting seq', () => {
    const { log } = openFresh();
    const total = ITERATE_PAGE * 2 + 17;
    const all = Array.from({ length: total }, (_, i) => ev(i + 1, `c${i + 1}`, { n: i }));
    log.append(all);
    expect([...log.iterate()]).toEqual(all);
    expect([...log.iterate(ITERATE_PAGE)]).toEqual(all.slice(ITERATE_PAGE));
    expect([...log.iterate(total)]).toEqual([]);
    log.close();
  });

  it('leaves the connection usable while iterating (appends in between are seen at the end)', () => {
    const { log } = openFresh();
    log.append(Array.from({ length: ITERATE_PAGE + 1 }, (_, i) => ev(i + 1, `c${i + 1}`)));
    const seen: number[] = [];
    for (const e of log.iterate()) {
      seen.push(e.seq);
      if (e.seq === 1) log.append([ev(ITERATE_PAGE + 2, 'late')]);
    }
    expect(seen).toEqual(Array.from({ length: ITERATE_PAGE + 2 }, (_, i) => i + 1));
    log.close();
  });
});

describe('EventLog snapshots', () => {
  it('returns the newest snapshot and keeps only the newest few', () => {
    const { log, path } = openFresh();
    expect(log.latestSnapshot()).toBeUndefined();
    for (let s = 1; s <= 6; s++) log.append([ev(s, `c${s}`)]);
    log.saveSnapshot(0, { tickets: [] });
    for (let s = 1; s <= 6; s++) log.saveSnapshot(s, { upTo: s, name: '号' });
    expect(log.latestSnapshot()).toEqual({ seq: 6, state: { upTo: 6, name: '号' } });
    log.close();
    const raw = new Database(path, { readonly: true });
    const seqs = raw.prepare('SELECT seq FROM snapshots ORDER BY seq').pluck().all();
    raw.close();
    expect(seqs).toEqual([4, 5, 6].slice(-SNAPSHOTS_KEPT));
  });

  it('replaces a snapshot saved twice at the same seq', () => {
    const { log } = openFresh();
    log.append([ev(1, 'c1')]);
    log.saveSnapshot(1, 'a');
    log.saveSnapshot(1, 'b');
    expect(log.latestSnapshot()).toEqual({ seq: 1, state: 'b' });
    log.close();
  });

  it('refuses a snapshot past the end of the log or of a non-JSON state', () => {
    const { log } = openFresh();
    log.append([ev(1, 'c1')]);
    expect(thrown(() => log.saveSnapshot(2, {}), 'STORE_CORRUPT').details).toMatchObject({ seq: 2, lastSeq: 1 });
    thrown(() => log.saveSnapshot(1, undefined), 'STORE_CORRUPT');
    thrown(() => log.saveSnapshot(-1, {}), 'STORE_CORRUPT');
    expect(log.latestSnapshot()).toBeUndefined();
    log.close();
  });
});

describe('EventLog corrupt rows', () => {
  /** A log of 3 events, then a raw connection to damage it the way a bad disk or a stray sqlite3 session might. */
  function damaged(sql: string): EventLog<TestEvent> {
    const { log, path } = openFresh();
    log.append([ev(1, 'c1'), ev(2, 'c1'), ev(3, 'c1')], { id: 'c1', outcome: { ok: true } });
    log.saveSnapshot(3, { ok: true });
    const raw = new Database(path);
    raw.exec(sql);
    raw.close();
    return log;
  }

  it('reports unreadable event JSON with its seq from read and iterate', () => {
    const log = damaged(`UPDATE events SET body = '{"n":' WHERE seq = 2`);
    expect(thrown(() => log.read(0), 'STORE_CORRUPT').details).toMatchObject({ seq: 2 });
    expect(thrown(() => [...log.iterate()], 'STORE_CORRUPT').details).toMatchObject({ seq: 2 });
    expect(log.read(2)).toEqual([ev(3, 'c1')]);
    log.close();
  });

  it('reports a body that is not an object, or a column of the wrong type, with the seq', () => {
    const log = damaged(`UPDATE events SET body = '[1]' WHERE seq = 1; UPDATE events SET type = x'00ff' WHERE seq = 3`);
    expect(thrown(() => log.read(0), 'STORE_CORRUPT').details).toMatchObject({ seq: 1 });
    expect(thrown(() => log.read(2), 'STORE_CORRUPT').details).toMatchObject({ seq: 3 });
    log.close();
  });

  it('reports a missing event instead of skipping it', () => {
    const log = damaged('DELETE FROM events WHERE seq = 2');
    const err = thrown(() => log.read(0), 'STORE_CORRUPT');
    expect(err.details).toMatchObject({ seq: 2 });
    expect(err.message).toContain('2');
    thrown(() => log.read(1), 'STORE_CORRUPT');
    log.close();
  });

  it('reports an unreadable outcome or snapshot', () => {
    const log = damaged(`UPDATE commands SET outcome = 'nope'; UPDATE snapshots SET state = '{'`);
    expect(thrown(() => log.commandOutcome('c1'), 'STORE_CORRUPT').details).toMatchObject({ commandId: 'c1' });
    expect(thrown(() => log.latestSnapshot(), 'STORE_CORRUPT').details).toMatchObject({ seq: 3 });
    log.close();
  });
});

describe('EventLog read-only and closed', () => {
  it('a read-only reader sees a live writer and cannot write', () => {
    const { log, path } = openFresh();
    const ro = EventLog.open<TestEvent>(path, { readonly: true });
    expect(ro.lastSeq()).toBe(0);
    log.append([ev(1, 'c1')], { id: 'c1', outcome: 1 });
    expect(ro.lastSeq()).toBe(1);
    expect(ro.read(0)).toEqual([ev(1, 'c1')]);
    thrown(() => ro.append([ev(2, 'c2')]), 'STORE_IO');
    thrown(() => ro.saveSnapshot(1, {}), 'STORE_IO');
    ro.close();
    log.close();
  });

  it('gives STORE_IO after close, and close twice is harmless', () => {
    const { log } = openFresh();
    log.close();
    log.close();
    thrown(() => log.lastSeq(), 'STORE_IO');
    thrown(() => log.append([ev(1, 'c1')]), 'STORE_IO');
    thrown(() => log.read(0), 'STORE_IO');
  });

  it('opens an in-memory log (for tests of other modules)', () => {
    const log = EventLog.open<TestEvent>(':memory:');
    log.append([ev(1, 'c1')], { id: 'c1', outcome: true });
    expect(log.read(0)).toEqual([ev(1, 'c1')]);
    expect(log.pragmas().synchronous).toBe(2);
    log.close();
  });
});
