/**
 * Phone numbers at rest (DESIGN §8): AES-256-GCM with a fresh 12-byte IV per value. The ticket id is
 * bound in as associated data, so a sealed number copied onto another ticket's row does not open.
 * Layout: version (1) · IV (12) · tag (16) · ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HallqError } from '../../drivers/common/error.js';

export const KEY_BYTES = 32;
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(key: Buffer, plaintext: string, associated: string): Buffer {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** Throws STORE_CORRUPT when the value was altered, belongs to another ticket, or was sealed with another key. */
export function unseal(key: Buffer, sealed: Uint8Array, associated: string): string {
  checkKey(key);
  const buf = Buffer.from(sealed);
  if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== VERSION) throw new HallqError('STORE_CORRUPT', 'sealed value has an unknown layout');
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(associated, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (e) {
    // The message names nothing sealed: the failure alone is what an operator needs (wrong key file?).
    throw new HallqError('STORE_CORRUPT', 'sealed value does not open with this key (altered, moved, or another key)', {}, { cause: e });
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new HallqError('CONFIG_INVALID', `an AES-256 key has ${KEY_BYTES} bytes, not ${key.length}`);
}
