import { accessSync, constants } from 'node:fs';
import type { ConfigIssue } from './load.js';

/**
 * Every file a config points at (any key ending in `File`: passwords, keys, TLS certificates, SMS
 * secrets) that cannot be read by this process, as config issues with the key path, so
 * `hallq config check` finds what would otherwise stop the daemon with a bare ENOENT.
 */
export function unreadableFiles(config: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        if (k.endsWith('File') && typeof x === 'string') {
          try {
            accessSync(x, constants.R_OK);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            issues.push({ path: p, found: `${JSON.stringify(x)} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable by this user' : (code ?? 'unreadable')})`, expected: 'a readable file' });
          }
        } else walk(x, p);
      }
    }
  };
  walk(config, '');
  return issues;
}
