/**
 * Staff credentials: a salted scrypt hash of each staff member's PIN or password, in the hall
 * database (migration 4), on a connection of its own. The secret itself is never stored, logged or
 * put in the YAML; `hallq staff passwd` sets it.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { openSideConnection } from '../../store/side-connection.js';
import { HallqError } from '../../../drivers/common/error.js';
import type { Logger } from '../../../drivers/common/logger.js';

const KEY_BYTES = 32;
/** 2^15 × 8 × 128 bytes = 32 MiB and tens of ms per try: slow for a guesser, fine for a sign-in. */
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 1 };
/** PINs of 4+ digits or passwords; an upper bound so nobody hashes a megabyte. */
export const SECRET_MIN = 4;
export const SECRET_MAX = 128;

function scrypt(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(secret.normalize('NFC'), salt, KEY_BYTES, { ...opts, maxmem: 128 * opts.N! * opts.r! * 2 }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$key` (base64); what the table holds. */
export async function hashSecret(secret: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `secret` matches `stored`; constant time in the key comparison. A malformed record never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(secret, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function checkSecret(secret: string): string | undefined {
  if (/^\s|\s$/u.test(secret)) return 'no space at its start or end';
  if (secret.length < SECRET_MIN) return `at least ${SECRET_MIN} characters`;
  if (secret.length > SECRET_MAX) return `at most ${SECRET_MAX} characters`;
  return undefined;
}

export interface CredentialStore {
  /** Sets (or replaces) the secret of a staff member. */
  set(staffId: string, secret: string, now: number): Promise<void>;
  /** True when the staff member has a secret and this is it. Unknown ids cost the same time as known ones. */
  verify(staffId: string, secret: string): Promise<boolean>;
  has(staffId: string): boolean;
  list(): { staffId: string; updated: number }[];
  remove(staffId: string): boolean;
  close(): void;
}

/** A hash of nothing anyone knows: unknown staff ids are checked against it so timing does not tell them apart. */
let decoy: Promise<string> | undefined;

export function openCredentials(path: string, logger: Logger, cost = DEFAULT_COST): CredentialStore {
  // `hallq staff passwd` may be the first to create the hall database: 0600 like the event log's.
  const db = openSideConnection(path, logger, { en: 'the staff credentials', zh: '工作人员凭据' });
  const get = db.prepare<[string], { hash: string }>('SELECT hash FROM staff_credentials WHERE staff_id = ?');
  const put = db.prepare('INSERT INTO staff_credentials (staff_id, hash, updated) VALUES (?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET hash = excluded.hash, updated = excluded.updated');
  const all = db.prepare<[], { staffId: string; updated: number }>('SELECT staff_id AS staffId, updated FROM staff_credentials ORDER BY staff_id');
  const del = db.prepare('DELETE FROM staff_credentials WHERE staff_id = ?');
  return {
    async set(staffId, secret, now) {
      const problem = checkSecret(secret);
      if (problem) throw new HallqError('PAYLOAD_INVALID', `the PIN or password needs ${problem}`, { messageZh: `密码不符合要求（${problem}）` });
      put.run(staffId, await hashSecret(secret, cost), now);
    },
    async verify(staffId, secret) {
      if (secret.length > SECRET_MAX) return false;
      const row = get.get(staffId);
      if (!row) {
        await verifySecret(secret, await (decoy ??= hashSecret(randomBytes(16).toString('hex'), cost)));
        return false;
      }
      return verifySecret(secret, row.hash);
    },
    has: (staffId) => get.get(staffId) !== undefined,
    list: () => all.all(),
    remove: (staffId) => del.run(staffId).changes > 0,
    close: () => db.close(),
  };
}
