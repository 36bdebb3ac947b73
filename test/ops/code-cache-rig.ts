/** What the code-cache tests share: the daemon's journal line and its figures (src/cli/daemon.ts, src/cli/code-cache.ts). */
import { expect } from 'vitest';
import { unitNodeFlags } from '../../scripts/node-flags.js';
import { startReady, type Daemon } from '../helpers/hallq-process.js';

/** The line a daemon loaded through the code cache logs after READY. */
export const CODE_CACHE_LINE = 'modules loaded with the code cache';

export interface CodeCacheFigures {
  fromCache: number;
  compiled: number;
  withImports: number;
  refused: number;
  written: number;
}

/** The figures of the code cache's line in a daemon's output (it must have said it). */
export function figuresOf(d: Daemon): CodeCacheFigures {
  return JSON.parse(d.stdout().split('\n').find((l) => l.includes(CODE_CACHE_LINE)) ?? '') as CodeCacheFigures;
}

/**
 * Starts the daemon from the build with these Node flags (default: its unit's) and CACHE_DIRECTORY, waits for
 * the code cache's line after READY, kills it and returns the figures. Node's warning about the experimental
 * API is off (the unit's --disable-warning): nothing may be on stderr.
 */
export async function startOnce(kind: 'server' | 'agent', config: string, cache: string, flags: string[] = unitNodeFlags(kind)): Promise<CodeCacheFigures> {
  const d = await startReady(kind, config, { ...process.env, HALLQ_RUN: 'dist', CACHE_DIRECTORY: cache }, flags);
  try {
    await d.says(CODE_CACHE_LINE);
    expect(d.stderr()).toBe('');
    return figuresOf(d);
  } finally {
    await d.kill();
  }
}
