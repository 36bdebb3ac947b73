import { createHash, randomBytes } from 'node:crypto';
import { memoryRows, type SessionRows } from './session-rows.js';

export type Role = 'staff' | 'manager' | 'technician';

/** Who a request is: a signed-in staff member (cookie session) or the technician CLI on the server box (bearer token file). */
export type Principal = { kind: 'session'; staffId: string; role: Role; window?: number; expiresAt: number } | { kind: 'cli' };

export interface Session {
  staffId: string;
  role: Role;
  /** The window they signed in to (staff act only there). */
  window?: number;
  createdAt: number;
  expiresAt: number;
}

export const SESSION_COOKIE = 'hallq_session';

/**
 * Why a session ended, as its live feed tells the page (the sign-in page says it): signed out, expired,
 * its window closed or passed to someone else, the config no longer allows it (staff removed, role
 * changed), or the PIN/password it signed in with was set again or removed.
 */
export type SessionEnd = 'signed-out' | 'expired' | 'window-closed' | 'window-passed' | 'config-changed' | 'pin-changed';

/** The longest delay setTimeout keeps (2^31 − 1 ms, ~24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The signed-in sessions, keyed by a hash of the cookie's random token, in memory and written through to
 * `rows` (session-rows.ts: the hall database, so a restart keeps them; the log has the sign-ins either
 * way). Expiry is absolute: `ttlMs` after sign-in, and a session ends at that moment, by a timer set for
 * the earliest one (unref'd), not at the next request or sweep: the window of a staff member who walked
 * away closes on time (issue 12's tryout, finding 7: it stayed open up to the server's 60 s sweep). The
 * sweep stays, for a wall clock that jumped. Sessions loaded from `rows` that expired meanwhile end at
 * the first sweep (the server runs one at its start).
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  /** Who is told when a session ends, however it ends (a live feed that must stop with it). */
  readonly #watchers = new Map<string, Set<(why: SessionEnd) => void>>();
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires (the clock's ms), Infinity with none set. */
  #timerAt = Infinity;
  constructor(
    private readonly clock: () => number,
    readonly ttlMs = 12 * 3600_000,
    /** Called once for each session that expired (the server signs them out: attendance ends). */
    private readonly onExpire: (s: Session) => void = () => undefined,
    private readonly rows: SessionRows = memoryRows(),
  ) {
    for (const [k, s] of rows.load()) this.sessions.set(k, s);
  }

  /** A new session; returns the cookie value (256 random bits, base64url). */
  create(s: Omit<Session, 'createdAt' | 'expiresAt'>): { token: string; session: Session } {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session: Session = { ...s, createdAt: now, expiresAt: now + this.ttlMs };
    const k = key(token);
    this.sessions.set(k, session);
    this.rows.put(k, session);
    this.#schedule();
    return { token, session };
  }

  get(token: string | undefined): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const k = key(token);
    const s = this.sessions.get(k);
    if (s && s.expiresAt <= this.clock()) {
      this.#end(k, 'expired');
      this.onExpire(s);
      return undefined;
    }
    return s;
  }

  /** Ends the session of `token` (a sign-out, or a sign-in refused after it was made); returns it if it was live. */
  delete(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.get(token);
    if (s) this.#end(key(token), 'signed-out');
    return s;
  }

  /** Ends every session `which` picks, for `why` (not as an expiry: onExpire is not called); returns them. */
  endWhere(which: (s: Session) => boolean, why: SessionEnd): Session[] {
    const ended: Session[] = [];
    for (const [k, s] of this.sessions) {
      if (!which(s)) continue;
      this.#end(k, why);
      ended.push(s);
    }
    if (ended.length > 0) this.#schedule();
    return ended;
  }

  /** Whether any live session is as `which` asks, without copying them (run after every commit). */
  some(which: (s: Session) => boolean): boolean {
    for (const s of this.sessions.values()) if (which(s)) return true;
    return false;
  }

  /** The live sessions (a handful: one per signed-in staff member and device). */
  list(): Session[] {
    return [...this.sessions.values()];
  }

  /** Sessions of a staff member (a second sign-in elsewhere, a window taken over). */
  ofStaff(staffId: string): Session[] {
    return this.list().filter((s) => s.staffId === staffId);
  }

  /**
   * Calls `fn` once when the session of `token` ends, with why; at once ('signed-out') if there is no such
   * session now. Returns the way to stop watching.
   */
  watch(token: string | undefined, fn: (why: SessionEnd) => void): () => void {
    if (this.get(token) === undefined) {
      fn('signed-out');
      return () => undefined;
    }
    const k = key(token as string);
    const set = this.#watchers.get(k) ?? new Set();
    this.#watchers.set(k, set.add(fn));
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.#watchers.get(k) === set) this.#watchers.delete(k);
    };
  }

  /** Ends every expired session (run on each sign-in, at the server's start and by the timers). */
  sweep(): void {
    const now = this.clock();
    for (const [k, s] of this.sessions) {
      if (s.expiresAt > now) continue;
      this.#end(k, 'expired');
      this.onExpire(s);
    }
    this.#schedule();
  }

  /** Stops the expiry timer and closes the rows (the server's close); sessions are not ended by it. */
  close(): void {
    this.#stopTimer();
    this.rows.close();
  }

  #end(k: string, why: SessionEnd): void {
    this.sessions.delete(k);
    this.rows.delete(k);
    const watchers = this.#watchers.get(k);
    this.#watchers.delete(k);
    for (const fn of watchers ?? []) fn(why);
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** Sets the timer for the earliest expiry, unless it is set for it already. A session deleted before it fires makes it sweep nothing. */
  #schedule(): void {
    let next = Infinity;
    for (const s of this.sessions.values()) if (s.expiresAt < next) next = s.expiresAt;
    if (next === this.#timerAt) return;
    this.#stopTimer();
    if (next === Infinity) return;
    this.#timerAt = next;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.sweep();
    }, Math.min(Math.max(0, next - this.clock()), MAX_TIMER_MS));
    this.#timer.unref();
  }
}

function key(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
