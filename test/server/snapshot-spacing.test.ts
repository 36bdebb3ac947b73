import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { emptyState, apply, type Command, type HallConfig, type HallEvent, type HallState } from '../../src/core/index.js';
import { EventLog, replay } from '../../src/store/index.js';
import { eventsBetweenSnapshots, HallEngine } from '../../src/server/engine.js';
import { hallConfig, monday } from '../core/fixtures.js';

/**
 * Snapshots (issue 12): at least 2,000 events apart, and further apart after a big one (one event per
 * 250 bytes of its JSON), so saving them costs each command a bounded share whatever the day's size;
 * a restart replays the events after the newest one and gets the same state.
 */

const dir = mkdtempSync(join(tmpdir(), 'hallq-snapshot-spacing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config: HallConfig = hallConfig({ windows: [{ id: 1, kind: 'general', tiers: [['A', 'B']] }] });

describe('snapshot spacing', () => {
  it('is 2,000 events for a small state and one event per 250 bytes of a big one', () => {
    expect(eventsBetweenSnapshots(0)).toBe(2000);
    expect(eventsBetweenSnapshots(400_000)).toBe(2000);
    expect(eventsBetweenSnapshots(500_000)).toBe(2000);
    expect(eventsBetweenSnapshots(500_001)).toBe(2001);
    expect(eventsBetweenSnapshots(2_000_000)).toBe(8000);
  });

  it('takes snapshots from which a restart rebuilds the same state', () => {
    const path = join(dir, 'hall.db');
    const now = monday('09:00');
    const engine = HallEngine.open(path, config, silentLogger, now);
    let n = 0;
    // Opening and closing a window: one event each, a small state, so 2,000 events apart; 100 a commit.
    while (engine.state.seq < 4500) {
      const batch = Array.from({ length: 100 }, () => {
        const type = n % 2 === 0 ? 'OpenWindow' : 'CloseWindow';
        return { id: `c${++n}`, type, window: 1, ...(type === 'OpenWindow' ? { staffId: 's1' } : {}) } as Command;
      });
      for (const r of engine.handleBatch(batch, now + n)) expect(!(r instanceof Error) && r.outcome.ok).toBe(true);
    }
    const snap = engine.log.latestSnapshot();
    expect(snap?.seq).toBeGreaterThanOrEqual(4000);
    expect(snap?.seq).toBeLessThan(4500);
    const state = engine.state;
    engine.close();
    const log = EventLog.open<HallEvent>(path);
    const again = replay(log, emptyState, apply, { fromSnapshot: (s) => s as HallState });
    log.close();
    expect(again.snapshotSeq).toBe(snap?.seq);
    expect(again.replayed).toBe(state.seq - (snap?.seq ?? 0));
    expect(JSON.stringify(again.state)).toBe(JSON.stringify(state));
  });
});
