/**
 * The sign-in throttle's counts outlive a restart (issue 13): kept in the hall database (table
 * sign_in_throttle, migration 7) under keyed hashes, so a server started again on the same file still
 * refuses the address that was refused, with Retry-After; the table holds no address nor typed staff id.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { SignInThrottle, defaultThrottle } from '../../src/server/auth/sign-in-throttle.js';
import { sqliteCounts, throttleKeyPath } from '../../src/server/auth/throttle-counts.js';
import { loadOrCreateSecretFile } from '../../src/server/auth/secret-file.js';
import { PIN, httpRig, type HttpRig } from '../http/rig.js';

const attacker = '10.0.0.66';

/** A throttle on the hall database at `db`, as the server opens it. */
function throttleOn(db: string, clock: () => number): SignInThrottle {
  const key = loadOrCreateSecretFile(throttleKeyPath(db), 'sign-in throttle key', silentLogger);
  return new SignInThrottle(clock, {}, sqliteCounts(db, key, silentLogger, clock(), defaultThrottle.leakMs));
}

/** Wrong PINs for s05 from the attacker until refused; the refusal. */
async function guessUntilRefused(t: SignInThrottle): Promise<{ retryMs: number }> {
  for (let i = 0; i < 20; i++) {
    const a = await t.attempt('s05', attacker);
    if (!a.ok) return a;
    a.settle(false);
  }
  throw new Error('never refused');
}

describe('sign-in throttle kept in the hall database', () => {
  it('a new throttle on the same file still refuses, for the rest of the refusal; the rows hold hashes only', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'hallq-throttle-')), 'hall.db');
    let now = 1_800_000_000_000;
    const first = throttleOn(db, () => now);
    const refused = await guessUntilRefused(first);
    expect(refused.retryMs).toBe(30_000);
    first.close();
    now += 10_000;
    const again = throttleOn(db, () => now);
    expect(await again.attempt('s05', attacker)).toMatchObject({ ok: false, retryMs: 20_000, scope: 'staff-at-address' });
    // The window's PC is not refused, before or after the restart.
    expect((await again.attempt('s05', '10.0.0.5')).ok).toBe(true);
    const raw = new Database(db, { readonly: true });
    const rows = raw.prepare('SELECT * FROM sign_in_throttle').all() as Record<string, unknown>[];
    raw.close();
    expect(rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows);
    for (const personal of ['10.0.0.66', '10.0.0.5', 's05']) expect(dump).not.toContain(personal);
    again.close();
    expect(existsSync(throttleKeyPath(db))).toBe(true);
    expect(readFileSync(throttleKeyPath(db), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
  });

  it('drops spent rows: once the refusal is over and the failures leaked away, a start leaves no row', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'hallq-throttle-')), 'hall.db');
    let now = 1_800_000_000_000;
    const first = throttleOn(db, () => now);
    await guessUntilRefused(first);
    first.close();
    // Six failures leak away one an hour; the refusal ended long before.
    now += 7 * 3600_000;
    const later = throttleOn(db, () => now);
    const raw = new Database(db, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM sign_in_throttle').get()).toEqual({ n: 0 });
    raw.close();
    expect((await later.attempt('s05', attacker)).ok).toBe(true);
    later.close();
  });
});

describe('HTTP: a server restarted on the same database still refuses the throttled address', () => {
  let rig: HttpRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  const signIn = (r: HttpRig, staffId: string, secret: string, remoteAddress: string) =>
    r.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: { 'content-type': 'application/json' }, payload: { staffId, secret, window: 5 }, remoteAddress });

  it('429 with Retry-After after the restart, even for the right PIN; the window PC signs in', async () => {
    rig = await httpRig();
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await signIn(rig, 's05', `00${10 + i}`, attacker)).statusCode);
    expect(codes).toEqual([...Array(6).fill(401), 429]);
    const db = rig.db;
    await rig.close();
    rig = await httpRig({ db });
    const refused = await signIn(rig, 's05', PIN['s05'] ?? '', attacker);
    expect(refused.statusCode, refused.body).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(rig, 's05', PIN['s05'] ?? '', '10.0.0.5')).statusCode).toBe(200);
  });
});
