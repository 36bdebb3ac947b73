// The production build's code (scripts/build.sh runs it): src/ and drivers/ bundled by esbuild into ESM
// with code splitting, so a start reads a few dozen files instead of hundreds of modules (issue 12).
//   node scripts/bundle.mjs OUTDIR
// - Entry points keep the paths the launcher, the units and the packages load: OUTDIR/src/cli/main.js
//   (bin/hallq.js) and OUTDIR/drivers/voice/generate-clips.js (install.sh, postinst). Modules shared by
//   entries or imported lazily (`await import('./x.js')`: one chunk per subcommand and per lazy part)
//   go to OUTDIR/chunks/.
// - npm packages are bundled too (their many small CommonJS files cost most of the start), except the
//   `external` ones below: native add-ons, and heavy packages used only by some commands, which stay in
//   node_modules and load when first imported; and the `lazy` ones, which load at their first use.
// - `import.meta.url` in our sources is rewritten to the URL the file would have compiled in place
//   (OUTDIR/src/web/routes.js for src/web/routes.ts), whatever chunk it lands in: so
//   `new URL('./pages/', import.meta.url)` finds the pages build.sh copies to OUTDIR/src/web/pages/, and
//   the walk up to package.json still works. `import.meta.resolve` and the rest are left as they are.
// - OUTDIR/meta.json: esbuild's metafile (which input went to which output, and how big), outputs named
//   relative to OUTDIR.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'dist'));

/** Left in node_modules: native add-ons, and heavy packages only some commands or rare requests use. */
export const external = [
  'better-sqlite3',
  '@napi-rs/canvas',
  'serialport',
  '@serialport/*',
  'node-hid',
  'exceljs',
  'aedes',
  'aedes-*',
  'pg',
  'pg-*',
  // Its templates and the swagger UI files are read from its own folder; only `npm run openapi` uses it.
  '@fastify/swagger',
  // Pages served from node_modules by path (src/web/routes.ts, src/server/reports-http.ts): never imported.
  'preact',
  'htm',
  'chart.js',
  // Only the development launcher imports it.
  'tsx',
  // Fastify's default schema compilers (Ajv, fast-json-stringify), required only when no compilers are
  // given: src/http/app.ts gives zod's. Fastify's error serializer needs one small file of the latter.
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'fast-json-stringify',
  // app.inject(): tests, never the running program.
  'light-my-request',
];

// The snapshot worker runs in a thread of its own, from a file of its own (src/server/snapshot-writer.ts);
// the launcher (bin/hallq.js) loads the build through the code-cache loader, a file of its own too.
const entryPoints = ['src/cli/main.ts', 'drivers/voice/generate-clips.ts', 'src/server/snapshot-worker.ts', 'src/cli/code-cache.ts'];

/**
 * Packages a bundled package requires at its top but uses only in a rare case: replaced by a stand-in that
 * requires the real one (left in node_modules) at its first use. glob: @fastify/static, only with
 * `wildcard: false` (hallq keeps the default; it takes `{ glob }` at load, so the stand-in is that
 * function); socks: mqtt.js, only through a SOCKS proxy (it reads `socks.SocksClient` when connecting);
 * ws: mqtt.js, only for ws:// and wss:// broker URLs (it calls `new WebSocket(…)` and
 * `WebSocket.createWebSocketStream`, so the stand-in is a constructible function); worker-timers (with
 * @babel/runtime and its broker, ~10 ms of a start): mqtt.js, only in a browser (it reads `setInterval` and
 * `clearInterval` at its load and calls them there only); ip-address: @fastify/rate-limit, only to group an
 * IPv6 client by subnet (it takes `Address6` at its load and calls it with `new`); lru-cache: mqtt.js, only
 * for MQTT 5 topic aliases (`new LRUCache(…)`); mime (its 1,000-odd types built into maps at its load):
 * @fastify/send, only when a file is sent (`mime.getType`; @fastify/static sets `default_type` on it at its
 * load, kept by the stand-in, which both share); http-errors (with depd, which reads a stack at its load):
 * @fastify/send, only for a file that cannot be sent; content-disposition: @fastify/static, only for
 * `reply.download`; ipaddr.js: Fastify's proxy-addr, only with server.http.trustProxy set to addresses
 * (`isValid` and `parse`, taken at its load). debug (with supports-color and Node's tty): mqtt.js and
 * mqtt-packet make their loggers with it at their load and call them for every packet; they write only
 * when DEBUG names them, which the debug package reads from the environment at its load, so without DEBUG
 * the stand-in's loggers do nothing and the package never loads (with DEBUG set it is the package itself).
 */
const lazy = {
  'worker-timers': "exports.setInterval = (...args) => require('worker-timers').setInterval(...args); exports.clearInterval = (...args) => require('worker-timers').clearInterval(...args);",
  'ip-address': "exports.Address6 = function Address6(...args) { return new (require('ip-address').Address6)(...args); };",
  glob: "exports.glob = (...args) => require('glob').glob(...args);",
  ws: "let real; const load = () => (real ??= require('ws')); module.exports = new Proxy(function WebSocket() {}, { get: (_, key) => (key === '__esModule' ? false : load()[key]), construct: (_, args) => new (load())(...args) });",
  socks: "let real; module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? false : (real ??= require('socks'))[key]) });",
  'lru-cache': "exports.LRUCache = function LRUCache(...args) { return new (require('lru-cache').LRUCache)(...args); };",
  mime: "let real; const own = {}; const load = () => (real ??= require('mime')); module.exports = new Proxy(own, { get: (_, key) => { if (key === '__esModule') return false; if (Object.hasOwn(own, key)) return own[key]; const v = load()[key]; return typeof v === 'function' ? v.bind(real) : v; }, set: (_, key, value) => ((own[key] = value), true) });",
  'http-errors': "module.exports = (...args) => require('http-errors')(...args);",
  'content-disposition': "module.exports = (...args) => require('content-disposition')(...args); module.exports.parse = (...args) => require('content-disposition').parse(...args);",
  'ipaddr.js': "exports.isValid = (...args) => require('ipaddr.js').isValid(...args); exports.parse = (...args) => require('ipaddr.js').parse(...args);",
  debug: "if (process.env.DEBUG) module.exports = require('debug'); else { const off = (namespace) => { const log = () => {}; log.namespace = namespace; log.enabled = false; log.extend = (sub, delimiter = ':') => off(namespace + delimiter + sub); return log; }; module.exports = off; }",
};

/**
 * Node modules a bundled package requires at its top for a case hallq never has, by the file that requires
 * them: loaded at their first use instead. Fastify's server.js: node:http2 (hallq never passes `http2`),
 * node:https (only with server.http.tls), node:dns (only to listen on `localhost`, which it looks up);
 * mqtt.js's connect/tls.js, which every connect loads: tls (only for mqtts:// and ssl:// broker URLs).
 * assert, which pino's sonic-boom and thread-stream, find-my-way, Fastify's plugin-utils and mqtt.js's
 * socks.js require at their load and only ever call as `assert(value, message)`: the stand-in calls the
 * real one, with the same arguments, only when the value is falsy (an assertion that fails without a
 * message of its own is worded from the stand-in's call, not the package's: all of theirs give one but
 * thread-stream's check that a stream is not sync and the three in mqtt.js's SOCKS proxy code).
 * semver (46 KB), which Fastify's plugin-utils requires at its load to check each plugin's `fastify`
 * range against its own version: the plugins hallq registers all say `5.x`, which for a plain x.y.z
 * version the stand-in answers as semver does (the same major); any other range or version, and its `gt`
 * and `coerce` (a Fastify release candidate), run semver (bundled still: its code is compiled with the
 * chunk, but not run).
 */
const fastifyServer = /[\\/]node_modules[\\/]fastify[\\/]lib[\\/]server\.js$/;
const lazyBuiltins = [
  { importer: fastifyServer, module: 'node:http2', contents: "exports.createServer = (...args) => require('node:http2').createServer(...args); exports.createSecureServer = (...args) => require('node:http2').createSecureServer(...args);" },
  { importer: fastifyServer, module: 'node:https', contents: "exports.createServer = (...args) => require('node:https').createServer(...args);" },
  { importer: fastifyServer, module: 'node:dns', contents: "exports.lookup = (...args) => require('node:dns').lookup(...args);" },
  { importer: /[\\/]node_modules[\\/]mqtt[\\/]build[\\/]lib[\\/]connect[\\/]tls\.js$/, module: 'tls', contents: "exports.connect = (...args) => require('node:tls').connect(...args);" },
  {
    importer: /[\\/]node_modules[\\/]fastify[\\/]lib[\\/]plugin-utils\.js$/,
    module: 'semver',
    // Bundled, as it was: only its evaluation waits for a use (from node_modules, its 50-odd files cost ~60 ms).
    bundled: true,
    contents: "let real; const load = () => (real ??= require('semver')); exports.gt = (...args) => load().gt(...args); exports.coerce = (...args) => load().coerce(...args); exports.satisfies = (version, range, ...rest) => { const major = /^(\\d+)\\.x$/.exec(range); const plain = /^(\\d+)\\.\\d+\\.\\d+$/.exec(version); return major && plain ? plain[1] === major[1] : load().satisfies(version, range, ...rest); };",
  },
  ...['node:assert', 'assert'].map((module) => ({
    importer: /[\\/]node_modules[\\/](sonic-boom[\\/]index|thread-stream[\\/]index|find-my-way[\\/].*|fastify[\\/]lib[\\/]plugin-utils|mqtt[\\/]build[\\/]lib[\\/]connect[\\/]socks)\.js$/,
    module,
    contents: "module.exports = function assert(...args) { if (!args[0]) require('node:assert')(...args); };",
  })),
];

const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(lazy).map((k) => k.replaceAll('.', '\\.')).join('|')})$`);
    // From the stand-in itself: the real package, from node_modules.
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({ contents: lazy[args.path], loader: 'js' }));
    // A Node module, only from the file named: its stand-in (by its index), which requires the real one.
    const builtins = new RegExp(`^(${lazyBuiltins.map((l) => l.module).join('|')})$`);
    b.onResolve({ filter: builtins }, (args) => {
      if (args.namespace === 'lazy-builtin') return lazyBuiltins[Number(args.importer)]?.bundled ? undefined : { path: args.path, external: true };
      const standIn = lazyBuiltins.findIndex((l) => l.module === args.path && l.importer.test(args.importer));
      return standIn < 0 ? undefined : { path: String(standIn), namespace: 'lazy-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: lazyBuiltins[Number(args.path)].contents, loader: 'js', resolveDir: root }));
  },
};

/**
 * zod 4 exports every one of its 60-odd message locales (`z.locales`, `z.core.locales`) from one module, and
 * a namespace export keeps them all: ~290 KB that every start compiled. hallq uses zod's default English
 * messages only, which zod sets up from
 * `locales/en.js` directly: the namespace is cut to `en`. Measured alone (a module with one z.object, bundled
 * as here, CPU time of the import on Node 20): ~100 ms → ~60 ms.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]node_modules[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: "export { default as en } from './en.js';", loader: 'js', resolveDir: dirname(args.path) }));
  },
};

/** A package left in node_modules, required; one that is not there fails as its ES import would. */
const requireOrSay = (name) => `(() => { try { return require(${name}); } catch (e) {
  if (e?.code !== 'MODULE_NOT_FOUND' || !String(e.message).startsWith(\`Cannot find module '\${${name}}'\`)) throw e;
  throw Object.assign(new Error(\`Cannot find package '\${${name}}' imported from \${e.requireStack?.[0] ?? 'hallq'}\`), { code: 'ERR_MODULE_NOT_FOUND' });
} })()`;

/**
 * CommonJS packages left in node_modules that the server's start imports (better-sqlite3): loaded with the
 * bundle's require() instead of an ES import, for which Node first loads its CommonJS export lexer and
 * parses the package to name its exports (issue 12: ~4 ms of a start). `import Database from
 * 'better-sqlite3'` still gives module.exports, as Node's import of a CommonJS module does; a package that
 * is not there fails as its ES import would (ERR_MODULE_NOT_FOUND, "Cannot find package …"), which the
 * launcher and the CLI turn into MISSING_PACKAGE. better-sqlite3 finds its native addon at the first
 * `new Database()` with the bindings package, a search of ~6 ms: where npm puts the addon
 * (build/Release), it is required here and given to every new Database as its `nativeBinding` option (the
 * same module object the search would return; a call that gives its own is left alone); elsewhere the
 * package searches as it always does.
 */
const requiredExternals = {
  'better-sqlite3': `const Database = ${requireOrSay('"better-sqlite3"')};
let addon;
try { addon = require('better-sqlite3/build/Release/better_sqlite3.node'); } catch { addon = undefined; }
const withAddon = (args) => {
  const options = args[1];
  if (options !== undefined && (options === null || typeof options !== 'object' || 'nativeBinding' in options)) return args;
  return [args[0], { ...options, nativeBinding: addon }, ...args.slice(2)];
};
module.exports = addon === undefined ? Database : new Proxy(Database, {
  construct: (target, args, newTarget) => Reflect.construct(target, withAddon(args), newTarget),
  apply: (target, _self, args) => Reflect.construct(target, withAddon(args)),
});`,
};
const requireExternals = {
  name: 'require-externals',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(requiredExternals).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'required-external' ? { path: args.path, external: true } : { path: args.path, namespace: 'required-external' }));
    b.onLoad({ filter: /.*/, namespace: 'required-external' }, (args) => ({ contents: requiredExternals[args.path], loader: 'js' }));
  },
};

/**
 * fast-json-stringify stays in node_modules (only Fastify's default compilers use it, and hallq gives zod's),
 * but Fastify's error serializer requires one small file of it at every start: that file (and the one it
 * requires) is bundled, so the start does not read and compile it through Node's CommonJS loader.
 */
const bundledSubpaths = {
  name: 'bundled-subpaths',
  setup(b) {
    b.onResolve({ filter: /^fast-json-stringify\/lib\/serializer$/ }, (args) => ({ path: createRequire(args.importer).resolve(args.path) }));
  },
};

const PLACEHOLDER = '__hallqSourceUrl__';

/** import.meta.url → a placeholder naming the source file; resolved per output file once the chunks are known. */
const sourceUrl = {
  name: 'source-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(root, args.path).replace(/\.ts$/, '.js');
      return { contents: text.replaceAll('import.meta.url', `${PLACEHOLDER}(${JSON.stringify(rel)})`), loader: 'ts' };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints,
  outdir,
  outbase: '.',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  external,
  // Bundled CommonJS packages call require() for Node's modules and for one another's JSON. (__dirname is
  // not defined: the bundled code that reads it, pino's transports and a cli-table3 theme loader, is not used.)
  banner: { js: "import { createRequire as __hallqCreateRequire } from 'node:module'; const require = __hallqCreateRequire(import.meta.url);" },
  // Names stay (stack traces in the journal, error classes' names); only whitespace and syntax shrink.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: false,
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
  // readable-stream 4 (mqtt.js, bl) is a copy of Node's own streams for browsers: on Node the built-in
  // module does the same, and the server parses ~120 KB less at each start.
  alias: { 'readable-stream': 'node:stream' },
  plugins: [sourceUrl, lazyPackages, zodEnglishOnly, requireExternals, bundledSubpaths],
});

// Resolve each placeholder against the output file it ended in.
let rewritten = 0;
for (const file of Object.keys(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  const path = join(root, file);
  const text = await readFile(path, 'utf8');
  if (!text.includes(PLACEHOLDER)) continue;
  const next = text.replace(new RegExp(`${PLACEHOLDER}\\("([^"]+)"\\)`, 'g'), (_m, rel) => {
    rewritten++;
    let href = relative(dirname(path), join(outdir, rel));
    if (!href.startsWith('.')) href = `./${href}`;
    return `new URL(${JSON.stringify(href)},import.meta.url).href`;
  });
  if (next.includes(PLACEHOLDER)) throw new Error(`${file}: an import.meta.url left unresolved`);
  await writeFile(path, next);
}
// Outputs named relative to the output folder (chunks/x.js, src/cli/main.js): the folder is renamed to dist/ after.
const meta = { inputs: result.metafile.inputs, outputs: Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, o]) => [relative(outdir, join(root, file)), o])) };
await writeFile(join(outdir, 'meta.json'), JSON.stringify(meta));
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
const bytes = outputs.reduce((n, f) => n + result.metafile.outputs[f].bytes, 0);
process.stderr.write(`hallq bundle: ${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB, ${rewritten} import.meta.url rewritten\n`);
