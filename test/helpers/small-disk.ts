import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real small disk for the full-disk tests: a tmpfs of `megabytes` mounted on a fresh folder (root, as
 * the hall box's installer runs; `mounted` false where mount is not allowed). `fill()` writes a filler
 * file until the disk refuses more; `free()` deletes it; `unmount()` ends it all.
 */
export function smallDisk(name: string, megabytes = 3): { dir: string; mounted: boolean; fill(): void; free(): void; unmount(): void } {
  const dir = mkdtempSync(join(tmpdir(), `hallq-${name}-`));
  const filler = join(dir, 'filler');
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}M`, 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // Not root, or no mount in this sandbox.
  }
  return {
    dir,
    mounted,
    fill: () => {
      for (let n = 0; ; n++) {
        try {
          writeFileSync(filler, Buffer.alloc(64 * 1024, 1), { flag: 'a' });
        } catch {
          return;
        }
        if (n > 1000) throw new Error('the tmpfs never filled');
      }
    },
    free: () => rmSync(filler),
    unmount: () => {
      if (mounted) execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
