import { accessSync, constants, statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { HallqError } from '../../drivers/common/error.js';
import { errnoOf, fileProblem, systemWords } from '../../drivers/common/system-words.js';
import type { ConfigIssue } from './validate.js';

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
            // A folder passes the access check but is no file to read.
            if (statSync(x).isDirectory()) throw Object.assign(new Error(`${x} is a folder`), { code: 'EISDIR' });
          } catch (e) {
            const w = systemWords(errnoOf(e));
            issues.push({ path: p, found: `${JSON.stringify(x)} (${w.en})`, expected: 'a file this user can read', foundZh: `${JSON.stringify(x)}（${w.zh}）`, expectedZh: '当前用户可读的文件' });
          }
        } else walk(x, p);
      }
    }
  };
  walk(config, '');
  return issues;
}

/**
 * The contents of a file the config names (`key`: its key path), or CONFIG_INVALID naming the key and
 * the file in words, English and Chinese — never a bare ENOENT. `hallq config check` finds these first.
 */
export function readReferencedFile(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const p = fileProblem('read', path, e, key);
    throw new HallqError('CONFIG_INVALID', `${p.en}; hallq config check lists every such file`, { key, path, errno: p.errno, messageZh: `${p.zh}；hallq config check 会列出所有这样的文件` }, { cause: e });
  }
}
