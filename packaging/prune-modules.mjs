// Removes from a copied production node_modules what Node never loads at run time (the package's size, and
// lintian's findings in files no hall box uses: the test fixtures' broken .gz, a documentation page that
// loads scripts from a CDN):
//   - the packages' own tests, examples, benchmarks and documentation folders (test/, tests/, __tests__/,
//     example(s)/, benchmark(s)/, docs/, .github/) — not doc/: exceljs and yaml keep run-time code there;
//   - TypeScript sources and declarations (*.ts, *.mts, *.cts: Node 20 does not run .ts, and Node's type
//     stripping refuses files under node_modules), source maps (*.map: no unit runs --enable-source-maps),
//     Markdown and HTML documents (README.md, pino's index.html, tslib's browser wrappers);
//   - C/C++ sources and gyp files of the native modules (the compiled .node files are what loads);
//   - the packages' own development files (dotfiles and dot-folders: lint, CI, git hooks, editor, VCS and
//     coverage configs).
// Licence texts stay (LICENSE*, LICENCE*, COPYING*, NOTICE*, whatever their extension).
//   node packaging/prune-modules.mjs NODE_MODULES   → prints "pruned N files, K KiB" on stderr
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const DIRS = new Set(['test', 'tests', '__tests__', 'example', 'examples', 'benchmark', 'benchmarks', 'docs', '.github']);
const FILES = /\.(d\.)?[mc]?ts$|\.map$|\.md$|\.markdown$|\.html?$|\.(c|cc|cpp|h|hpp)$|\.gypi?$/i;
const KEEP = /^(licen[cs]e|copying|notice)/i;

const top = process.argv[2];
if (!top) throw new Error('usage: prune-modules.mjs NODE_MODULES');
let files = 0;
let bytes = 0;

function size(p) {
  const st = lstatSync(p);
  if (!st.isDirectory()) return [1, st.size];
  let n = 0;
  let b = 0;
  for (const e of readdirSync(p)) {
    const [en, eb] = size(join(p, e));
    n += en;
    b += eb;
  }
  return [n, b];
}
function drop(p) {
  const [n, b] = size(p);
  files += n;
  bytes += b;
  rmSync(p, { recursive: true, force: true });
}
/** Walks a folder; within a package (inPackage) the named folders go. A package's own node_modules is walked as packages. */
function walk(dir, inPackage) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules') walk(p, false);
      else if (inPackage && (DIRS.has(e.name) || (e.name.startsWith('.') && e.name !== '.bin'))) drop(p);
      else walk(p, inPackage || !e.name.startsWith('@'));
      continue;
    }
    if (KEEP.test(e.name)) continue;
    if (e.name.startsWith('.') || FILES.test(e.name)) drop(p);
  }
  // A folder left empty (zod's src/ once its .ts are gone) goes too.
  if (inPackage && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}
walk(top, false);
process.stderr.write(`hallq deb: pruned ${files} files never loaded at run time (${Math.round(bytes / 1024)} KiB)\n`);
