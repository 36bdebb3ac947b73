/**
 * Disk-low with hysteresis (src/store/disk-space.ts): an episode starts below the threshold and ends only
 * at clearBytesOf(threshold) or more, each start and end logged once. Left alone by the helper that built
 * disk-low: a disk hovering at the threshold turned /readyz 503 and 200 by turns, an episode logged each time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import { clearBytesOf, DiskSpaceWatch } from '../../src/store/disk-space.js';

const MiB = 1024 * 1024;

describe('disk-low hysteresis', () => {
  it('the margin: a quarter of the threshold (a 64 KiB threshold on a 3 MB disk can clear)', () => {
    expect(clearBytesOf(64 * MiB)).toBe(80 * MiB);
    expect(clearBytesOf(64 * 1024)).toBe(80 * 1024);
  });

  it('a disk hovering at the threshold is one episode, logged once at each end', () => {
    let free = 70 * MiB;
    const logger = recordingLogger();
    const w = new DiskSpaceWatch('/x', 64 * MiB, logger, { store: 'event log', key: 'server.diskLowMegabytes' }, () => 0, () => free);
    const seen = [70, 63, 65, 63.5, 66, 79, 63, 79.9, 80, 79, 63].map((m) => {
      free = m * MiB;
      return w.check()?.low;
    });
    expect(seen).toEqual([false, true, true, true, true, true, true, true, false, false, true]);
    expect(logger.records.map((r) => r.level)).toEqual(['error', 'info', 'error']);
  });

  it('property: low follows the two thresholds (an oracle), and the log says each change once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 512 }), fc.array(fc.integer({ min: 0, max: 1024 }), { maxLength: 60 }), (lowMiB, frees) => {
        let free = 0;
        const logger = recordingLogger();
        const w = new DiskSpaceWatch('/x', lowMiB * MiB, logger, { store: 's', key: 'k' }, () => 0, () => free);
        let expected = false;
        let changes = 0;
        for (const f of frees) {
          free = f * MiB;
          const next: boolean = expected ? free < clearBytesOf(lowMiB * MiB) : free < lowMiB * MiB;
          if (next !== expected) changes += 1;
          expected = next;
          expect(w.check()?.low).toBe(expected);
        }
        expect(logger.records.length).toBe(changes);
      }),
    );
  });

  it('a folder that cannot be asked is undefined, not low', () => {
    const w = new DiskSpaceWatch('/x', MiB, recordingLogger(), { store: 's', key: 'k' }, () => 0, () => {
      throw new Error('ENOENT');
    });
    expect(w.check()).toBeUndefined();
  });

  it('a filesystem smaller than where an episode ends is said at the start, with the key to lower (the tryout: 80 MB tmpfs)', () => {
    const said = (sizeMiB: number) => {
      const logger = recordingLogger();
      new DiskSpaceWatch('/x', 64 * MiB, logger, { store: 'island outbox', key: 'agent.diskLowMegabytes' }, () => 0, () => 100 * MiB, () => sizeMiB * MiB);
      return logger.records.filter((r) => r.level === 'warn');
    };
    const small = said(77);
    expect(small).toHaveLength(1);
    expect(String(small[0]?.msg)).toMatch(/is 77 MiB in all, less than the 80 MiB free at which a disk-low episode ends .*set agent\.diskLowMegabytes below 61/);
    expect(small[0]?.obj).toMatchObject({ key: 'agent.diskLowMegabytes', clearBytes: 80 * MiB });
    // Room enough to clear: nothing said.
    expect(said(80)).toEqual([]);
    expect(said(4096)).toEqual([]);
  });
});
