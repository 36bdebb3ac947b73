import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { sqliteSessionRows } from '../../src/server/auth/session-rows.js';
import { SessionStore, type Session, type SessionEnd } from '../../src/server/auth/sessions.js';

/**
 * Sessions kept in the hall database (issue 12's tryout, finding 1: a restart forgot them and left their
 * windows open with nobody to close them): a store opened again on the same file has them, ends at its
 * first sweep those that expired meanwhile, and the table holds no token.
 */

const stores: SessionStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open(db: string, now: () => number, ttlMs: number, expired: Session[] = []): SessionStore {
  const store = new SessionStore(now, ttlMs, (s) => expired.push(s), sqliteSessionRows(db, silentLogger));
  stores.push(store);
  return store;
}

const hallDb = () => join(mkdtempSync(join(tmpdir(), 'hallq-sessions-')), 'hall.db');

describe('sessions in the hall database', () => {
  it('keeps live sessions across a restart, forgets the signed-out ones, and stores no token', () => {
    const db = hallDb();
    let now = 1_000_000;
    const first = open(db, () => now, 3600_000);
    const a = first.create({ staffId: 's1', role: 'staff', window: 1 });
    const b = first.create({ staffId: 'm1', role: 'manager' });
    const gone = first.create({ staffId: 's2', role: 'staff', window: 2 });
    first.delete(gone.token);
    first.close();

    now += 60_000;
    const expired: Session[] = [];
    const second = open(db, () => now, 3600_000, expired);
    second.sweep();
    expect(second.get(a.token)).toEqual(a.session);
    expect(second.get(b.token)).toEqual({ staffId: 'm1', role: 'manager', createdAt: b.session.createdAt, expiresAt: b.session.expiresAt });
    expect(second.get(gone.token)).toBeUndefined();
    expect(expired).toEqual([]);
    // The table has the sessions' hashes: neither the cookie tokens nor anything that signs in.
    const raw = new Database(db, { readonly: true });
    const rows = raw.prepare('SELECT key FROM staff_sessions').all() as { key: string }[];
    raw.close();
    expect(rows).toHaveLength(2);
    const bytes = readFileSync(db).toString('latin1') + readFileSync(`${db}-wal`).toString('latin1');
    for (const t of [a.token, b.token, gone.token]) expect(bytes).not.toContain(t);
    for (const r of rows) expect([a.token, b.token]).not.toContain(r.key);
  });

  it('ends at the first sweep, as expiries, the sessions that expired while the server was down, and only those', () => {
    const db = hallDb();
    let now = 1_000_000;
    const first = open(db, () => now, 3600_000);
    const early = first.create({ staffId: 's1', role: 'staff', window: 1 });
    now += 30 * 60_000;
    const late = first.create({ staffId: 's2', role: 'staff', window: 2 });
    first.close();

    // Down for an hour: the first session's expiry passed, the second's has not.
    now += 45 * 60_000;
    const expired: Session[] = [];
    const second = open(db, () => now, 3600_000, expired);
    second.sweep();
    expect(expired).toEqual([early.session]);
    expect(second.get(late.token)).toEqual(late.session);
    second.close();
    // Ended for good: a third start does not expire it again.
    const again: Session[] = [];
    const third = open(db, () => now, 3600_000, again);
    third.sweep();
    expect(again).toEqual([]);
    expect(third.list()).toEqual([late.session]);
  });

  it('tells a watcher once why its session ended, and nothing after it stopped watching', () => {
    let now = 1_000_000;
    const store = new SessionStore(() => now, 3600_000);
    stores.push(store);
    const heard: [string, SessionEnd][] = [];
    const listen = (name: string, token: string) => store.watch(token, (why) => heard.push([name, why]));
    const out = store.create({ staffId: 's1', role: 'staff', window: 1 });
    const passed = store.create({ staffId: 's2', role: 'staff', window: 2 });
    const old = store.create({ staffId: 's3', role: 'staff', window: 3 });
    const quiet = store.create({ staffId: 's4', role: 'staff', window: 4 });
    listen('out', out.token);
    listen('passed', passed.token);
    listen('old', old.token);
    listen('quiet', quiet.token)();
    listen('none', 'no-such-token');
    store.delete(out.token);
    store.delete(out.token);
    expect(store.endWhere((s) => s.window === 2, 'window-passed')).toEqual([passed.session]);
    now += 3600_000;
    store.sweep();
    expect(heard).toEqual([
      ['none', 'signed-out'],
      ['out', 'signed-out'],
      ['passed', 'window-passed'],
      ['old', 'expired'],
    ]);
  });
});
