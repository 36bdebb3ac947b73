import { randomUUID } from 'node:crypto';
import type { Logger } from '../../drivers/common/logger.js';
import type { Command, HallEvent, Outcome } from '../core/index.js';
import type { CredentialStore } from './auth/credentials.js';
import { sqliteSessionRows } from './auth/session-rows.js';
import { SessionStore, type Role, type Session, type SessionEnd } from './auth/sessions.js';
import type { HallEngine } from './engine.js';

/** What the session rules need of the server: its engine, a way to run its own commands, the credentials. */
export interface StaffSessionHost {
  engine: HallEngine;
  run(cmd: Command): Outcome;
  credentials: CredentialStore;
  /** The hall database (the sessions' table is beside the event log). */
  database: string;
  clock: () => number;
  /** server.http.sessionHours (12). */
  sessionHours?: number;
  logger: Logger;
}

export interface StaffSessions {
  store: SessionStore;
  /** Signs out (attendance ends, at `endedAt` if given and past; the window closes if still theirs); `why` is for the log. */
  signOut(s: { staffId: string; window?: number }, why: string, endedAt?: number): void;
  /** Ends the expired sessions and those whose PIN/password was set again or removed since (every minute, and at start). */
  sweep(): void;
  close(): void;
}

/** A configured staff member's role (the config's default: staff; the core's StaffDef does not carry it); undefined for nobody. */
export function roleOf(staff: object): Role;
export function roleOf(staff: object | undefined): Role | undefined;
export function roleOf(staff: object | undefined): Role | undefined {
  return staff === undefined ? undefined : ((staff as { role?: Role }).role ?? 'staff');
}

/**
 * The server's rules for staff sessions (README, Sessions), decided from the present state and config,
 * never from what a client says:
 *  - a session expiring signs out, unless the same person is still signed in at that window in another;
 *  - at start, sessions kept from before (the hall database) that the config no longer allows (staff
 *    removed, role changed) end, and those that expired while the server was down sign out;
 *  - a PIN set again or removed ends the sessions signed in with the old one (within a minute);
 *  - after each commit, a session whose window closed (a manager, a keypad, the day's start, their own
 *    close) or passed to someone else ends, and its person is signed out there once (attendance ends then).
 * Every end reaches the session's watchers (its live feed, which tells the page why).
 */
export function staffSessions(h: StaffSessionHost): StaffSessions {
  const { engine, logger, credentials } = h;
  const staffOf = (id: string) => engine.state.config?.staff.find((x) => x.id === id);
  const signOut = (s: { staffId: string; window?: number }, why: string, endedAt?: number) => {
    try {
      const outcome = h.run({ id: `sign-out-${randomUUID()}`, type: 'SignOut', staffId: s.staffId, ...(s.window === undefined ? {} : { window: s.window }), ...(endedAt === undefined ? {} : { endedAt }), source: s.window === undefined ? 'admin' : 'soft-caller' });
      if (outcome.ok) return void logger.info({ staffId: s.staffId, window: s.window, why }, 'signed out');
      logger.warn({ staffId: s.staffId, window: s.window, why, code: outcome.code }, 'sign-out refused');
    } catch (e) {
      logger.error({ staffId: s.staffId, err: String(e) }, 'sign-out event failed');
    }
  };
  /** Whether the same person is still signed in at that window in another live session (a second device, or signed in there again). */
  const keptByAnother = (s: Session) => s.window !== undefined && store.ofStaff(s.staffId).some((o) => o.window === s.window && o.expiresAt > h.clock());
  /**
   * Signs out once per person and window (two sessions of one person at a window end together), unless
   * another live session of theirs is still at that window: the last one to end signs out (a PIN set
   * again ends the old session, not the one signed in with the new PIN).
   */
  const signOutAll = (ended: Session[], why: string, already: ReadonlySet<string> = new Set()) => {
    const done = new Set<string>();
    for (const s of ended) {
      const k = `${s.staffId}@${s.window ?? ''}`;
      if (done.has(k) || already.has(s.staffId)) continue;
      done.add(k);
      if (keptByAnother(s)) {
        logger.info({ staffId: s.staffId, window: s.window, why }, 'session ended; another session of theirs at the window keeps it');
        continue;
      }
      signOut(s, why);
    }
  };
  const store = new SessionStore(
    h.clock,
    (h.sessionHours ?? 12) * 3600_000,
    (s) => {
      if (keptByAnother(s)) {
        logger.info({ staffId: s.staffId, window: s.window }, 'session expired; another session of theirs at the window keeps it');
        return;
      }
      // At its expiry: the restart's time for one that expired while the server was down would stretch
      // the attendance record over the outage.
      signOut(s, 'session expired', s.expiresAt);
    },
    sqliteSessionRows(h.database, logger),
  );

  /** Why a session at a window ends now, if it does: the window closed, or someone else holds it. */
  const windowEnd = (s: Session): SessionEnd | undefined => {
    const w = s.window === undefined ? undefined : engine.state.windows[String(s.window)];
    if (w === undefined) return undefined;
    if (w.status === 'closed') return 'window-closed';
    return w.staffId !== undefined && w.staffId !== s.staffId ? 'window-passed' : undefined;
  };
  // Staff signed out by the commits since the last check: their own sign-out closed the window, and the
  // other sessions it ends need no second StaffSignedOut.
  let signedOutSince = new Set<string>();
  let checkQueued = false;
  const endAtWindows = () => {
    checkQueued = false;
    const already = signedOutSince;
    signedOutSince = new Set();
    signOutAll(store.endWhere((s) => windowEnd(s) === 'window-closed', 'window-closed'), 'window closed', already);
    signOutAll(store.endWhere((s) => windowEnd(s) === 'window-passed', 'window-passed'), 'window passed to someone else');
  };
  // After the commit, outside the engine's append (a sign-out is a command of its own).
  // A commit with no session at a window (a keypad-only hall, the bench's load) costs one look at the
  // sessions, not a scan of its events; the signed-out set only matters to the check it queues.
  const offAppended = engine.onAppended((events: HallEvent[]) => {
    if (!checkQueued) {
      if (!store.some((s) => s.window !== undefined)) return;
      checkQueued = true;
      queueMicrotask(endAtWindows);
    }
    for (const e of events) if (e.type === 'StaffSignedOut') signedOutSince.add(e.staffId);
  });

  // A PIN set again (it leaked, someone left) or removed ends the sessions signed in with the old one,
  // within the minute: kept sessions would otherwise outlive it, even across restarts.
  const sweep = () => {
    store.sweep();
    if (!store.some(() => true)) return;
    let changed: Map<string, number>;
    try {
      changed = new Map(credentials.list().map((c) => [c.staffId, c.updated]));
    } catch (e) {
      logger.warn({ err: String(e) }, 'sessions: cannot read the staff credentials to check for changed PINs; checking again in a minute');
      return;
    }
    signOutAll(
      store.endWhere((s) => !(s.createdAt >= (changed.get(s.staffId) ?? Infinity)), 'pin-changed'),
      'PIN/password set again or removed',
    );
  };

  // At start: what the config no longer allows, what expired meanwhile, windows closed meanwhile (a new day).
  signOutAll(store.endWhere((s) => roleOf(staffOf(s.staffId)) !== s.role, 'config-changed'), 'staff or role changed in the config');
  sweep();
  endAtWindows();
  const timer = setInterval(sweep, 60_000);
  timer.unref();
  return {
    store,
    signOut,
    sweep,
    close() {
      clearInterval(timer);
      offAppended();
      store.close();
    },
  };
}
