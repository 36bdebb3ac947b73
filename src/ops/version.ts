import { readFileSync } from 'node:fs';

/**
 * hallq's version: the nearest package.json named hallq above this file (src/ops/ in a clone,
 * dist/src/ops/ in a build or under /opt/hallq). 'unknown' if there is none.
 */
export function packageVersion(): string {
  for (let up = '../../'; up.length <= 12; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hallq' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
