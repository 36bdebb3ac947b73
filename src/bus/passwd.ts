import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Mosquitto's password file format, so one file serves Mosquitto and the embedded broker:
 * one `user:hash` per line, the hash `$7$<iterations>$<salt b64>$<PBKDF2-SHA512, 64 bytes, b64>`
 * (mosquitto_passwd's default) or the older `$6$<salt b64>$<SHA-512(password ‖ salt), b64>`.
 */

/** mosquitto_passwd's own count; the passwords `hallq broker` makes are 24 random bytes, so this is not what protects them. */
export const PBKDF2_ITERATIONS = 101;

/** user → hash, for every well-formed line; blank lines, comments and malformed lines are skipped (never a throw). */
export function parsePasswordFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    users.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return users;
}

/** Whether `password` matches a `$7$` or `$6$` hash; false for any other or malformed hash. */
export function verifyPassword(hash: string, password: Buffer | string): boolean {
  const pw = Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8');
  const parts = hash.split('$');
  let expected: Buffer;
  let actual: Buffer;
  if (parts.length === 5 && parts[1] === '7' && /^\d{1,7}$/.test(parts[2] ?? '')) {
    const iterations = Number(parts[2]);
    expected = Buffer.from(parts[4] ?? '', 'base64');
    if (iterations < 1 || expected.length !== 64) return false;
    actual = pbkdf2Sync(pw, Buffer.from(parts[3] ?? '', 'base64'), iterations, 64, 'sha512');
  } else if (parts.length === 4 && parts[1] === '6') {
    expected = Buffer.from(parts[3] ?? '', 'base64');
    if (expected.length !== 64) return false;
    actual = createHash('sha512').update(pw).update(Buffer.from(parts[2] ?? '', 'base64')).digest();
  } else return false;
  return timingSafeEqual(actual, expected);
}

/** A `$7$` hash of `password` with a fresh 12-byte salt, as mosquitto_passwd writes it. */
export function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A long random password for a broker user (32 base64url characters). */
export function newBrokerPassword(): string {
  return randomBytes(24).toString('base64url');
}
