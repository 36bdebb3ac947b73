import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, freePort, type Broker } from '../helpers/mosquitto.js';
import { writeConfig } from '../wire/server-process.js';

/** `npm run build` and the compiled program it leaves in dist/ (scripts/build.sh, bin/hallq.js). */

const MAIN = 'dist/src/cli/main.js';
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

  it('hallq server loads only what it runs: no embedded broker, demo, simulator, device drivers or serialport', async () => {
    const broker: Broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), 'hallq-build-'));
    dirs.push(dir);
    try {
      const config = writeConfig(dir, broker.url, await freePort());
      const list = join(dir, 'modules.txt');
      // A loader hook that writes down every module the process loads (ESM, and the CJS entry points they import).
      writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(${JSON.stringify(list)}, url + '\\n'); return next(url, ctx); }\n`);
      writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
      const hook = pathToFileURL(join(dir, 'register.mjs')).href;
      const child = spawn(process.execPath, ['--import', hook, MAIN, 'server', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      child.removeAllListeners('exit');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const loaded = readFileSync(list, 'utf8').split('\n');
      expect(loaded.some((u) => u.endsWith('/dist/src/server/main.js'))).toBe(true);
      for (const absent of ['/node_modules/aedes/', '/src/demo/', '/src/sim/', '/src/agent/', '/drivers/led-screen/', '/drivers/printer/', '/drivers/keypad/', '/drivers/voice/', '/drivers/idcard/', '/node_modules/serialport/', '/node_modules/node-hid/']) {
        // The config schema reads each device folder's config part (*-schemas.js: zod only, no driver in those files).
        expect(loaded.filter((u) => u.includes(absent) && !/\/drivers\/[a-z-]+\/[a-z-]+-schemas\.js$/.test(u)), absent).toEqual([]);
      }
    } finally {
      await broker.stop();
    }
  });

  it('says which setup step is missing instead of a stack trace', async () => {
    // The installed layout (bin, dist, package.json; no sources) before `npm ci`.
    const installed = mkdtempSync(join(tmpdir(), 'hallq-nodeps-'));
    dirs.push(installed);
    for (const p of ['bin', 'dist', 'package.json']) cpSync(p, join(installed, p), { recursive: true });
    const a = await run(join(installed, 'bin/hallq.js'), ['config', 'check', 'config/demo.yaml']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^hallq: the npm package "[^"]+" is missing: run `npm ci --omit=dev` in /);
    expect(a.stderr).not.toMatch(/\n\s+at /);
    // A fresh clone: sources, no build, no node_modules.
    const clone = mkdtempSync(join(tmpdir(), 'hallq-clone-'));
    dirs.push(clone);
    cpSync('bin', join(clone, 'bin'), { recursive: true });
    mkdirSync(join(clone, 'src', 'cli'), { recursive: true });
    cpSync('package.json', join(clone, 'package.json'));
    const b = await run(join(clone, 'bin/hallq.js'), ['--version']);
    expect(b.code).toBe(1);
    expect(b.stderr).toBe('hallq: the npm package "tsx" is missing: run `npm ci` (or `bash scripts/ensure-node-deps.sh`) in the clone first\n');
  });
});
