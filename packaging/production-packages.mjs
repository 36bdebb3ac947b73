// The npm packages the installed hallq runs with, from package-lock.json itself (never from what happens to be
// in node_modules: a node_modules not made by `npm ci` holds extraneous packages, e.g. a linter or a bundler
// left by another branch, which `npm ls --omit=dev` lists too).
//   node packaging/production-packages.mjs PROJECT   → one path a line, relative to PROJECT (node_modules/…)
// Every lock entry that is not "dev": true: required ones must be present at the locked version, optional
// ones (other systems' native builds) are taken when present. Exits 1, saying what to run, when node_modules
// does not match the lock.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const project = process.argv[2];
if (!project) {
  process.stderr.write('usage: production-packages.mjs PROJECT\n');
  process.exit(2);
}
const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
if (!lock.packages || lock.lockfileVersion < 2) {
  process.stderr.write('production-packages: package-lock.json has no "packages" (lockfileVersion 2 or 3, npm 7 or later)\n');
  process.exit(1);
}
const wanted = [];
const problems = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  if (path === '' || entry.dev) continue;
  if (entry.link) {
    problems.push(`${path} is a link (a workspace): not supported in the package`);
    continue;
  }
  const manifest = join(project, path, 'package.json');
  if (!existsSync(manifest)) {
    if (!entry.optional) problems.push(`${path} is missing`);
    continue;
  }
  const version = JSON.parse(readFileSync(manifest, 'utf8')).version;
  if (entry.version && version !== entry.version) problems.push(`${path} is ${version}, the lock says ${entry.version}`);
  wanted.push(path);
}
if (problems.length > 0) {
  process.stderr.write(`production-packages: node_modules does not match package-lock.json (run \`npm ci\`):\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(wanted.map((p) => `${p}\n`).join(''));
