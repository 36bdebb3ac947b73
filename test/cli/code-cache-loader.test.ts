/**
 * The code-cache loader itself (src/cli/code-cache.ts, from the build) on a small build of fixture modules, in
 * a Node started with --experimental-vm-modules as the units start it: linking, import.meta, import(), the
 * caches written and taken, and the fallback when it cannot link (nothing of the program has run then).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LOADER = resolve('dist/src/cli/code-cache.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A build folder: BUILD.json and the files given (paths relative to it). */
function build(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'hallq-cc-loader-'));
  dirs.push(root);
  writeFileSync(join(root, 'BUILD.json'), JSON.stringify({ at: root }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

/** Runs the loader on `entry` in a fresh Node: what the program printed, the stats, and whether the loader gave up. */
function load(root: string, entry: string, cache: string): Promise<{ out: string; stats: unknown; code: number | null; stderr: string }> {
  const script = `
    const { importWithCodeCache, CODE_CACHE } = await import(${JSON.stringify(pathToFileURL(LOADER).href)});
    globalThis.said = [];
    const stats = await importWithCodeCache(${JSON.stringify(pathToFileURL(join(root, entry)).href)}, { dir: ${JSON.stringify(cache)}, buildRoot: ${JSON.stringify(pathToFileURL(root).href + '/')} });
    if (stats) globalThis[CODE_CACHE].afterStart();
    console.log(JSON.stringify({ said: globalThis.said, stats: stats ?? null }));
  `;
  return new Promise((done) => {
    execFile(process.execPath, ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], { encoding: 'utf8' }, (err, stdout, stderr) => {
      // Nothing printed when the program threw (its error is on stderr).
      const last = stdout.trim().split('\n').pop() || '{"said":[],"stats":null}';
      const parsed = JSON.parse(last) as { said: string[]; stats: unknown };
      done({ out: parsed.said.join(' '), stats: parsed.stats, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

describe('the code-cache loader (src/cli/code-cache.ts)', () => {
  it('links our modules, Node modules and import(); gives import.meta; writes caches once and takes them next time', async () => {
    const root = build({
      'src/entry.js': `import { joined } from '../chunks/a.js';
        import { sep } from 'node:path';
        globalThis.said.push('entry:' + joined + ':' + (sep === '/'));
        globalThis.said.push('meta:' + import.meta.url.endsWith('/src/entry.js') + ':' + import.meta.resolve('../chunks/b.js').endsWith('/chunks/b.js'));
        const lazy = await import('../chunks/lazy.js');
        globalThis.said.push('lazy:' + lazy.value);`,
      'chunks/a.js': `import { b } from './b.js'; export const joined = 'a+' + b; globalThis.said.push('a');`,
      'chunks/b.js': `export const b = 'b'; globalThis.said.push('b');`,
      'chunks/lazy.js': `import { b } from './b.js'; export const value = 'lazy+' + b; globalThis.said.push('lazy-ran');`,
    });
    const cache = join(root, 'cache');
    const first = await load(root, 'src/entry.js', cache);
    expect(first.stderr).toBe('');
    // Each module ran once, dependencies first; b is one instance for a and lazy.
    expect(first.out).toBe('b a entry:a+b:true meta:true:true lazy-ran lazy:lazy+b');
    // entry has an import(): never cached; a, b and lazy compiled and written.
    expect(first.stats).toEqual({ withCache: 0, withoutCache: 3, uncacheable: 1, rejected: 0, written: 3 });
    const folder = readdirSync(join(cache, 'code'));
    expect(folder).toHaveLength(1);
    expect(readdirSync(join(cache, 'code', folder[0] ?? ''))).toHaveLength(3);
    const second = await load(root, 'src/entry.js', cache);
    expect(second.out).toBe(first.out);
    expect(second.stats).toEqual({ withCache: 3, withoutCache: 0, uncacheable: 1, rejected: 0, written: 0 });
  });

  it('gives up before anything runs when it cannot link (the caller imports with Node then)', async () => {
    const root = build({
      'src/entry.js': `import './ran.js'; import { x } from './missing.js'; globalThis.said.push('entry' + x);`,
      'src/ran.js': `globalThis.said.push('ran');`,
    });
    const r = await load(root, 'src/entry.js', join(root, 'cache'));
    expect(r.stats).toBeNull();
    expect(r.out).toBe('');
    expect(existsSync(join(root, 'cache', 'code'))).toBe(false);
  });

  it("the program's own error is the program's: thrown to the caller once", async () => {
    const root = build({
      'src/entry.js': `import './first.js'; globalThis.said.push('entry'); throw new Error('the program failed');`,
      'src/first.js': `globalThis.said.push('first');`,
    });
    const r = await load(root, 'src/entry.js', join(root, 'cache'));
    expect(r.code).not.toBe(0);
    // Node's report of an uncaught error, once, with the program's own file in its trace.
    expect(r.stderr.match(/Error: the program failed/g)).toHaveLength(1);
    expect(r.stderr).toContain('/src/entry.js:1');
  });

  it('a build without BUILD.json, or an entry outside the build: not loaded here', async () => {
    const root = build({ 'src/entry.js': `globalThis.said.push('entry');` });
    rmSync(join(root, 'BUILD.json'));
    expect((await load(root, 'src/entry.js', join(root, 'cache'))).stats).toBeNull();
  });
});
