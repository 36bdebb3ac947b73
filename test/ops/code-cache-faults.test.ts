/**
 * The code cache (src/cli/code-cache.ts) on a real hall box, two faults found by review (both failed before the fixes):
 * - the server and the agent of one box share /var/cache/hallq (both units: CacheDirectory=hallq) and the
 *   build, but started Node with different flags (the agent's --max-semi-space-size=2): V8 refuses a cache
 *   made under other flags, so each start of one daemon refused and rewrote what the other wrote (now the
 *   flags are in a cache's name, and the agent's unit does not use the code cache);
 * - V8 (release builds: --no-verify-snapshot-checksum) does not check a code cache's checksum: a cache
 *   whose bytes changed (one bit flipped on a worn eMMC, a block lost at a power cut) is accepted and
 *   deserialized — a crash of Node (V8 fatal, SIGSEGV) at every start, or code other than the build's.
 * The real CLI from this tree's build (dist/), as the units start it.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitNodeFlags } from '../../scripts/node-flags.js';
import { ProcessHall } from '../faults/daemon-process.js';
import { startReady } from '../helpers/hallq-process.js';
import { CODE_CACHE_LINE, startOnce, type CodeCacheFigures } from './code-cache-rig.js';

const env = { ...process.env, HALLQ_RUN: 'dist' };
const LINE = CODE_CACHE_LINE;
type Stats = CodeCacheFigures;

/** As its unit starts it; the agent's unit has no code cache, so for it ready is all it says. */
async function start(kind: 'server' | 'agent', config: string, cache: string): Promise<Stats> {
  if (kind === 'server') return startOnce(kind, config, cache);
  const d = await startReady(kind, config, { ...env, CACHE_DIRECTORY: cache }, unitNodeFlags(kind));
  await d.kill();
  return { fromCache: 0, compiled: 0, withImports: 0, refused: 0, written: 0 };
}

function cacheFiles(cache: string): string[] {
  const builds = readdirSync(join(cache, 'code'));
  expect(builds).toHaveLength(1);
  const dir = join(cache, 'code', builds[0] ?? '');
  return readdirSync(dir).filter((f) => f.endsWith('.bin')).map((f) => join(dir, f));
}

describe('the code cache on a hall box (review faults)', () => {
  it('one cache directory, several sets of Node flags (both units on one box, a flag added by hand): each keeps its own caches, nothing refused', async () => {
    const hall = await ProcessHall.open('code-cache-box');
    try {
      const cache = join(hall.dir, 'cache');
      mkdirSync(cache, { mode: 0o700 });
      const server = (flags: string[]) => startReady('server', hall.config, { ...env, CACHE_DIRECTORY: cache }, flags);
      const figures = async (d: Awaited<ReturnType<typeof server>>): Promise<Stats> => {
        await d.says(LINE);
        return JSON.parse(d.stdout().split('\n').find((l) => l.includes(LINE)) ?? '') as Stats;
      };
      const unit = unitNodeFlags('server');
      // The server as its unit starts it, twice (the second takes the kept config: its steady set of chunks).
      hall.server = await server(unit);
      await figures(hall.server);
      await hall.server.kill();
      hall.server = await server(unit);
      const steady = await figures(hall.server);
      // The agent of the same box, under its unit and on the same directory (it needs the running server).
      await start('agent', hall.config, cache).catch(() => undefined);
      await hall.server.kill();
      // A start with another flag (V8 refuses caches made under other flags: seen refused 31 of 43 at every
      // start when the agent's flags and the server's shared the files).
      hall.server = await server(['--max-semi-space-size=2', ...unit]);
      const other = await figures(hall.server);
      expect(other.refused).toBe(0);
      await hall.server.kill();
      hall.server = await server(unit);
      const again = await figures(hall.server);
      expect(again).toMatchObject({ fromCache: steady.fromCache + steady.compiled, compiled: 0, refused: 0, written: 0 });
    } finally {
      await hall.close();
    }
  }, 180_000);

  it('a cache whose bytes changed (one bit, same length) is refused, never run: the server still starts', async () => {
    const hall = await ProcessHall.open('code-cache-bitflip');
    try {
      const cache = join(hall.dir, 'cache');
      mkdirSync(cache, { mode: 0o700 });
      await start('server', hall.config, cache);
      const steady = await start('server', hall.config, cache);
      const files = cacheFiles(cache);
      // One bit flipped in the middle of every cache: what a worn flash or a torn write after a power cut leaves.
      for (const f of files) {
        const b = readFileSync(f);
        const at = Math.floor(b.length / 2);
        b[at] = (b[at] ?? 0) ^ 0x01;
        writeFileSync(f, b);
      }
      // Seen: Node dies in V8's deserializer ("Fatal error … unreachable code", or SIGSEGV) before READY, at
      // every start (a restart loop until someone deletes /var/cache/hallq), or the flipped cache is taken (refused 0).
      const after = await start('server', hall.config, cache);
      // Every cache this start uses was flipped (files holds the first start's too: the YAML path's chunks).
      expect(files.length).toBeGreaterThanOrEqual(steady.fromCache);
      expect(after.refused).toBe(steady.fromCache);
      expect(after.fromCache + after.compiled).toBe(steady.fromCache + steady.compiled);
    } finally {
      await hall.close();
    }
  }, 180_000);
});
