import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** Where udev puts names that survive replugging (systemd/99-hallq.rules makes /dev/hallq/*). */
export const STABLE_DIRS = ['/dev/hallq', '/dev/serial/by-id'] as const;

export interface StableName {
  path: string;
  /** What it points at now (/dev/ttyUSB0 …), or undefined if dangling. */
  target: string | undefined;
}

/** Every entry of the stable-name directories, for the technician (missing dirs are simply empty). */
export function listStableNames(dirs: readonly string[] = STABLE_DIRS): StableName[] {
  const out: StableName[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      const path = join(dir, n);
      let target: string | undefined;
      try {
        target = realpathSync(path);
      } catch {
        target = undefined;
      }
      out.push({ path, target });
    }
  }
  return out;
}

/**
 * A health detail for a path that could not be opened. When the path does not exist, it lists the
 * stable names there are, so the technician sees at once which one the config should name.
 */
export function openFailureDetail(path: string, error: Error, dirs: readonly string[] = STABLE_DIRS): string {
  if (existsSync(path)) return error.message.includes(path) ? error.message : `${path}: ${error.message}`;
  const names = listStableNames(dirs);
  const found = names.length > 0 ? names.map((n) => (n.target ? `${n.path} → ${n.target}` : n.path)).join(', ') : 'none';
  return `${path} does not exist; stable names present (${dirs.join(', ')}): ${found}`;
}
