import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog, replay, SnapshotFile, snapshotFilePath, SNAPSHOTS_KEPT } from '../../src/store/index.js';
import type { LogEvent } from '../../src/store/index.js';
import { tempDirs } from './temp-dir.js';

/**
 * The snapshot file (issue 12): snapshots kept beside the log, written off the event loop, each bound to
 * the history it was made from by the digest of the log's event at its seq.
 */

interface AddEvent extends LogEvent {
  type: 'add';
  n: number;
}

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** A log of `count` add events; `salt` changes the commands, so two salts are two histories of the same length. */
function logWith(count: number, salt = 'a', dir = dirs.make()): EventLog<AddEvent> {
  const log = EventLog.open<AddEvent>(join(dir, 'events.db'));
  log.append(Array.from({ length: count }, (_, i): AddEvent => ({ seq: i + 1, at: i + 1, commandId: `${salt}${i + 1}`, type: 'add', n: i + 1 })));
  return log;
}

describe('snapshot file', () => {
  it('is named after the log, and a log that is no file of its own has none', () => {
    expect(snapshotFilePath('/var/lib/hallq/hall.db')).toBe('/var/lib/hallq/hall.db.snapshots');
    expect(snapshotFilePath(':memory:')).toBeUndefined();
    expect(snapshotFilePath('')).toBeUndefined();
    expect(snapshotFilePath('file:x.db?mode=memory')).toBeUndefined();
  });

  it("gives the newest snapshot of the log's own history, private to its owner", () => {
    const log = logWith(10);
    const path = snapshotFilePath(log.path) ?? '';
    const file = SnapshotFile.openForWriting(path);
    file.save(4, log.eventDigest(4) ?? '', JSON.stringify({ at: 4 }));
    file.save(7, log.eventDigest(7) ?? '', JSON.stringify({ at: 7 }));
    file.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(SnapshotFile.latestFor(path, log)).toEqual({ kind: 'found', seq: 7, state: { at: 7 }, skipped: 0 });
    log.close();
  });

  it('passes over a snapshot of another history at the same seq, and one past the end of a shorter log', () => {
    const dir = dirs.make();
    const mine = logWith(10, 'a', dir);
    const other = logWith(20, 'b', dirs.make());
    expect(other.eventDigest(7)).not.toBe(mine.eventDigest(7));
    const path = snapshotFilePath(mine.path) ?? '';
    const file = SnapshotFile.openForWriting(path);
    file.save(4, mine.eventDigest(4) ?? '', '"mine at 4"');
    // Another history's (a backup restored over the log, then written on): same seq, other events.
    file.save(7, other.eventDigest(7) ?? '', '"other at 7"');
    // Past the end of this log (the log is a backup older than the snapshot).
    file.save(15, other.eventDigest(15) ?? '', '"other at 15"');
    file.close();
    expect(SnapshotFile.latestFor(path, mine)).toEqual({ kind: 'found', seq: 4, state: 'mine at 4', skipped: 2 });
    expect(SnapshotFile.latestFor(path, other)).toEqual({ kind: 'found', seq: 15, state: 'other at 15', skipped: 0 });
    mine.close();
    other.close();
  });

  it('says none, unmatched or unreadable, and never throws', () => {
    const log = logWith(3);
    const path = snapshotFilePath(log.path) ?? '';
    expect(SnapshotFile.latestFor(path, log)).toEqual({ kind: 'none' });
    const other = logWith(3, 'b');
    const file = SnapshotFile.openForWriting(path);
    file.save(2, other.eventDigest(2) ?? '', '{}');
    file.close();
    expect(SnapshotFile.latestFor(path, log)).toEqual({ kind: 'unmatched', skipped: 1 });
    writeFileSync(path, 'not a database, but the bytes of something else entirely');
    expect(SnapshotFile.latestFor(path, log).kind).toBe('unreadable');
    log.close();
    other.close();
  });

  it('keeps the newest few, and a replay takes the newer of the file and the log', () => {
    const log = logWith(10);
    const path = snapshotFilePath(log.path) ?? '';
    const file = SnapshotFile.openForWriting(path);
    for (let seq = 1; seq <= 6; seq++) file.save(seq, log.eventDigest(seq) ?? '', JSON.stringify({ total: (seq * (seq + 1)) / 2, from: `file ${seq}` }));
    file.close();
    log.saveSnapshot(8, { total: 36, from: 'log 8' });
    const side = () => {
      const f = SnapshotFile.latestFor(path, log);
      return f.kind === 'found' ? f : undefined;
    };
    const apply = (s: { total: number; from: string }, e: AddEvent) => void (s.total += e.n);
    const fromLog = replay(log, () => ({ total: 0, from: 'empty' }), apply, { fromSnapshot: (s) => s as { total: number; from: string }, sideSnapshot: side });
    expect(fromLog).toMatchObject({ snapshotSeq: 8, replayed: 2, state: { total: 55, from: 'log 8' } });
    const db = SnapshotFile.openForWriting(path);
    db.save(9, log.eventDigest(9) ?? '', JSON.stringify({ total: 45, from: 'file 9' }));
    db.close();
    const fromFile = replay(log, () => ({ total: 0, from: 'empty' }), apply, { fromSnapshot: (s) => s as { total: number; from: string }, sideSnapshot: side });
    expect(fromFile).toMatchObject({ snapshotSeq: 9, replayed: 1, state: { total: 55, from: 'file 9' } });
    // Only the newest SNAPSHOTS_KEPT rows stay.
    const db2 = new Database(path, { readonly: true });
    expect(db2.prepare('SELECT seq FROM snapshots ORDER BY seq').all()).toEqual([1, 2, 3, 4, 5, 6, 9].slice(-SNAPSHOTS_KEPT).map((seq) => ({ seq })));
    db2.close();
    log.close();
  });
});
