/**
 * The code cache (src/cli/code-cache.ts) on a real hall box, two faults found by review (both fail today):
 * - the server and the agent of one box share /var/cache/hallq (both units: CacheDirectory=hallq) and the
 *   build, but start Node with different flags (the agent's --max-semi-space-size=2): V8 refuses a cache
 *   made under other flags, so each start of one daemon refuses and rewrites what the other wrote;
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

const env = { ...process.env, HALLQ_RUN: 'dist' };
const LINE = 'modules loaded with the code cache';

interface Stats {
  fromCache: number;
  compiled: number;
  withImports: number;
  refused: number;
  written: number;
}

/** Starts the daemon as its unit does (its flags, CACHE_DIRECTORY), waits for the code cache's line, kills it, returns the figures. */
async function start(kind: 'server' | 'agent', config: string, cache: string): Promise<Stats> {
  const d = await startReady(kind, config, { ...env, CACHE_DIRECTORY: cache }, unitNodeFlags(kind));
  try {
    await d.says(LINE);
    const line = d.stdout().split('\n').find((l) => l.includes(LINE)) ?? '';
    return JSON.parse(line) as Stats;
  } finally {
    await d.kill();
  }
}

function cacheFiles(cache: string): string[] {
  const builds = readdirSync(join(cache, 'code'));
  expect(builds).toHaveLength(1);
  const dir = join(cache, 'code', builds[0] ?? '');
  return readdirSync(dir).filter((f) => f.endsWith('.bin')).map((f) => join(dir, f));
}

describe('the code cache on a hall box (review faults)', () => {
  it('server and agent sharing one cache directory (one box, both units) keep each other’s caches: nothing refused once both have started', async () => {
    const hall = await ProcessHall.open('code-cache-box');
    try {
      const cache = join(hall.dir, 'cache');
      mkdirSync(cache, { mode: 0o700 });
      // The server as its unit starts it, with the shared cache; the agent needs a running server to get ready.
      const server = await startReady('server', hall.config, { ...env, CACHE_DIRECTORY: cache }, unitNodeFlags('server'));
      hall.server = server;
      await server.says(LINE);
      await start('agent', hall.config, cache);
      await start('agent', hall.config, cache);
      await server.kill();
      // Both have started twice by now on this directory: a restart of either must take its caches.
      hall.server = await startReady('server', hall.config, { ...env, CACHE_DIRECTORY: cache }, unitNodeFlags('server'));
      await hall.server.says(LINE);
      const line = hall.server.stdout().split('\n').find((l) => l.includes(LINE)) ?? '';
      const serverAgain = JSON.parse(line) as Stats;
      // Seen: {"fromCache":12,"compiled":31,"refused":31,"written":31} at every server start after an agent start, and the same for the agent.
      expect(serverAgain.refused).toBe(0);
      const agentAgain = await start('agent', hall.config, cache);
      expect(agentAgain.refused).toBe(0);
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
      expect(after.refused).toBe(files.length);
      expect(after.fromCache + after.compiled).toBe(steady.fromCache + steady.compiled);
    } finally {
      await hall.close();
    }
  }, 180_000);
});
