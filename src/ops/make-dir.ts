import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends: one level at a time from the nearest existing parent. (Node 20's
 * `mkdirSync(dir, { recursive: true })` loops forever under /proc, e.g. `--out /proc/nope`.) Throws an
 * Error naming `what` (the option) and the directory when it cannot be made, or is not a directory.
 */
export function makeDir(dir: string, what: string, mode?: number): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const st = statOrUndefined(at);
    if (st !== undefined) {
      if (!st.isDirectory()) throw new Error(`${what}: ${at} is not a directory`);
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
      throw new Error(`${what}: cannot create ${d} (${code ?? String(e)})`, { cause: e });
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
