import { createHash, randomBytes } from 'node:crypto';

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

/** The longest delay setTimeout keeps (2^31 − 1 ms, ~24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sessions kept in the server's memory, keyed by a hash of the cookie's random token (a restart
 * signs everyone out; the log still has their sign-ins). Expiry is absolute: `ttlMs` after sign-in,
 * and a session ends at that moment, by a timer set for the earliest one (unref'd), not at the next
 * request or sweep: the window of a staff member who walked away closes on time (issue 12's tryout,
 * finding 7: it stayed open up to the server's 60 s sweep). The sweep stays, for a wall clock that jumped.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires (the clock's ms), Infinity with none set. */
  #timerAt = Infinity;
  constructor(
    private readonly clock: () => number,
    readonly ttlMs = 12 * 3600_000,
    /** Called once for each session that expired (the server signs them out: attendance ends). */
    private readonly onExpire: (s: Session) => void = () => undefined,
  ) {}

  /** A new session; returns the cookie value (256 random bits, base64url). */
  create(s: Omit<Session, 'createdAt' | 'expiresAt'>): { token: string; session: Session } {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session: Session = { ...s, createdAt: now, expiresAt: now + this.ttlMs };
    this.sessions.set(key(token), session);
    this.#schedule();
    return { token, session };
  }

  get(token: string | undefined): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const k = key(token);
    const s = this.sessions.get(k);
    if (s && s.expiresAt <= this.clock()) {
      this.sessions.delete(k);
      this.onExpire(s);
      return undefined;
    }
    return s;
  }

  delete(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.get(token);
    this.sessions.delete(key(token));
    return s;
  }

  /** Sessions of a staff member (a second sign-in elsewhere, a window taken over). */
  ofStaff(staffId: string): Session[] {
    return [...this.sessions.values()].filter((s) => s.staffId === staffId);
  }

  /** Ends every expired session (run on each sign-in and by the server's timer). */
  sweep(): void {
    const now = this.clock();
    for (const [k, s] of this.sessions) {
      if (s.expiresAt > now) continue;
      this.sessions.delete(k);
      this.onExpire(s);
    }
    this.#schedule();
  }

  /** Stops the expiry timer (the server's close); sessions are not ended by it. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** Sets the timer for the earliest expiry, unless it is set for it already. A session deleted before it fires makes it sweep nothing. */
  #schedule(): void {
    let next = Infinity;
    for (const s of this.sessions.values()) if (s.expiresAt < next) next = s.expiresAt;
    if (next === this.#timerAt) return;
    this.close();
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
