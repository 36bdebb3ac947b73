// Whether node_modules holds what package-lock.json asks for: exit 0 when it does, 1 (with the first
// difference on stderr) when `npm ci` is needed. Compares contents, not file dates: a checkout, a
// `git pull` that rewrote the lock with the same packages, or a copy would make the lock look newer.
// npm writes node_modules/.package-lock.json (the "hidden lockfile") after each install: its `packages`
// must have every package of the lock, at the same version, except the root entry ("") and optional
// ones this platform skipped (another OS's or CPU's native build).
// Usage: node scripts/node-deps-current.mjs [DIR]   (DIR: the clone, default the current directory)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.';

function packagesOf(file) {
  try {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')).packages;
    return p !== null && typeof p === 'object' ? p : undefined;
  } catch {
    return undefined;
  }
}

function stale(why) {
  process.stderr.write(`hallq: node_modules is not as package-lock.json says: ${why}\n`);
  process.exit(1);
}

const wanted = packagesOf('package-lock.json');
const installed = packagesOf('node_modules/.package-lock.json');
if (wanted === undefined) stale('package-lock.json has no packages');
if (installed === undefined) stale('node_modules/.package-lock.json is missing or unreadable (no complete npm install)');
for (const [path, want] of Object.entries(wanted)) {
  if (path === '') continue;
  const have = installed[path];
  if (have === undefined) {
    if (want.optional === true || want.devOptional === true) continue;
    stale(`${path} is not installed`);
  }
  if ((want.version ?? null) !== (have.version ?? null)) stale(`${path} is ${have.version ?? 'of no version'}, the lock wants ${want.version ?? 'none'}`);
  if ((want.link === true) !== (have.link === true) || (want.link === true && want.resolved !== have.resolved)) stale(`${path} is not linked as the lock says`);
}
