import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { emptyState, apply, type Command, type HallConfig, type HallEvent } from '../../src/core/index.js';
import { EventLog, replay, SnapshotFile } from '../../src/store/index.js';
import { eventsBetweenSnapshots, HallEngine } from '../../src/server/engine.js';
import type { SnapshotSaved } from '../../src/server/snapshot-writer.js';
import { hallConfig, monday } from '../core/fixtures.js';
import { threadNices } from '../helpers/thread-nice.js';
import { BACKGROUND_NICE } from '../../src/ops/thread-priority.js';

/**
 * Snapshots (issue 12): at least 2,000 events apart, and further apart after a big one (one event per
 * 250 bytes of its JSON), so saving them costs each command a bounded share whatever the day's size;
 * a restart replays the events after the newest one and gets the same state. They are written by a
 * worker thread into a file of their own, bound to the log's history; the log's own table only when
 * that fails.
 */

const root = mkdtempSync(join(tmpdir(), 'hallq-snapshot-spacing-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const dirs = () => {
  const d = join(root, String(++made));
  mkdirSync(d);
  return d;
};
const config: HallConfig = hallConfig({ windows: [{ id: 1, kind: 'general', tiers: [['A', 'B']] }] });

describe('snapshot spacing', () => {
  it('is 2,000 events for a small state and one event per 250 bytes of a big one', () => {
    expect(eventsBetweenSnapshots(0)).toBe(2000);
    expect(eventsBetweenSnapshots(400_000)).toBe(2000);
    expect(eventsBetweenSnapshots(500_000)).toBe(2000);
    expect(eventsBetweenSnapshots(500_001)).toBe(2001);
    expect(eventsBetweenSnapshots(2_000_000)).toBe(8000);
  });

  /** Opening and closing a window, 100 commands a commit, until the log reaches `upTo`: a small state, so 2,000 events apart. */
  function run(engine: HallEngine, upTo: number, salt = 'c'): void {
    const now = monday('09:00');
    let n = engine.state.seq;
    while (engine.state.seq < upTo) {
      const openNow = engine.state.windows['1']?.status === 'open';
      const batch = Array.from({ length: Math.min(100, upTo - engine.state.seq) }, (_, i) => {
        const type = (i % 2 === 0) === openNow ? 'CloseWindow' : 'OpenWindow';
        n++;
        return { id: `${salt}${n}`, type, window: 1, ...(type === 'OpenWindow' ? { staffId: 's1' } : {}) } as Command;
      });
      for (const r of engine.handleBatch(batch, now + n)) expect(!(r instanceof Error) && r.outcome.ok).toBe(true);
    }
  }

  /** Resolves with the first snapshot saved at or past `seq`. */
  const savedPast = (engine: HallEngine, seq: number) =>
    new Promise<SnapshotSaved>((res) => {
      const off = engine.onSnapshotSaved((s) => {
        if (s.seq >= seq) res(s), off();
      });
    });

  it('writes snapshots off the event loop, at the lowest CPU priority, into the snapshot file, from which a restart rebuilds the same state', async () => {
    const path = join(dirs(), 'hall.db');
    const background = () => [...threadNices().values()].filter((n) => n === BACKGROUND_NICE).length;
    const lowBefore = background();
    const engine = HallEngine.open(path, config, silentLogger, monday('09:00'));
    const saved = savedPast(engine, 2000);
    run(engine, 2500);
    const snap = await saved;
    expect(snap.where).toBe('file');
    // The worker's thread (and it alone) took nice 19; the event loop's did not move (Linux only).
    if (process.platform === 'linux') {
      expect(background()).toBe(lowBefore + 1);
      expect(threadNices().get(process.pid)).not.toBe(BACKGROUND_NICE);
    }
    // Nothing was written into the log's own table (where the event loop would have written it).
    expect(engine.log.latestSnapshot()).toBeUndefined();
    const state = JSON.stringify(engine.state);
    const seq = engine.state.seq;
    engine.close();
    await engine.whenClosed();
    const records: LogRecord[] = [];
    const again = HallEngine.open(path, config, recordingLogger(records), monday('09:00'));
    const replayed = records.find((r) => r.msg === 'event log replayed')?.obj as { snapshotSeq?: number; replayed?: number };
    expect(replayed.snapshotSeq).toBeGreaterThanOrEqual(snap.seq);
    expect(replayed.replayed).toBe(seq - (replayed.snapshotSeq ?? 0));
    expect(JSON.stringify(again.state)).toBe(state);
    again.close();
  });

  it("does not take a snapshot of a newer history when an older backup of the log is restored", async () => {
    const dir = dirs();
    const path = join(dir, 'hall.db');
    const engine = HallEngine.open(path, config, silentLogger, monday('09:00'));
    run(engine, 300);
    engine.close();
    copyFileSync(path, join(dir, 'backup.db'));
    const later = HallEngine.open(path, config, silentLogger, monday('09:00'));
    const saved = savedPast(later, 2000);
    run(later, 2500);
    await saved;
    later.close();
    await later.whenClosed();
    // The backup goes back over the log; the snapshot file stays (a technician restores the one file).
    for (const side of ['-wal', '-shm']) rmSync(`${path}${side}`, { force: true });
    copyFileSync(join(dir, 'backup.db'), path);
    const records: LogRecord[] = [];
    const restored = HallEngine.open(path, config, recordingLogger(records), monday('09:00'));
    expect(restored.state.seq).toBe(300);
    expect(records.find((r) => r.msg === 'event log replayed')?.obj).toMatchObject({ seq: 300, replayed: 300 });
    expect(records.some((r) => r.level === 'warn' && /another history/.test(r.msg ?? ''))).toBe(true);
    // Written on with other commands past the newer history's snapshots (their seqs now hold other events):
    // only this history's own snapshots are taken.
    const own: number[] = [];
    restored.onSnapshotSaved((x) => own.push(x.seq));
    const ownSaved = savedPast(restored, 2300);
    run(restored, 2700, 'other');
    await ownSaved;
    const state = JSON.stringify(restored.state);
    restored.close();
    await restored.whenClosed();
    const log = EventLog.open<HallEvent>(path);
    const full = replay(log, emptyState, apply);
    const found = SnapshotFile.latestFor(`${path}.snapshots`, log);
    log.close();
    expect(found.kind === 'found' && own.includes(found.seq)).toBe(true);
    const reopened = HallEngine.open(path, config, silentLogger, monday('09:00'));
    expect(JSON.stringify(reopened.state)).toBe(state);
    expect(JSON.stringify(full.state)).toBe(state);
    reopened.close();
    await reopened.whenClosed();
  });

  it('writes into the log, in the event loop, when the snapshot file cannot be written, and says so', async () => {
    const dir = dirs();
    const path = join(dir, 'hall.db');
    // A folder where the file should be: the worker cannot open it.
    mkdirSync(`${path}.snapshots`);
    const records: LogRecord[] = [];
    const engine = HallEngine.open(path, config, recordingLogger(records), monday('09:00'));
    const inLog = new Promise<SnapshotSaved>((res) => engine.onSnapshotSaved((s) => s.where === 'log' && res(s)));
    run(engine, 2100);
    // The first due snapshot went to the worker, which failed; the next due one goes into the log.
    const warned = new Promise<void>((res) => {
      const check = () => (records.some((r) => r.level === 'warn' && /snapshot worker failed/.test(r.msg ?? '')) ? res() : setImmediate(check));
      check();
    });
    await warned;
    run(engine, 4300);
    const s = await inLog;
    expect(engine.log.latestSnapshot()?.seq).toBe(s.seq);
    engine.close();
    await engine.whenClosed();
  });
});
