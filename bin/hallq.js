#!/usr/bin/env node
// The `hallq` command. Which code it runs:
//   - the build (dist/src/cli/main.js, from `npm run build`) when there is no src/ next to it (the
//     installed program: scripts/install.sh and the systemd units) or when the build is newer than
//     every source file (a clone after `npm run build`);
//   - otherwise, in a clone, the TypeScript sources through tsx: development only, a few seconds
//     slower to start because every start compiles them.
// HALLQ_RUN=dist or HALLQ_RUN=src forces one (benchmarks, tests).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

// A daemon asked to reload (SIGHUP) while its code still loads would be ended by Node's default action:
// the launcher counts such signals until the daemon listens itself and reloads once started (src/cli/daemon.ts).
if (process.argv[2] === 'server' || process.argv[2] === 'agent') {
  const early = Symbol.for('hallq.hangupsBeforeStart');
  globalThis[early] = 0;
  process.on('SIGHUP', () => (globalThis[early] += 1));
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
const stamp = join(root, 'dist', 'BUILD.json');
const sources = ['src', 'drivers'].map((d) => join(root, d));

/** The CLI's one error form (src/cli/cli-error.ts): `error: CODE: message (messageZh)`, one line, no trace. */
function fail(code, message, messageZh, status = 1) {
  process.stderr.write(`error: ${code}: ${message} (${messageZh})\n`);
  process.exit(status);
}

/** True when some file the build uses under dir (any but the *.md notes) was modified after t (ms). */
function newerThan(dir, t) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(p, t) : !entry.name.endsWith('.md') && statSync(p).mtimeMs > t) return true;
  }
  return false;
}

function choose() {
  const forced = process.env.HALLQ_RUN;
  // An installed hallq has its build only: asked for sources, say so (not a module-loader trace, nor an npm hint that cannot help).
  if (forced === 'src' && !existsSync(sources[0])) {
    fail('USAGE', `HALLQ_RUN=src: there are no sources in ${root} (an installed hallq runs its build): leave HALLQ_RUN unset or set it to dist`, `HALLQ_RUN=src：${root} 中没有源码（安装的 hallq 只运行编译好的程序）：请不设 HALLQ_RUN，或设为 dist`, 2);
  }
  if (forced === 'dist' || forced === 'src') return forced;
  if (forced) fail('USAGE', `HALLQ_RUN=${forced}: expected dist or src`, `HALLQ_RUN=${forced}：应为 dist 或 src`, 2);
  const haveBuild = existsSync(built) && existsSync(stamp);
  if (!existsSync(sources[0])) return 'dist';
  if (!haveBuild) return 'src';
  const t = statSync(stamp).mtimeMs;
  return sources.some((d) => existsSync(d) && newerThan(d, t)) ? 'src' : 'dist';
}

/** A package absent from node_modules: the setup step was skipped. Our own missing files are a real bug and keep their trace. */
function missingPackage(e) {
  return e && e.code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find package '([^']+)'/.exec(String(e.message))?.[1] : undefined;
}

// The same words as src/cli/main.ts's setupHint (a package found missing after the CLI loaded).
const setup = (pkg) =>
  existsSync(sources[0])
    ? { en: `hallq's npm packages are not installed in this clone (${root}: node_modules has no "${pkg}"): run \`npm ci\` in ${root} first`, zh: `源码目录 ${root} 尚未安装 hallq 的 npm 包（node_modules 中没有 "${pkg}"）：请先在该目录运行 npm ci` }
    : { en: `hallq's npm packages are not installed in ${root} (node_modules has no "${pkg}"): run \`npm ci --omit=dev\` in ${root}, or reinstall hallq`, zh: `${root} 尚未安装 hallq 的 npm 包（node_modules 中没有 "${pkg}"）：请在该目录运行 npm ci --omit=dev，或重新安装 hallq` };

/**
 * A daemon under systemd (a cache directory) on a Node started with --experimental-vm-modules, as the
 * units start it: the build loaded with V8's code cache (src/cli/code-cache.ts). False when it was not
 * (anything else, or the loader could not load the build: nothing of the program has run then).
 */
async function importedWithCodeCache(url) {
  const dir = process.env.CACHE_DIRECTORY?.split(':')[0];
  if (!dir || (process.argv[2] !== 'server' && process.argv[2] !== 'agent') || typeof vm.SourceTextModule !== 'function') return false;
  let loader;
  try {
    loader = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'code-cache.js')).href);
  } catch {
    return false;
  }
  return (await loader.importWithCodeCache(url, { dir, buildRoot: loader.buildRootOf(built) })) !== undefined;
}

/**
 * The .deb's native modules (better-sqlite3, serialport, node-hid) were built for one Node major's module ABI
 * (scripts/build-deb.sh writes node-abi.json); under another major they cannot load. Said plainly before any
 * module loads, instead of a dlopen error from deep inside the server.
 */
function checkNodeAbi() {
  const file = join(root, 'node-abi.json');
  if (!existsSync(file)) return;
  const built = JSON.parse(readFileSync(file, 'utf8'));
  if (built.modules === process.versions.modules) return;
  const major = String(built.node).split('.')[0];
  process.stderr.write(
    `error: NODE_ABI: this hallq was packaged for Node ${major} (module ABI ${built.modules}, Node ${built.node}) but runs on Node ${process.versions.node} (ABI ${process.versions.modules}): its native modules cannot load. Install Node ${major}.x as /usr/bin/node, or build the package with this Node (npm ci && npm run deb) ` +
      `(此 hallq 软件包为 Node ${major} 构建，当前为 Node ${process.versions.node}，原生模块无法加载：请安装 Node ${major}.x，或用当前 Node 重新构建软件包)\n`,
  );
  process.exit(1);
}

checkNodeAbi();
const mode = choose();
try {
  if (mode === 'dist') {
    if (!existsSync(built)) {
      const dist = join(root, 'dist');
      if (existsSync(sources[0])) fail('NO_BUILD', `there is no build in ${dist}: run \`npm run build\` in ${root} first`, `${dist} 中没有编译好的程序：请先在 ${root} 运行 npm run build`);
      fail('NO_BUILD', `there is no build in ${dist}: reinstall hallq`, `${dist} 中没有编译好的程序：请重新安装 hallq`);
    }
    const url = pathToFileURL(built).href;
    if (!(await importedWithCodeCache(url))) await import(url);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
  }
} catch (e) {
  const pkg = missingPackage(e);
  if (pkg === undefined) throw e;
  const words = setup(pkg);
  fail('MISSING_PACKAGE', words.en, words.zh);
}
