import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { Command, HallConfig, HallEvent } from '../../src/core/index.js';
import { EventLog } from '../../src/store/index.js';
import { HallEngine } from '../../src/server/engine.js';
import type { SnapshotSaved } from '../../src/server/snapshot-writer.js';
import { hallConfig, monday } from '../core/fixtures.js';

/**
 * A clean stop leaves the whole log in its file (README Storage: "a backup needs only hall.db"), even
 * though the snapshot worker's read-only connection to the log is still open when the engine closes it:
 * that connection keeps SQLite's last-close checkpoint from running, so the close checkpoints itself.
 */

const root = mkdtempSync(join(tmpdir(), 'hallq-snapshot-close-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const config: HallConfig = hallConfig({ windows: [{ id: 1, kind: 'general', tiers: [['A', 'B']] }] });

describe('closing an engine whose snapshot worker ran', () => {
  it('leaves every event in the database file itself, without its -wal', async () => {
    const path = join(root, 'hall.db');
    const engine = HallEngine.open(path, config, silentLogger, monday('09:00'));
    const saved = new Promise<SnapshotSaved>((res) => engine.onSnapshotSaved(res));
    const now = monday('09:00');
    for (let n = 1; engine.state.seq < 2500; n += 2) {
      const cmds: Command[] = [
        { id: `o${n}`, type: 'OpenWindow', window: 1, staffId: 's1' },
        { id: `c${n}`, type: 'CloseWindow', window: 1 },
      ] as Command[];
      for (const r of engine.handleBatch(cmds, now + n)) expect(!(r instanceof Error) && r.outcome.ok).toBe(true);
    }
    expect((await saved).where).toBe('file');
    const seq = engine.state.seq;
    engine.close();
    await engine.whenClosed();
    // What a technician copies after `systemctl stop hallq`: the one file.
    const copy = join(root, 'copy.db');
    copyFileSync(path, copy);
    const log = EventLog.open<HallEvent>(copy);
    expect(log.lastSeq()).toBe(seq);
    log.close();
  });
});
