import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { Command } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { SnapshotFile } from '../../src/store/index.js';
import { hallConfig, monday } from '../core/fixtures.js';
import { startMosquitto, freePort, type Broker } from '../helpers/mosquitto.js';
import { writeConfig } from '../wire/server-process.js';

/** `npm run build` and the compiled program it leaves in dist/ (scripts/build.sh, bin/hallq.js). */

const MAIN = 'dist/src/cli/main.js';
/** The most files of dist/ that `hallq server` may load to start (issue 12: the build is a bundle; tsc's output loaded ~400; the bundle ~45 when the config is checked, its parts loaded in steps; fewer when it was kept; 51 since the device reasons, src/bus/device-reasons.ts, shared by the server, the agent and `hallq devices`, are a chunk of their own). */
const MAX_DIST_FILES_AT_START = 51;
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { encoding: 'utf8', env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** True when dist/ is missing or older than a source file: then this test builds (npm test has built already). */
function stale(): boolean {
  if (!existsSync('dist/BUILD.json')) return true;
  const t = statSync('dist/BUILD.json').mtimeMs;
  return ['src', 'drivers'].some((d) => files(d).some((f) => !f.endsWith('.md') && statSync(f).mtimeMs > t));
}

/**
 * A loader hook that writes down every module a process loads (ESM, and the CJS entry points they import):
 * `node --import <hook>` appends each URL to `list`, one a line.
 */
function moduleRecorder(dir: string): { list: string; hook: string } {
  const list = join(dir, 'modules.txt');
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(${JSON.stringify(list)}, url + '\\n'); return next(url, ctx); }\n`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  return { list, hook: pathToFileURL(join(dir, 'register.mjs')).href };
}

/** `hallq server` from the build with the module recorder's hook, once it logs "hall server ready"; `out`: its output so far. */
async function serverToReady(hook: string, config: string, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, ['--import', hook, MAIN, 'server', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (out += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('hall server ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited ${String(code)}: ${out}`)));
  });
  return { child, out: () => out };
}

const dirs: string[] = [];
beforeAll(async () => {
  if (!stale()) return;
  await new Promise<void>((resolve, reject) =>
    execFile('bash', ['scripts/build.sh', '--noCheck'], (err, _out, stderr) => (err ? reject(new Error(`build failed: ${stderr}`)) : resolve())),
  );
}, 180_000);
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('compiles a CLI that runs without tsx: --version and config check', async () => {
    expect(await run(MAIN, ['--version'])).toMatchObject({ code: 0, stdout: `hallq ${version}\n` });
    const check = await run(MAIN, ['config', 'check', 'config/demo.yaml']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('config/demo.yaml: OK');
    // Through the launcher, forced onto the build as the units run it.
    expect(await run('bin/hallq.js', ['--version'], { HALLQ_RUN: 'dist' })).toMatchObject({ code: 0, stdout: `hallq ${version}\n` });
  });

  it('carries every page and static file next to the code that serves them', () => {
    const assets = files('src/web').filter((f) => !f.endsWith('.ts'));
    expect(assets.length).toBeGreaterThan(0);
    expect(assets).toContain(join('src/web/pages/kiosk.html'));
    for (const f of assets) {
      const built = join('dist', f);
      expect(existsSync(built), built).toBe(true);
      expect(readFileSync(built, 'utf8')).toBe(readFileSync(f, 'utf8'));
    }
    // And nothing of the sources: no .ts in dist.
    expect(files('dist').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => relative('dist', f))).toEqual([]);
  });

  it('hallq server loads few files from dist and only what it runs; its pages and static files are found from dist', async () => {
    const broker: Broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), 'hallq-build-'));
    dirs.push(dir);
    try {
      const port = await freePort();
      const config = writeConfig(dir, broker.url, port);
      const { list, hook } = moduleRecorder(dir);
      const { child } = await serverToReady(hook, config);
      const loadedAtStart = readFileSync(list, 'utf8').split('\n').filter((u) => u !== '');
      // Pages, static files and the page library, served from the build as the installed program serves them.
      const base = `http://127.0.0.1:${port}`;
      for (const [path, file] of [['/display', 'src/web/pages/display.html'], ['/sign-in', 'src/web/pages/sign-in.html'], ['/web/hallq.css', 'src/web/static/hallq.css'], ['/web/live.js', 'src/web/static/live.js'], ['/favicon.ico', 'src/web/static/favicon.svg']] as const) {
        const res = await fetch(base + path);
        expect(res.status, path).toBe(200);
        expect(await res.text(), path).toBe(readFileSync(file, 'utf8'));
      }
      expect((await fetch(`${base}/web/vendor/preact.mjs`)).status).toBe(200);
      // Sent with the type mime gives (loaded at this first use), and a file that is not there is a 404 (http-errors, the same).
      expect((await fetch(`${base}/web/hallq.css`)).headers.get('content-type')).toMatch(/^text\/css/);
      expect((await fetch(`${base}/web/no-such-file.css`)).status).toBe(404);
      child.removeAllListeners('exit');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      // Few files: the entry and the chunks the server's code and packages were bundled into.
      const fromDist = loadedAtStart.filter((u) => u.includes('/dist/')).map((u) => relative(resolve('dist'), fileURLToPath(u)));
      expect(fromDist).toContain(join('src', 'cli', 'main.js'));
      expect(fromDist.length).toBeGreaterThan(1);
      expect(fromDist.length, fromDist.join('\n')).toBeLessThanOrEqual(MAX_DIST_FILES_AT_START);
      // What went into them (esbuild's metafile, outputs named relative to dist/), and the packages loaded from node_modules.
      const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
      const inputs = Object.entries(meta.outputs)
        .filter(([file]) => fromDist.includes(file))
        .flatMap(([, o]) => Object.keys(o.inputs));
      expect(inputs.some((i) => i.startsWith('src/server/'))).toBe(true);
      const packages = loadedAtStart.filter((u) => u.includes('/node_modules/'));
      for (const absent of ['src/demo/', 'src/sim/', 'src/agent/', 'drivers/led-screen/', 'drivers/printer/', 'drivers/keypad/', 'drivers/voice/', 'drivers/idcard/', 'src/http/openapi', 'src/server/metrics', 'src/server/openapi-doc', 'src/bus/embedded-broker', 'src/bus/event-schema']) {
        // The config schema reads each device folder's config part (*-schemas.ts: zod only, no driver in those files).
        // The schemas of what the server publishes are its readers' (the server reads only its status's).
        expect(inputs.filter((i) => i.startsWith(absent) && !/^drivers\/[a-z-]+\/[a-z-]+-schemas\.ts$/.test(i)), absent).toEqual([]);
      }
      // Nor Fastify's default compilers (zod's are given), glob (only @fastify/static's wildcard: false),
      // worker-timers (mqtt.js in a browser only), ip-address (@fastify/rate-limit for IPv6 clients only),
      // mime (a file sent, above), http-errors and depd (a file that cannot be sent), content-disposition
      // (a download), lru-cache (MQTT 5 topic aliases), ipaddr.js (trustProxy addresses), debug (DEBUG set).
      for (const absent of ['aedes', 'exceljs', '@fastify/swagger', 'prom-client', 'serialport', 'node-hid', '@napi-rs/canvas', 'pg', 'ajv', '@fastify/ajv-compiler', 'glob', 'worker-timers', '@babel/runtime', 'ip-address', 'mime', 'http-errors', 'depd', 'content-disposition', 'lru-cache', 'ipaddr.js', 'debug', 'supports-color']) {
        expect(packages.filter((u) => u.includes(`/node_modules/${absent}/`)), absent).toEqual([]);
        expect(inputs.filter((i) => i.includes(`node_modules/${absent}/`)), absent).toEqual([]);
      }
    } finally {
      await broker.stop();
    }
  });

  it('hallq server started on the config kept from its last start (CacheDirectory=) loads neither the YAML parser nor the schema, and never takes a damaged entry', async () => {
    const broker: Broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), 'hallq-build-kept-'));
    dirs.push(dir);
    try {
      const port = await freePort();
      const config = writeConfig(dir, broker.url, port);
      // Listening on every address, IPv4 and IPv6: an IPv4 client is then ::ffff:127.0.0.1, which the sign-in's
      // rate limit groups with ip-address, a package the build loads only at that first use (scripts/bundle.mjs).
      writeFileSync(config, readFileSync(config, 'utf8').replace(`http: { host: 127.0.0.1, port: ${port} }`, `http: { host: "::", port: ${port} }`));
      const cache = join(dir, 'cache');
      mkdirSync(cache);
      const { list, hook } = moduleRecorder(dir);
      /** One start to READY and a clean stop; the inputs (esbuild's metafile) of the dist files it loaded. */
      let hallName = '';
      const start = async (): Promise<string[]> => {
        rmSync(list, { force: true });
        const { child, out } = await serverToReady(hook, config, { ...process.env, CACHE_DIRECTORY: cache });
        const signIn = await fetch(`http://127.0.0.1:${port}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffId: 'nobody', secret: 'wrong' }) });
        expect(signIn.status, out()).toBe(401);
        hallName = ((await (await fetch(`http://127.0.0.1:${port}/api/hall`)).json()) as { hall: { zh: string } }).hall.zh;
        child.removeAllListeners('exit');
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        const fromDist = readFileSync(list, 'utf8').split('\n').filter((u) => u.includes('/dist/')).map((u) => relative(resolve('dist'), fileURLToPath(u)));
        const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
        return Object.entries(meta.outputs).filter(([file]) => fromDist.includes(file)).flatMap(([, o]) => Object.keys(o.inputs));
      };
      const parser = (inputs: string[]) => inputs.filter((i) => i.startsWith('node_modules/yaml/') || i === 'src/config/load.ts');
      // The first start parses and checks the file (and keeps the result).
      const first = await start();
      expect(parser(first)).toContain('src/config/load.ts');
      const fileName = hallName;
      // The second, same bytes and build: neither the YAML parser nor the config's schema (src/config/config-cache.ts).
      const kept = await start();
      expect(kept.some((i) => i.startsWith('src/server/'))).toBe(true);
      expect(parser(kept)).toEqual([]);
      expect(kept).not.toContain('src/config/schema.ts');
      expect(first).toContain('src/config/schema.ts');
      expect(readdirSync(cache)).toHaveLength(1);
      // A damaged entry (its digest no longer matches) is not taken: the file is parsed and checked, and kept anew.
      const entry = join(cache, readdirSync(cache)[0] ?? '');
      const held = JSON.parse(readFileSync(entry, 'utf8')) as { key: string; digest: string; config: { policy: Record<string, unknown>; hall: { name: { zh: string } } } };
      held.config.policy.recallLimit = 'lots';
      held.config.hall.name.zh = '篡改';
      writeFileSync(entry, JSON.stringify(held));
      expect(parser(await start())).toContain('src/config/load.ts');
      expect(hallName).toBe(fileName);
      expect(readFileSync(entry, 'utf8')).not.toContain('篡改');
    } finally {
      await broker.stop();
    }
  });

  it('says which setup step is missing instead of a stack trace', async () => {
    // The installed layout (bin, dist, package.json; no sources) before `npm ci`.
    const installed = mkdtempSync(join(tmpdir(), 'hallq-nodeps-'));
    dirs.push(installed);
    for (const p of ['bin', 'dist', 'package.json']) cpSync(p, join(installed, p), { recursive: true });
    // A command that needs a package the bundle leaves in node_modules (better-sqlite3, native).
    const a = await run(join(installed, 'bin/hallq.js'), ['report', '--db', join(installed, 'none.db'), '--from', '2026-11-01', '--to', '2026-11-02']);
    expect(a.code).toBe(1);
    expect(a.stderr).toBe(
      `error: MISSING_PACKAGE: hallq's npm packages are not installed in ${installed} (node_modules has no "better-sqlite3"): run \`npm ci --omit=dev\` in ${installed}, or reinstall hallq (${installed} 尚未安装 hallq 的 npm 包（node_modules 中没有 "better-sqlite3"）：请在该目录运行 npm ci --omit=dev，或重新安装 hallq)\n`,
    );
    expect(a.stderr).not.toMatch(/\n\s+at /);
    // The sources asked for where there are none: said so, not the loader's trace nor an npm hint (tryout, fifteenth session).
    const s = await run(join(installed, 'bin/hallq.js'), ['--version'], { HALLQ_RUN: 'src' });
    expect(s.code).toBe(2);
    expect(s.stderr).toBe(
      `error: USAGE: HALLQ_RUN=src: there are no sources in ${installed} (an installed hallq runs its build): leave HALLQ_RUN unset or set it to dist (HALLQ_RUN=src：${installed} 中没有源码（安装的 hallq 只运行编译好的程序）：请不设 HALLQ_RUN，或设为 dist)\n`,
    );
    // A fresh clone: sources, no build, no node_modules.
    const clone = mkdtempSync(join(tmpdir(), 'hallq-clone-'));
    dirs.push(clone);
    cpSync('bin', join(clone, 'bin'), { recursive: true });
    mkdirSync(join(clone, 'src', 'cli'), { recursive: true });
    cpSync('package.json', join(clone, 'package.json'));
    const b = await run(join(clone, 'bin/hallq.js'), ['--version']);
    expect(b.code).toBe(1);
    // Said plainly: the packages are not installed, and the one command that installs them (not "tsx is missing").
    expect(b.stderr).toBe(`error: MISSING_PACKAGE: hallq's npm packages are not installed in this clone (${clone}: node_modules has no "tsx"): run \`npm ci\` in ${clone} first (源码目录 ${clone} 尚未安装 hallq 的 npm 包（node_modules 中没有 "tsx"）：请先在该目录运行 npm ci)\n`);
    // The build asked for and not there: the CLI's error form too, never a line of its own.
    const c = await run(join(clone, 'bin/hallq.js'), ['--version'], { HALLQ_RUN: 'dist' });
    expect(c.code).toBe(1);
    expect(c.stderr).toBe(`error: NO_BUILD: there is no build in ${join(clone, 'dist')}: run \`npm run build\` in ${clone} first (${join(clone, 'dist')} 中没有编译好的程序：请先在 ${clone} 运行 npm run build)\n`);
    const d = await run(join(clone, 'bin/hallq.js'), ['--version'], { HALLQ_RUN: 'built' });
    expect(d.code).toBe(2);
    expect(d.stderr).toBe('error: USAGE: HALLQ_RUN=built: expected dist or src (HALLQ_RUN=built：应为 dist 或 src)\n');
  });

  it("carries the snapshot worker: the built worker writes a snapshot of a log the engine wrote, bound to that log's history", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-build-worker-'));
    dirs.push(dir);
    const path = join(dir, 'hall.db');
    const engine = HallEngine.open(path, hallConfig(), silentLogger, monday('09:00'));
    for (let i = 0; i < 40; i++) engine.handle({ id: `c${i}`, type: i % 2 === 0 ? 'OpenWindow' : 'CloseWindow', window: 1, ...(i % 2 === 0 ? { staffId: 's1' } : {}) } as Command, monday('09:00') + i);
    const state = JSON.stringify(engine.state);
    // The writer's URL for it (src/server/snapshot-writer.ts), as the bundle rewrote import.meta.url in its chunk, is where the build put it.
    const built = resolve('dist/src/server/snapshot-worker.js');
    expect(existsSync(built)).toBe(true);
    const chunk = files('dist').find((f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes('snapshot worker failed'));
    const here = chunk === undefined ? undefined : /new URL\("([^"]*snapshot-writer\.js)",import\.meta\.url\)/.exec(readFileSync(chunk, 'utf8'))?.[1];
    expect(here).toBeDefined();
    expect(new URL('./snapshot-worker.js', new URL(here ?? '', pathToFileURL(resolve(chunk ?? '')))).href).toBe(pathToFileURL(built).href);
    const worker = new Worker(built, { workerData: { logPath: path, snapshotPath: `${path}.snapshots` } });
    const reply = new Promise<{ type: string; seq?: number }>((res) => worker.once('message', res));
    worker.postMessage({ type: 'snapshot' });
    expect(await reply).toMatchObject({ type: 'saved', seq: engine.state.seq });
    const ended = new Promise((res) => worker.once('exit', res));
    worker.postMessage({ type: 'close' });
    await ended;
    const found = SnapshotFile.latestFor(`${path}.snapshots`, engine.log);
    expect(found.kind === 'found' ? JSON.stringify(found.state) : found.kind).toBe(state);
    engine.close();
  });
});
