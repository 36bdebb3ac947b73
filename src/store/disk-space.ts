import { statfsSync } from 'node:fs';
import type { Logger } from '../../drivers/common/logger.js';

/** The free space under a store now, against its threshold. */
export interface DiskSpace {
  /** Bytes this process may still write there (statfs `bavail`: what root's reserve does not count). */
  freeBytes: number;
  /** The threshold: below it the store is `disk-low`. */
  lowBytes: number;
  low: boolean;
}

/**
 * Once low, a store is low until its free space is back above the threshold by a quarter of it (80 MiB
 * for the default 64). Without it, a disk hovering at the threshold (a log rotated, a WAL checkpointed)
 * turned /readyz 503 and 200 by turns and logged an episode each time. Proportional, so a small
 * threshold on a small disk can still clear.
 */
export function clearBytesOf(lowBytes: number): number {
  return lowBytes + Math.ceil(lowBytes / 4);
}

/** statfs's free space for this process (`bavail`: what root's reserve does not count), in bytes. */
function statfsFree(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/**
 * Watches the free space of the filesystem holding a store's folder. Each `check()` asks the kernel
 * (statfs, a few microseconds) so the answer is now's, not a cached one; a low episode starts below
 * `lowBytes` and ends at `clearBytesOf(lowBytes)` or more (hysteresis), and is logged once when it
 * starts and once when it ends, however often it is asked (every /readyz, every scrape).
 */
export class DiskSpaceWatch {
  private lowSince: number | undefined;

  constructor(
    /** The folder of the store's files (the database, its WAL and snapshots sit there). */
    readonly dir: string,
    readonly lowBytes: number,
    private readonly logger: Logger,
    /** What lives there and which key sets the threshold, for the log lines. */
    private readonly what: { store: string; key: string },
    private readonly clock: () => number = Date.now,
    /** The free bytes under `dir` (tests give their own; statfs otherwise). */
    private readonly freeBytesOf: (dir: string) => number = statfsFree,
  ) {}

  /** Now's free space, or undefined when the folder cannot be asked (it is gone: the store says so itself). */
  check(): DiskSpace | undefined {
    let freeBytes: number;
    try {
      freeBytes = this.freeBytesOf(this.dir);
    } catch {
      return undefined;
    }
    const low = this.lowSince === undefined ? freeBytes < this.lowBytes : freeBytes < clearBytesOf(this.lowBytes);
    const fields = { store: this.what.store, dir: this.dir, freeBytes, lowBytes: this.lowBytes, key: this.what.key };
    if (low && this.lowSince === undefined) {
      this.lowSince = this.clock();
      this.logger.error(fields, 'disk space low: the next appends may fail (a full disk); /readyz says disk-low until space is freed (not logged again until then)');
    } else if (!low && this.lowSince !== undefined) {
      this.logger.info({ ...fields, clearBytes: clearBytesOf(this.lowBytes), sinceMs: this.clock() - this.lowSince }, 'disk space back above the threshold (by its margin)');
      this.lowSince = undefined;
    }
    return { freeBytes, lowBytes: this.lowBytes, low };
  }
}
