import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import type { Command, HallConfig, HallEvent } from '../../src/core/index.js';
import { EventLog, SnapshotFile } from '../../src/store/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { SnapshotWriter } from '../../src/server/snapshot-writer.js';
import { hallConfig, monday } from '../core/fixtures.js';
import { within } from '../helpers/hallq-process.js';

/**
 * HallEngine.whenClosed() (a server's stop waits on it before it exits or reopens the log): it resolves
 * only once close() ran and the snapshot worker, if one was started, has ended (until then the worker
 * may still be writing a snapshot and holding the log open); and it resolves, not hangs, when the worker
 * had already ended before close() (it failed) or was never started.
 */

const root = mkdtempSync(join(tmpdir(), 'hallq-snapshot-when-closed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const freshLog = () => {
  const d = join(root, String(++made));
  mkdirSync(d);
  return join(d, 'hall.db');
};
const config: HallConfig = hallConfig({ windows: [{ id: 1, kind: 'general', tiers: [['A', 'B']] }] });
/** A bound on waits that must end: past it the test fails naming what did not happen (not a speed check). */
const BOUND_MS = 30_000;

/** Opens and closes window 1 until the log holds `upTo` events (one snapshot is due at 2,000). */
function run(engine: HallEngine, upTo: number): void {
  const now = monday('09:00');
  for (let n = engine.state.seq + 1; engine.state.seq < upTo; n += 2) {
    const cmds = [
      { id: `o${n}`, type: 'OpenWindow', window: 1, staffId: 's1' },
      { id: `c${n}`, type: 'CloseWindow', window: 1 },
    ] as Command[];
    for (const r of engine.handleBatch(cmds, now + n)) expect(!(r instanceof Error) && r.outcome.ok).toBe(true);
  }
}

/** The engine's snapshot writer (private: the engine's API has no use for it outside a test). */
function writerOf(engine: HallEngine): SnapshotWriter {
  const writer = (engine as unknown as { writer: unknown }).writer;
  if (!(writer instanceof SnapshotWriter)) throw new Error('the engine of a file log has no SnapshotWriter');
  return writer;
}

describe('HallEngine.whenClosed', () => {
  it('resolves only after the snapshot worker has ended, the snapshot it was asked for before close() written', async () => {
    const path = freshLog();
    const engine = HallEngine.open(path, config, silentLogger, monday('09:00'));
    // Synchronous: the request crossing 2,000 events is posted, and nothing of the worker's is heard before close().
    run(engine, 2100);
    const writer = writerOf(engine);
    let ended = false;
    void writer.ended.then(() => {
      ended = true;
    });
    engine.close();
    await within(engine.whenClosed(), BOUND_MS, 'whenClosed() with the worker writing');
    // A program resolving at close() itself, or before the worker's exit, fails here: the exit takes a
    // message to the worker and its answer, so it cannot have come within close()'s own turn.
    expect(ended).toBe(true);
    // The worker handled the request before the close that followed it.
    const log = EventLog.open<HallEvent>(path, { readonly: true });
    const found = SnapshotFile.latestFor(`${path}.snapshots`, log);
    log.close();
    expect(found.kind).toBe('found');
  });

  it('resolves when the worker had already failed and ended before close()', async () => {
    const path = freshLog();
    // A folder where the snapshot file should be: the worker cannot open it, fails and is terminated.
    mkdirSync(`${path}.snapshots`);
    const records: LogRecord[] = [];
    const engine = HallEngine.open(path, config, recordingLogger(records), monday('09:00'));
    run(engine, 2100);
    const writer = writerOf(engine);
    // The worker's exit, before close(): a program that waits for an exit from close() on never sees one.
    await within(writer.ended, BOUND_MS, 'the failed worker ending');
    expect(writer.working).toBe(false);
    expect(records.some((r) => r.level === 'warn' && /snapshot worker failed/.test(r.msg ?? ''))).toBe(true);
    engine.close();
    await within(engine.whenClosed(), BOUND_MS, 'whenClosed() after the worker had ended');
    expect(engine.isOpen()).toBe(false);
  });

  it('resolves when no worker was started (no snapshot due, or a log that is not a file)', async () => {
    const engine = HallEngine.open(freshLog(), config, silentLogger, monday('09:00'));
    run(engine, 100);
    engine.close();
    await within(engine.whenClosed(), BOUND_MS, 'whenClosed() without a worker started');
    const inMemory = HallEngine.open(':memory:', config, silentLogger, monday('09:00'));
    run(inMemory, 100);
    inMemory.close();
    await within(inMemory.whenClosed(), BOUND_MS, 'whenClosed() of an in-memory log');
  });
});
