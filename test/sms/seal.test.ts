import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import { recordingLogger } from '../../drivers/common/logger.js';
import { defaultKeyPath, loadOrCreateKey, parseKey } from '../../src/server/sms/key-file.js';
import { seal, unseal } from '../../src/store/seal.js';
import { dirs } from './fixtures.js';

afterEach(() => dirs.cleanup());

const PHONE = '13912345678';

describe('sealing phone numbers (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('opens what it sealed, and never holds the digits in the clear', () => {
    const sealed = seal(key, PHONE, 't-1');
    expect(unseal(key, sealed, 't-1')).toBe(PHONE);
    expect(sealed.toString('latin1')).not.toContain(PHONE);
    expect(sealed.toString('hex')).not.toContain(PHONE);
    // A fresh IV each time: the same number sealed twice gives different bytes (no equality leak).
    expect(seal(key, PHONE, 't-1').equals(sealed)).toBe(false);
  });

  it('refuses a value moved to another ticket, altered, or opened with another key', () => {
    const sealed = seal(key, PHONE, 't-1');
    const fails = (f: () => unknown) => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isHallqError(err, 'STORE_CORRUPT')).toBe(true);
      expect(String((err as Error).message)).not.toContain(PHONE);
    };
    fails(() => unseal(key, sealed, 't-2'));
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    fails(() => unseal(key, altered, 't-1'));
    fails(() => unseal(randomBytes(32), sealed, 't-1'));
    fails(() => unseal(key, sealed.subarray(0, 10), 't-1'));
  });

  it('takes a key as 64 hex digits or base64 of 32 bytes, nothing else', () => {
    const k = randomBytes(32);
    expect(parseKey(k.toString('hex'), 'f').equals(k)).toBe(true);
    expect(parseKey(`${k.toString('base64')}\n`, 'f').equals(k)).toBe(true);
    for (const bad of ['', 'abc', randomBytes(16).toString('hex'), randomBytes(24).toString('base64'), `${k.toString('hex')}00`]) {
      expect(() => parseKey(bad, 'f')).toThrow(/32 bytes/);
    }
  });

  it('generates a key next to the database with mode 0600 once, and reuses it', () => {
    const db = join(dirs.make(), 'hall.db');
    const logs = recordingLogger();
    const k1 = loadOrCreateKey({ database: db, logger: logs });
    const path = defaultKeyPath(db);
    expect(path).toBe(`${db}.sms-key`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(parseKey(readFileSync(path, 'utf8'), path).equals(k1)).toBe(true);
    expect(loadOrCreateKey({ database: db, logger: logs }).equals(k1)).toBe(true);
    // The key itself never reaches a log.
    expect(JSON.stringify(logs.records)).not.toContain(k1.toString('hex'));
  });

  it('reads a configured key file and warns when others can read it', () => {
    const dir = dirs.make();
    const file = join(dir, 'sms.key');
    const k = randomBytes(32);
    writeFileSync(file, k.toString('base64'), { mode: 0o644 });
    const logs = recordingLogger();
    expect(loadOrCreateKey({ keyFile: file, database: join(dir, 'x.db'), logger: logs }).equals(k)).toBe(true);
    expect(logs.records.some((r) => r.level === 'warn' && /chmod 600/.test(r.msg ?? ''))).toBe(true);
    expect(() => loadOrCreateKey({ keyFile: join(dir, 'missing'), database: join(dir, 'x.db'), logger: logs })).toThrow(/cannot read/);
  });
});
