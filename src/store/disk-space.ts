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

/** The filesystem's size for this process (`blocks` less root's reserve, `bfree − bavail`), in bytes. */
function statfsSize(dir: string): number {
  const s = statfsSync(dir);
  return (s.blocks - (s.bfree - s.bavail)) * s.bsize;
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
    /** The filesystem's whole size under `dir`, what this process could ever have free (statfs otherwise). */
    private readonly sizeBytesOf: (dir: string) => number = statfsSize,
  ) {
    // A filesystem smaller than the free space an episode ends at (a small tmpfs, a tiny partition) would
    // say disk-low for good once it started: said at the start, with the key to lower (the tryout's 80 MB tmpfs).
    let size: number;
    try {
      size = sizeBytesOf(dir);
    } catch {
      return;
    }
    const clear = clearBytesOf(lowBytes);
    if (size < clear) {
      const mib = (n: number) => Math.floor(n / 1024 / 1024);
      logger.warn(
        { store: what.store, dir, sizeBytes: size, lowBytes, clearBytes: clear, key: what.key },
        `the filesystem under ${dir} is ${String(mib(size))} MiB in all, less than the ${String(mib(clear))} MiB free at which a disk-low episode ends (${what.key} ${String(mib(lowBytes))} and its quarter): once low, /readyz would say disk-low until a bigger filesystem; set ${what.key} below ${String(Math.floor((mib(size) * 4) / 5))}`,
      );
    }
  }

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
