/** What the code-cache loader (src/cli/code-cache.ts) leaves for the daemon (src/cli/daemon.ts): kept apart so the daemon need not load the loader. */

/** What a start did, for the log and tests: modules compiled with a cache, without one (none yet, or refused), never cached (they call import()), and caches refused. */
export interface CodeCacheStats {
  withCache: number;
  withoutCache: number;
  uncacheable: number;
  rejected: number;
  /** Caches written after the start (set when written). */
  written?: number;
  /** Why caches could not be written (an errno code: EACCES, EROFS, ENOSPC, ENOTDIR…), when they could not. */
  writeError?: string;
}

/** Where the loader leaves its stats and its writer for the daemon (src/cli/daemon.ts), which calls `afterStart` once started. */
export const CODE_CACHE = Symbol.for('hallq.codeCache');

/** What the daemon finds at CODE_CACHE: this start's stats, and the writer of the new caches (returns how many it wrote). */
export interface CodeCacheHandle {
  stats: CodeCacheStats;
  afterStart(): number;
}
