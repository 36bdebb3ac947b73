import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';

/**
 * `<database>.cli-token`: the technician CLI's bearer token (`hallq status|queue|issue|call`).
 * The server creates it at start (mode 0600, next to the database); whoever can read it on the
 * server box (root, the hallq user) may use the CLI.
 */
export function cliTokenPath(database: string): string {
  return `${database}.cli-token`;
}

export function readCliToken(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
