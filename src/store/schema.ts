import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../../drivers/common/logger.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { corrupt } from './errors.js';

/**
 * The schema is versioned by PRAGMA user_version. Migrations are append-only: never edit a released one,
 * add the next version instead. Versions run 1..n without gaps (checked at load).
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, command outcomes, snapshots',
    sql: `
      CREATE TABLE events (
        seq        INTEGER PRIMARY KEY,  -- contiguous from 1; the rowid, so seq order is storage order
        at         INTEGER NOT NULL,
        command_id TEXT    NOT NULL,
        type       TEXT    NOT NULL,
        body       TEXT    NOT NULL      -- JSON of the event without seq/at/commandId/type
      );
      CREATE TABLE commands (
        id       TEXT    PRIMARY KEY,
        outcome  TEXT    NOT NULL,       -- JSON
        last_seq INTEGER NOT NULL        -- lastSeq once this command's events were appended
      );
      CREATE TABLE snapshots (
        seq     INTEGER PRIMARY KEY,
        state   TEXT    NOT NULL,        -- JSON
        created INTEGER NOT NULL         -- wall-clock ms, for operators only
      );
    `,
  },
  {
    version: 2,
    description: 'position of each event within its command; UNIQUE(command_id, pos) so no event is stored twice',
    sql: `
      ALTER TABLE events ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
      UPDATE events SET pos = (
        SELECT count(*) FROM events AS earlier
        WHERE earlier.command_id = events.command_id AND earlier.seq < events.seq
      );
      CREATE UNIQUE INDEX events_once ON events (command_id, pos);
    `,
  },
  {
    version: 3,
    description: 'SMS: contacts (phone sealed with AES-256-GCM) and the outbox, one message per ticket and reason',
    sql: `
      CREATE TABLE contacts (
        ticket_id TEXT    PRIMARY KEY,
        phone     BLOB    NOT NULL,      -- sealed (src/store/seal.ts); never stored in the clear
        created   INTEGER NOT NULL       -- epoch ms, for the retention job
      );
      CREATE INDEX contacts_created ON contacts (created);
      CREATE TABLE sms_outbox (
        id              INTEGER PRIMARY KEY,
        ticket_id       TEXT    NOT NULL,
        reason          TEXT    NOT NULL CHECK (reason IN ('issued', 'near', 'called')),
        state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dropped', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error_code TEXT,
        provider_ref    TEXT,
        event_seq       INTEGER NOT NULL, -- the NotificationDue event it came from
        params          TEXT    NOT NULL, -- JSON: number, service id, position, windows (no personal data)
        created         INTEGER NOT NULL,
        updated         INTEGER NOT NULL,
        UNIQUE (ticket_id, reason)       -- at most one message per ticket and reason, whatever is replayed
      );
      CREATE INDEX sms_outbox_due ON sms_outbox (state, next_attempt_at);
    `,
  },
  {
    version: 4,
    description: 'staff credentials: a salted scrypt hash of each staff member\'s PIN or password (src/server/auth/credentials.ts)',
    sql: `
      CREATE TABLE staff_credentials (
        staff_id TEXT    PRIMARY KEY,
        hash     TEXT    NOT NULL,       -- scrypt$N$r$p$<salt base64>$<key base64>; never the secret itself
        updated  INTEGER NOT NULL        -- epoch ms
      );
    `,
  },
  {
    version: 5,
    description: "sms_outbox: reasons 'rating-link' (the off-site rating link, src/server/sms/rating-link.ts) and 'reminder' (an appointment's SMS reminder, src/server/platform/reminders.ts)",
    // SQLite cannot alter a CHECK: the table is rebuilt with the same rows.
    sql: `
      CREATE TABLE sms_outbox_v5 (
        id              INTEGER PRIMARY KEY,
        ticket_id       TEXT    NOT NULL, -- a ticket id, or appointment:<id> for a reminder
        reason          TEXT    NOT NULL CHECK (reason IN ('issued', 'near', 'called', 'rating-link', 'reminder')),
        state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dropped', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error_code TEXT,
        provider_ref    TEXT,
        event_seq       INTEGER NOT NULL, -- the NotificationDue (or ServiceCompleted) event it came from
        params          TEXT    NOT NULL, -- JSON: number, service id, position, windows, rating link (no personal data)
        created         INTEGER NOT NULL,
        updated         INTEGER NOT NULL,
        UNIQUE (ticket_id, reason)
      );
      INSERT INTO sms_outbox_v5 SELECT * FROM sms_outbox;
      DROP TABLE sms_outbox;
      ALTER TABLE sms_outbox_v5 RENAME TO sms_outbox;
      CREATE INDEX sms_outbox_due ON sms_outbox (state, next_attempt_at);
    `,
  },
  {
    version: 6,
    description: "hall_meta: the database's instance id, random, made once (src/server/instance-probe.ts: a second server on another database is refused the hall's broker identity; a restart on this one never is)",
    sql: `
      CREATE TABLE hall_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      INSERT INTO hall_meta (key, value) VALUES ('instance', lower(hex(randomblob(16))));
    `,
  },
  {
    version: 7,
    description: 'sign_in_throttle: the failed sign-in counts and refusals (src/server/auth/throttle-counts.ts), so a restart keeps an active refusal; keyed hashes, never an address or a typed staff id',
    sql: `
      CREATE TABLE sign_in_throttle (
        key           TEXT    PRIMARY KEY, -- HMAC-SHA256 (base64url) of the count's key under <database>.throttle-key
        level         REAL    NOT NULL,    -- failures counted, as of at (one forgotten per leakMs)
        at            INTEGER NOT NULL,    -- epoch ms of the server's clock
        refused_until INTEGER NOT NULL     -- epoch ms; 0: not refused
      );
    `,
  },
  {
    version: 8,
    description: 'drop events_once: a command\'s events go in with its commands row, whose key refuses a second copy; the index cost every commit a random-key insert per event (issue 12)',
    sql: `
      DROP INDEX IF EXISTS events_once;
    `,
  },
  {
    version: 9,
    description: 'staff_sessions: the signed-in staff sessions (src/server/auth/session-rows.ts), so a restart keeps them and ends each at its expiry; keyed by the SHA-256 of the cookie token, never the token',
    sql: `
      CREATE TABLE staff_sessions (
        key        TEXT    PRIMARY KEY, -- SHA-256 (base64url) of the cookie's 256-bit token
        staff_id   TEXT    NOT NULL,
        role       TEXT    NOT NULL,
        at_window  INTEGER,             -- the window signed in to; NULL: none (a technician, a manager at none)
        created_at INTEGER NOT NULL,    -- epoch ms of the server's clock
        expires_at INTEGER NOT NULL     -- epoch ms; the session ends then
      );
    `,
  },
];

for (const [i, m] of MIGRATIONS.entries()) {
  if (m.version !== i + 1) throw new Error(`store migrations out of order: #${i} has version ${m.version}`);
}

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewer(found: number, known: number): never {
  throw corrupt(`event log has schema version ${found}, newer than this hallq understands (${known}); upgrade hallq`, { found, known }, `事件日志的结构版本是 ${found}，比本 hallq 能识别的（${known}）新；请升级 hallq`);
}

/**
 * Bring the database up to the newest version in `migrations`, one transaction per migration.
 * BEGIN IMMEDIATE plus a re-read of user_version inside the transaction makes two processes opening the same
 * file at once safe: the second waits for the lock and then finds the work done.
 */
export function migrate(
  db: BetterSqlite3.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  logger: Logger = silentLogger,
): { from: number; to: number } {
  const known = migrations.length;
  const from = schemaVersion(db);
  if (from > known) refuseNewer(from, known);
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      const now = schemaVersion(db);
      if (now >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    logger.info({ version: m.version, description: m.description }, 'event log schema migrated');
  }
  return { from, to: Math.max(from, known) };
}

/** For read-only opens, which cannot migrate: the file must already be exactly at our version. */
export function requireVersion(db: BetterSqlite3.Database, known: number = SCHEMA_VERSION): void {
  const found = schemaVersion(db);
  if (found > known) refuseNewer(found, known);
  if (found < known) {
    throw corrupt(`event log has schema version ${found}, this hallq needs ${known}; open it read-write once to migrate`, { found, known }, `事件日志的结构版本是 ${found}，本 hallq 需要 ${known}；请以读写方式打开一次以完成迁移`);
  }
}
