import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import { EventLog, ITERATE_PAGE, replay } from '../../src/store/index.js';
import type { LogEvent } from '../../src/store/index.js';
import { tempDirs } from './temp-dir.js';

interface AddEvent extends LogEvent {
  type: 'add';
  n: number;
}
interface Counter {
  total: number;
  seen: number[];
}

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function logWith(count: number): EventLog<AddEvent> {
  const log = EventLog.open<AddEvent>(join(dirs.make(), 'events.db'));
  // One append keeps the test fast (each append is an fsync); the commands are distinct all the same.
  log.append(Array.from({ length: count }, (_, i): AddEvent => ({ seq: i + 1, at: i + 1, commandId: `c${i + 1}`, type: 'add', n: i + 1 })));
  return log;
}

const init = (): Counter => ({ total: 0, seen: [] });
const apply = (s: Counter, e: AddEvent): void => {
  s.total += e.n;
  s.seen.push(e.seq);
};
const sum = (from: number, to: number) => ((to - from + 1) * (from + to)) / 2;

describe('replay', () => {
  it('rebuilds from an empty log to the initial state', () => {
    const log = logWith(0);
    expect(replay(log, init, apply)).toEqual({ state: init(), lastSeq: 0, replayed: 0, snapshotSeq: undefined });
    log.close();
  });

  it('applies every event in order when there is no snapshot, across iterate pages', () => {
    const count = ITERATE_PAGE + 3;
    const log = logWith(count);
    const r = replay(log, init, apply);
    expect(r.lastSeq).toBe(count);
    expect(r.replayed).toBe(count);
    expect(r.state.total).toBe(sum(1, count));
    expect(r.state.seen).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    log.close();
  });

  it('starts from the newest snapshot and applies only the events after it', () => {
    const log = logWith(10);
    log.saveSnapshot(4, { total: sum(1, 4), seen: ['from-snap-4'] });
    log.saveSnapshot(7, { total: sum(1, 7), seen: ['from-snap-7'] });
    const r = replay(log, init, apply, { fromSnapshot: (snap) => snap as Counter });
    expect(r.snapshotSeq).toBe(7);
    expect(r.replayed).toBe(3);
    expect(r.lastSeq).toBe(10);
    expect(r.state).toEqual({ total: sum(1, 10), seen: ['from-snap-7', 8, 9, 10] });
    log.close();
  });

  it('gives lastSeq = the snapshot seq when nothing follows it', () => {
    const log = logWith(5);
    log.saveSnapshot(5, { total: 15, seen: [] });
    expect(replay(log, init, apply, { fromSnapshot: (s) => s as Counter })).toMatchObject({ lastSeq: 5, replayed: 0, snapshotSeq: 5 });
    log.close();
  });

  it('ignores snapshots when it has no way to revive one', () => {
    const log = logWith(5);
    log.saveSnapshot(3, { total: -1000, seen: [] });
    const r = replay(log, init, apply);
    expect(r).toMatchObject({ replayed: 5, snapshotSeq: undefined });
    expect(r.state.total).toBe(15);
    log.close();
  });

  it('surfaces a hole in the log as STORE_CORRUPT rather than a state missing an event', async () => {
    const log = logWith(5);
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(log.path);
    raw.prepare('DELETE FROM events WHERE seq = 3').run();
    raw.close();
    let err: unknown;
    try {
      replay(log, init, apply);
    } catch (e) {
      err = e;
    }
    expect(isHallqError(err, 'STORE_CORRUPT')).toBe(true);
    expect((err as { details?: unknown }).details).toMatchObject({ seq: 3 });
    log.close();
  });
});
