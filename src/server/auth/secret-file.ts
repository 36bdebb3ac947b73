import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { HallqError } from '../../../drivers/common/error.js';
import type { Logger } from '../../../drivers/common/logger.js';

/**
 * A random secret kept in a file next to the database, created once with mode 0600 ('wx': never
 * overwritten, so a second process or a restart reads the same one). Returned as the file's text
 * (32 random bytes, base64url). `lostWithout`: what a new one breaks, for a database that has history
 * (warned instead of the info line when the file is made).
 */
export function loadOrCreateSecretFile(path: string, what: string, logger: Logger, lostWithout?: string): string {
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    // Made for a database that has run a hall day already: a restore without its key files (the tryout).
    if (lostWithout === undefined) logger.info({ file: path }, `generated the ${what}`);
    else logger.warn({ file: path }, `generated the ${what} for a database that has history: ${lostWithout}; if the database was restored from a backup, stop the server and put its key file back (README "Storage")`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new HallqError('STORE_IO', `cannot write the ${what} ${path}`, { path }, { cause: e });
  }
  try {
    if ((statSync(path).mode & 0o077) !== 0) logger.warn({ file: path }, `the ${what} is readable by others; chmod 600 it`);
    const text = readFileSync(path, 'utf8').trim();
    if (text.length < 32) throw new Error('too short');
    return text;
  } catch (e) {
    throw new HallqError('CONFIG_INVALID', `cannot read the ${what} ${path}`, { path }, { cause: e });
  }
}
