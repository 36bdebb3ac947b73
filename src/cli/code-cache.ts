/**
 * The build's modules loaded with V8's code cache (issue 12: a daemon's start to READY).
 *
 * Node 20 compiles every ES module from its source at every start (its own compile cache,
 * `module.enableCompileCache`, came with Node 22); for the ~1.4 MB of chunks `hallq server` loads that is
 * ~45 ms of a start, the top-level parse of code that is the same at every start. Node's `vm.SourceTextModule`
 * (behind `--experimental-vm-modules`, which the units pass) takes a code cache, so the launcher
 * (bin/hallq.js) loads the build through this loader when the daemon runs under systemd with a cache
 * directory (`CacheDirectory=hallq`, `$CACHE_DIRECTORY`, which only the service user writes):
 * - our chunks (files under the build's directory) are compiled here, each with the cache kept for its
 *   exact bytes under this Node and its flags (`<cache>/code/<build>/<file>.bin`: 16 hex of SHA-256 of the
 *   build's stamp, dist/BUILD.json, and of the Node version, architecture, flags and the file's bytes), or
 *   without one when there is none, its own digest does not match (V8 does not check), or V8 refuses it;
 * - everything else (Node's modules, the packages left in node_modules) is imported by Node as always and
 *   handed over as it is;
 * - `import()` inside a chunk goes through the same loader; `import.meta.url` is the chunk's own URL.
 * Caches for the modules compiled without one are written once the daemon has started (it calls
 * `afterStart` of the CODE_CACHE handle after READY; a timer does it otherwise); V8 can make a module's
 * cache only before it runs, so they are made then and kept in memory until written. They go to a
 * temporary name and renamed, mode 0600; a cache for other bytes is never read (the name is their hash),
 * and other builds' folders (and temporary files of a process that died mid-write) are removed when new
 * caches are written. A directory that cannot be written costs the cache,
 * never the start. What V8 keeps in a module's cache is its top-level code; functions compile at their
 * first call as before.
 *
 * Errors: none of its own reach the caller before the program runs: anything that goes wrong while
 * loading and linking makes the caller fall back to Node's own import (`undefined` is returned); errors
 * of the program itself (its evaluation) are the caller's, as with `import()`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { CODE_CACHE, type CodeCacheHandle, type CodeCacheStats } from './code-cache-handle.js';

export { CODE_CACHE, type CodeCacheHandle, type CodeCacheStats };

export interface CodeCacheOptions {
  /** The cache directory (`$CACHE_DIRECTORY`); the caches go to its `code/` folder. */
  dir: string;
  /** The build's directory: only files under it are compiled here (URL of a directory, ending in '/'). */
  buildRoot: string;
  /** How long after the loading the new caches are written when nobody called afterStart (default 10000 ms). */
  writeAfterMs?: number;
}

/** An import() call, or text that looks like one (a superset: a module that has one is never cached). */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/**
 * Imports `entry` (a file URL under `buildRoot`) with code caches, and evaluates it. Resolves to the stats
 * once the entry has been evaluated, or to `undefined` when the modules could not be loaded or linked
 * here (the caller then imports `entry` with Node's own `import()`: nothing of the program has run).
 */
export async function importWithCodeCache(entry: string, o: CodeCacheOptions): Promise<CodeCacheStats | undefined> {
  let stamp: string;
  try {
    stamp = readFileSync(new URL('BUILD.json', o.buildRoot), 'utf8');
  } catch {
    return undefined;
  }
  const code = join(o.dir, 'code');
  const build = createHash('sha256').update(stamp).digest('hex').slice(0, 16);
  const folder = join(code, build);
  // V8 refuses a cache made by another V8 or under other flags: each its own file (a daemon started with
  // other flags on the same directory neither refuses nor overwrites another's).
  const runtime = `${process.version}\0${process.arch}\0${process.execArgv.join('\0')}\0`;
  const stats: CodeCacheStats = { withCache: 0, withoutCache: 0, uncacheable: 0, rejected: 0 };
  const pending = new Map<string, Buffer>();
  const ours = new Map<string, vm.SourceTextModule>();
  const natives = new Map<string, Promise<vm.Module>>();

  const compile = (url: string): vm.SourceTextModule => {
    const known = ours.get(url);
    if (known) return known;
    const source = readFileSync(fileURLToPath(url), 'utf8');
    const name = `${createHash('sha256').update(runtime).update(source).digest('hex').slice(0, 16)}.bin`;
    // Node 20 loses a module's import() callback when it is compiled from a cache ("A dynamic import
    // callback was not specified" at the import): a chunk with an import() anywhere (a string too) is never cached.
    const cacheable = !DYNAMIC_IMPORT.test(source);
    let cachedData: Buffer | undefined;
    let damaged = false;
    try {
      const sealed = cacheable ? sealedData(readFileSync(join(folder, name))) : undefined;
      damaged = sealed === null;
      cachedData = sealed ?? undefined;
    } catch {
      cachedData = undefined;
    }
    const options = {
      identifier: url,
      initializeImportMeta: (meta: ImportMeta) => {
        meta.url = url;
        // Packages resolve from node_modules the same way from here (one package root); paths from the chunk.
        meta.resolve = (s: string) => (/^\.{0,2}\//.test(s) ? new URL(s, url).href : import.meta.resolve(s));
      },
      importModuleDynamically: (specifier: string) => load(specifier, url),
    };
    let m: vm.SourceTextModule;
    try {
      m = new vm.SourceTextModule(source, cachedData ? { ...options, cachedData } : options);
      stats[cachedData ? 'withCache' : cacheable ? 'withoutCache' : 'uncacheable'] += 1;
      if (damaged) stats.rejected += 1;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_VM_MODULE_CACHED_DATA_REJECTED') throw e;
      stats.rejected += 1;
      stats.withoutCache += 1;
      cachedData = undefined;
      m = new vm.SourceTextModule(source, options);
    }
    // Only before it runs can V8 make a module's cache.
    if (cacheable && !cachedData) pending.set(name, (m as vm.SourceTextModule & { createCachedData(): Buffer }).createCachedData());
    ours.set(url, m);
    return m;
  };

  /** Node's own module for a specifier not in the build, as a module this loader can link to. */
  const native = (specifier: string): Promise<vm.Module> => {
    let p = natives.get(specifier);
    if (!p) {
      p = import(specifier).then((ns: Record<string, unknown>) => {
        const names = Object.keys(ns);
        const m = new vm.SyntheticModule(names, function (this: vm.SyntheticModule) {
          for (const k of names) this.setExport(k, ns[k]);
        }, { identifier: `node-import:${specifier}` });
        return m;
      });
      natives.set(specifier, p);
    }
    return p;
  };

  const resolveIn = (specifier: string, parent: string): vm.Module | Promise<vm.Module> => {
    if (/^\.{0,2}\//.test(specifier) || specifier.startsWith('file:')) {
      const url = new URL(specifier, parent).href;
      if (url.startsWith(o.buildRoot)) return compile(url);
      return native(url);
    }
    return native(specifier);
  };

  const linker = (specifier: string, referencing: vm.Module): vm.Module | Promise<vm.Module> => resolveIn(specifier, referencing.identifier);

  async function ready(m: vm.Module): Promise<vm.Module> {
    if (m.status === 'unlinked') await m.link(linker);
    if (m.status === 'linked') await m.evaluate();
    if (m.status === 'errored') throw m.error;
    return m;
  }

  // A chunk's import(): loaded here, evaluated, handed back.
  async function load(specifier: string, parent: string): Promise<vm.Module> {
    return ready(await resolveIn(specifier, parent));
  }

  let root: vm.SourceTextModule;
  try {
    if (!entry.startsWith(o.buildRoot)) return undefined;
    root = compile(entry);
    await root.link(linker);
  } catch {
    return undefined;
  }
  const afterStart = (): number => {
    clearTimeout(timer);
    if (stats.written === undefined) {
      const w = writeCaches(code, build, pending);
      stats.written = w.written;
      if (w.error !== undefined) stats.writeError = w.error;
    }
    pending.clear();
    return stats.written;
  };
  const timer = setTimeout(afterStart, o.writeAfterMs ?? 10_000);
  timer.unref();
  (globalThis as Record<symbol, unknown>)[CODE_CACHE] = { stats, afterStart } satisfies CodeCacheHandle;
  await root.evaluate();
  return stats;
}

/**
 * A cache file's bytes: SHA-256 of the cache, then the cache. V8 (release builds) does not check a cache's
 * own checksum, and a changed byte (worn flash, a block lost at a power cut) is taken as it is: a crash in
 * its deserializer at every start, or other code than the build's (found by review, test/ops/code-cache-faults).
 */
function seal(data: Buffer): Buffer {
  return Buffer.concat([createHash('sha256').update(data).digest(), data]);
}

/** The cache in a file's bytes, or null when they are not what seal() wrote (damaged, torn, another format). */
function sealedData(file: Buffer): Buffer | null {
  if (file.length <= 32) return null;
  const data = file.subarray(32);
  return createHash('sha256').update(data).digest().equals(file.subarray(0, 32)) ? data : null;
}

/** A temporary file older than this was left by a process that died mid-write: removed when caches are written. */
const STALE_TMP_MS = 60_000;

/**
 * Writes the new caches into `code/<build>/` (temporary name, rename, 0600), removes other builds' folders
 * and temporary files left by a process that died mid-write. Returns how many were written, and the error
 * that stopped it (the folder cannot be written: a read-only or full disk, another owner).
 */
function writeCaches(code: string, build: string, pending: Map<string, Buffer>): { written: number; error?: string } {
  if (pending.size === 0) return { written: 0 };
  let written = 0;
  const folder = join(code, build);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    for (const other of readdirSync(code)) if (other !== build) rmSync(join(code, other), { recursive: true, force: true });
    for (const f of readdirSync(folder)) {
      if (f.endsWith('.tmp') && Date.now() - statSync(join(folder, f)).mtimeMs > STALE_TMP_MS) rmSync(join(folder, f), { force: true });
    }
    for (const [name, data] of pending) {
      const tmp = join(folder, `${name}.${process.pid}.tmp`);
      writeFileSync(tmp, seal(data), { mode: 0o600 });
      renameSync(tmp, join(folder, name));
      written += 1;
    }
  } catch (e) {
    return { written, error: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
  return { written };
}

/** The build's directory as a URL ending in '/', from the entry's path (…/dist/src/cli/main.js → …/dist/). */
export function buildRootOf(entryPath: string): string {
  return pathToFileURL(join(entryPath, '..', '..', '..') + '/').href;
}
