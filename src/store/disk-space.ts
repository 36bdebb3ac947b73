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
 * Watches the free space of the filesystem holding a store's folder. Each `check()` asks the kernel
 * (statfs, a few microseconds) so the answer is now's, not a cached one; a low episode is logged once
 * when it starts and once when it ends, however often it is asked (every /readyz, every scrape).
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
  ) {}

  /** Now's free space, or undefined when the folder cannot be asked (it is gone: the store says so itself). */
  check(): DiskSpace | undefined {
    let freeBytes: number;
    try {
      const s = statfsSync(this.dir);
      freeBytes = s.bavail * s.bsize;
    } catch {
      return undefined;
    }
    const low = freeBytes < this.lowBytes;
    const fields = { store: this.what.store, dir: this.dir, freeBytes, lowBytes: this.lowBytes, key: this.what.key };
    if (low && this.lowSince === undefined) {
      this.lowSince = this.clock();
      this.logger.error(fields, 'disk space low: the next appends may fail (a full disk); /readyz says disk-low until space is freed (not logged again until then)');
    } else if (!low && this.lowSince !== undefined) {
      this.logger.info({ ...fields, sinceMs: this.clock() - this.lowSince }, 'disk space back above the threshold');
      this.lowSince = undefined;
    }
    return { freeBytes, lowBytes: this.lowBytes, low };
  }
}
