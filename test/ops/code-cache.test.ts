/**
 * The daemons as the units start them (the unit's Node flags, CacheDirectory=): the build loaded with V8's
 * code cache (bin/hallq.js, src/cli/code-cache.ts). The first start compiles and writes the caches, the next
 * one takes them; caches that do not fit are refused and written again; a chunk with an import() is never
 * cached (Node 20 loses its import callback then); the program's own errors stay its own.
 * The real CLI from this tree's build (dist/).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unitNodeFlags } from '../../scripts/node-flags.js';
import { ProcessHall } from '../faults/daemon-process.js';
import { freePort } from '../helpers/mosquitto.js';
import { CODE_CACHE_LINE, figuresOf, startOnce as start } from './code-cache-rig.js';
import { spawnHallq, startReady, type Daemon } from '../helpers/hallq-process.js';
import { writeConfig } from '../wire/server-process.js';

const env = { ...process.env, HALLQ_RUN: 'dist' };
const LINE = CODE_CACHE_LINE;
const dirs: string[] = [];
const children: Daemon[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'hallq-code-cache-'));
  dirs.push(d);
  return d;
}

/** The cache files of this build: code/<build>/*.bin. */
function cacheFiles(cache: string): string[] {
  const builds = readdirSync(join(cache, 'code'));
  expect(builds).toHaveLength(1);
  const dir = join(cache, 'code', builds[0] ?? '');
  return readdirSync(dir).map((f) => join(dir, f));
}

describe('the daemons load the build with the code cache (unit flags, CacheDirectory=)', () => {
  it('server: the first start writes one cache per cacheable module (0600), the next takes them all; refused caches are written again', async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o700 });
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await freePort()}`, 0);
    const first = await start('server', config, cache);
    expect(first.fromCache).toBe(0);
    expect(first.refused).toBe(0);
    // The start's chunks: the bundle's shared parts at least; the ones with an import() (the CLI's entry among them) are compiled as always.
    expect(first.compiled).toBeGreaterThan(10);
    expect(first.withImports).toBeGreaterThan(0);
    expect(first.written).toBe(first.compiled);
    expect(cacheFiles(cache)).toHaveLength(first.written);
    for (const f of cacheFiles(cache)) expect(statSync(f).mode & 0o777).toBe(0o600);

    // The second start takes the config the first one kept (src/config/config-cache.ts): the YAML parser's
    // chunks are not loaded, the kept config's check is (compiled and written now); from then on, all from the cache.
    const second = await start('server', config, cache);
    expect(second).toMatchObject({ refused: 0, withImports: first.withImports });
    expect(second.written).toBe(second.compiled);
    expect(second.compiled).toBeLessThanOrEqual(2);
    expect(second.fromCache).toBeGreaterThan(first.compiled - 5);
    const steady = await start('server', config, cache);
    expect(steady).toMatchObject({ fromCache: second.fromCache + second.compiled, compiled: 0, refused: 0, written: 0 });
    // Caches gone (a cleaned cache directory): compiled and written again, exactly the ones a start uses.
    for (const f of cacheFiles(cache)) rmSync(f);
    const again = await start('server', config, cache);
    expect(again).toMatchObject({ fromCache: 0, compiled: steady.fromCache, written: steady.fromCache, refused: 0 });
    const files = cacheFiles(cache);
    expect(files).toHaveLength(steady.fromCache);

    // One cache cut short, another holding a different module's code: V8 refuses both, the start goes on, they are written again.
    const [a, b] = files;
    if (!a || !b) throw new Error('two caches expected');
    writeFileSync(a, readFileSync(a).subarray(0, 64));
    writeFileSync(b, readFileSync(files.find((f) => readFileSync(f).length !== readFileSync(b).length) ?? a));
    const third = await start('server', config, cache);
    expect(third).toMatchObject({ refused: 2, compiled: 2, fromCache: steady.fromCache - 2, written: 2 });
    const fourth = await start('server', config, cache);
    expect(fourth).toMatchObject({ fromCache: steady.fromCache, compiled: 0, refused: 0, written: 0 });
  }, 120_000);

  it("another build's caches are removed when this build writes its own", async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    mkdirSync(join(cache, 'code', '0123456789abcdef'), { recursive: true });
    writeFileSync(join(cache, 'code', '0123456789abcdef', 'old.bin'), 'x');
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await freePort()}`, 0);
    const first = await start('server', config, cache);
    expect(first.written).toBeGreaterThan(0);
    expect(readdirSync(join(cache, 'code'))).not.toContain('0123456789abcdef');
  }, 60_000);

  it("agent: its unit does not load through the code cache (RSS on the mini-PC); the same loader works for it when asked", async () => {
    // The agent is ready once it has the hall's state from the server over the broker.
    const hall = await ProcessHall.open('code-cache');
    try {
      await hall.startServer();
      const cache = join(hall.dir, 'cache');
      mkdirSync(cache);
      const plain = await startReady('agent', hall.config, { ...env, CACHE_DIRECTORY: cache }, unitNodeFlags('agent'));
      children.push(plain);
      await plain.kill();
      expect(plain.stdout()).not.toContain(LINE);
      expect(existsSync(join(cache, 'code'))).toBe(false);
      // With the flag (a site that wants it), the agent's chunks are cached like the server's.
      const flags = [...unitNodeFlags('agent'), '--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];
      const first = await start('agent', hall.config, cache, flags);
      expect(first.compiled).toBeGreaterThan(5);
      expect(first.written).toBe(first.compiled);
      const second = await start('agent', hall.config, cache, flags);
      const steady = second.compiled === 0 ? second : await start('agent', hall.config, cache, flags);
      expect(steady).toMatchObject({ compiled: 0, refused: 0, written: 0 });
    } finally {
      await hall.close();
    }
  }, 120_000);

  it('a cache folder that cannot be written: the start goes on, one warning names the folder and the error', async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    // code/ is a file: nothing can be made under it (as with a read-only or full disk, or another owner).
    writeFileSync(join(cache, 'code'), 'not a folder');
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await freePort()}`, 0);
    const d = await startReady('server', config, { ...env, CACHE_DIRECTORY: cache }, unitNodeFlags('server'));
    children.push(d);
    await d.says('the code cache could not be written');
    const warn = JSON.parse(d.stdout().split('\n').find((l) => l.includes('the code cache could not be written')) ?? '') as { level: number; dir: string; error: string };
    expect(warn).toMatchObject({ level: 40, dir: cache, error: 'ENOTDIR' });
    expect(figuresOf(d).written).toBe(0);
  }, 60_000);

  it('temporary files of a start killed mid-write are removed by the next start that writes', async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    const build = createHash('sha256').update(readFileSync('dist/BUILD.json', 'utf8')).digest('hex').slice(0, 16);
    mkdirSync(join(cache, 'code', build), { recursive: true });
    const stale = join(cache, 'code', build, '0123456789abcdef.bin.4242.tmp');
    const fresh = join(cache, 'code', build, 'fedcba9876543210.bin.4243.tmp');
    writeFileSync(stale, 'half a cache');
    writeFileSync(fresh, 'another process writing now');
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(stale, old, old);
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await freePort()}`, 0);
    expect((await start('server', config, cache)).written).toBeGreaterThan(0);
    expect(existsSync(stale)).toBe(false);
    // One written a moment ago may be another start's, still writing: left alone.
    expect(existsSync(fresh)).toBe(true);
  }, 60_000);

  it("the program's own outcome is unchanged: an invalid config still exits 3 with its one line", async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'hall: [unclosed\n');
    const d = spawnHallq(['server', '--config', bad], { ...env, CACHE_DIRECTORY: cache }, unitNodeFlags('server'));
    children.push(d);
    expect((await d.exited).code).toBe(3);
    expect(d.stderr()).toMatch(/^error: CONFIG_INVALID: hallq server did not start/m);
  }, 60_000);
});
