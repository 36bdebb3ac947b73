import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HallqError } from '../../drivers/common/error.js';
import { fileProblem } from '../../drivers/common/system-words.js';

/**
 * `mkdir -p` that always ends: one level at a time from the nearest existing parent. (Node 20's
 * `mkdirSync(dir, { recursive: true })` loops forever under /proc, e.g. `--out /proc/nope`.) Throws an
 * FILE_IO naming `what` (the option) and the directory when it cannot be made, or is not a directory.
 */
export function makeDir(dir: string, what: string, mode?: number): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const st = statOrUndefined(at);
    if (st !== undefined) {
      if (!st.isDirectory()) throw new HallqError('FILE_IO', `${what}: ${at} is not a directory`, { path: at, messageZh: `${what}：${at} 不是目录` });
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing) {
    try {
      mkdirSync(d, mode === undefined ? undefined : { mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statOrUndefined(d)?.isDirectory()) continue;
      const p = fileProblem('create', d, e, what);
      throw new HallqError('FILE_IO', p.en, { path: d, errno: p.errno, messageZh: p.zh }, { cause: e });
    }
  }
}

function statOrUndefined(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
