import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore, type Session } from '../../src/server/auth/sessions.js';

/**
 * A staff session ends the moment it expires (issue 12's tryout, finding 7): the store's own timer
 * signs it out, with no request carrying its cookie and no sweep, so the window of someone who walked
 * away closes on time, not up to the server's 60 s sweep later.
 */

/** The sessions a store expired, in order, and a wait for the next one (rejected after `ms`: a bound, not a sleep). */
function expiries(): { onExpire: (s: Session) => void; all: Session[]; next: (ms: number) => Promise<Session> } {
  const all: Session[] = [];
  let waiting: ((s: Session) => void) | undefined;
  let read = 0;
  return {
    all,
    onExpire: (s) => {
      all.push(s);
      waiting?.(s);
    },
    next: (ms) =>
      new Promise((res, rej) => {
        const have = all[read];
        if (have) return void (read++, res(have));
        const bound = setTimeout(() => rej(new Error(`no session expired within ${ms} ms`)), ms);
        waiting = (s) => {
          waiting = undefined;
          read++;
          clearTimeout(bound);
          res(s);
        };
      }),
  };
}

const stores: SessionStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('SessionStore expiry', () => {
  it('signs a session out at its expiry, by its own timer, earliest first', async () => {
    const expired = expiries();
    const store = new SessionStore(() => Date.now(), 40, expired.onExpire);
    stores.push(store);
    const first = store.create({ staffId: 's1', role: 'staff', window: 1 });
    const second = store.create({ staffId: 's2', role: 'staff', window: 2 });
    // Nothing asks the store anything from here on: only its timer can end the sessions.
    const a = await expired.next(5_000);
    expect(a.staffId).toBe('s1');
    // Not before its time (a timer that fires early sweeps nothing and is set again).
    expect(Date.now()).toBeGreaterThanOrEqual(first.session.expiresAt);
    const b = await expired.next(5_000);
    expect(b.staffId).toBe('s2');
    expect(Date.now()).toBeGreaterThanOrEqual(second.session.expiresAt);
    expect(store.ofStaff('s1')).toEqual([]);
    expect(store.ofStaff('s2')).toEqual([]);
  });

  it('ends a session signed out early once only, and the next one still on time', async () => {
    const expired = expiries();
    // Long enough that no stall of a loaded machine between the sign-in and the sign-out below expires it first.
    const store = new SessionStore(() => Date.now(), 1_000, expired.onExpire);
    stores.push(store);
    const gone = store.create({ staffId: 's1', role: 'staff', window: 1 });
    store.create({ staffId: 's2', role: 'staff', window: 2 });
    // Signed out by hand before its expiry: the timer set for it finds nothing, then waits for s2's.
    store.delete(gone.token);
    const b = await expired.next(5_000);
    expect(b.staffId).toBe('s2');
    expect(expired.all.map((s) => s.staffId)).toEqual(['s2']);
  });

  it('keeps a session longer than a timer can wait (30 days) without a timer that fires at once', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const expired = expiries();
    // 30 days: past setTimeout's 24.8-day limit, where an unclamped timer would fire immediately.
    const store = new SessionStore(() => Date.now(), 30 * 24 * 3600_000, expired.onExpire);
    stores.push(store);
    store.create({ staffId: 's1', role: 'staff', window: 1 });
    // A short session's expiry, later on the same loop: by then an immediate timer of the long store would have fired.
    const short = expiries();
    const shortOne = new SessionStore(() => Date.now(), 20, short.onExpire);
    stores.push(shortOne);
    shortOne.create({ staffId: 'x', role: 'staff' });
    await short.next(5_000);
    process.off('warning', onWarning);
    expect(expired.all).toEqual([]);
    expect(store.ofStaff('s1')).toHaveLength(1);
    // Node clamps an overlong delay to 1 ms with this warning: the store must not ask for one.
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
