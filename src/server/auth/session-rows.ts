/**
 * Where the session store (sessions.ts) keeps its sessions besides memory: nowhere (tests, a tool's
 * throwaway server), or the hall database (table staff_sessions, migration 9) so that a restart, a
 * crash or an upgrade keeps everyone signed in and each session still ends at its expiry (issue 12's
 * tryout: a restart forgot the sessions and left their windows open with nobody to close them).
 * Sessions are read from memory; the table is written through and read once, at the start. Its key is
 * the SHA-256 of the cookie's token: the table cannot sign anyone in.
 */
import type { Logger } from '../../../drivers/common/logger.js';
import { openSideConnection } from '../../store/side-connection.js';
import { writeThrough } from './write-through.js';
import type { Role, Session } from './sessions.js';

export interface SessionRows {
  /** Every session kept, by its key (expired ones too: the store ends them). */
  load(): [string, Session][];
  put(key: string, s: Session): void;
  delete(key: string): void;
  close(): void;
}

/** Sessions in memory only: a restart forgets them. */
export const memoryRows = (): SessionRows => ({ load: () => [], put: () => undefined, delete: () => undefined, close: () => undefined });

const roles: readonly string[] = ['staff', 'manager', 'technician'] satisfies Role[];

/**
 * Sessions kept in the hall database at `path` too, on a connection of their own (like the credentials).
 * A write the database refuses is logged once and the session kept in memory: a sign-in never fails
 * because its row could not be written (a restart would forget that one). A row that is not a session
 * (a role this hallq does not know) is not loaded.
 * Errors: STORE_* on opening (side-connection.ts).
 */
export function sqliteSessionRows(path: string, logger: Logger): SessionRows {
  const db = openSideConnection(path, logger, { en: 'the staff sessions', zh: '工作人员登录会话' });
  const put = db.prepare('INSERT OR REPLACE INTO staff_sessions (key, staff_id, role, at_window, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
  const del = db.prepare('DELETE FROM staff_sessions WHERE key = ?');
  const all = db.prepare<[], { key: string; staff_id: string; role: string; at_window: number | null; created_at: number; expires_at: number }>(
    'SELECT key, staff_id, role, at_window, created_at, expires_at FROM staff_sessions ORDER BY expires_at',
  );
  const write = writeThrough(logger, 'staff sessions: cannot write them to the database; keeping them in memory (a restart would sign those out)');
  return {
    load: () =>
      all
        .all()
        .filter((r) => roles.includes(r.role))
        .map((r) => [r.key, { staffId: r.staff_id, role: r.role as Role, ...(r.at_window === null ? {} : { window: r.at_window }), createdAt: r.created_at, expiresAt: r.expires_at }]),
    put: (key, s) => write(() => put.run(key, s.staffId, s.role, s.window ?? null, s.createdAt, s.expiresAt)),
    delete: (key) => write(() => del.run(key)),
    close: () => db.close(),
  };
}
