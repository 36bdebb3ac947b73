/**
 * Where the sign-in throttle keeps its counts (sign-in-throttle.ts): in memory, or in the hall database
 * (table sign_in_throttle, migration 7) so that a restart keeps an active refusal. Counts are read from
 * memory; the database copy is written through and loaded at the start. Its keys are keyed hashes
 * (HMAC-SHA256 under `<database>.throttle-key`): the table holds no client address and no staff id as
 * typed (which may be anything: a phone number, a name). Counts that neither refuse nor hold a failure
 * any more are dropped (sweep, and at the start).
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '../../../drivers/common/logger.js';
import { openSideConnection } from '../../store/side-connection.js';
import { writeThrough } from './write-through.js';

export interface ThrottleCount {
  /** Failures counted, as of `at` (fractional once some have leaked away). */
  level: number;
  /** When `level` was last brought up to date, clock ms. */
  at: number;
  /** Refused until this time, clock ms; 0: not refused. */
  until: number;
}

export interface ThrottleCounts {
  get(key: string): ThrottleCount | undefined;
  set(key: string, count: ThrottleCount): void;
  delete(key: string): void;
  readonly size: number;
  /** Drops the counts that neither refuse at `now` nor hold a failure, one leaking away per `leakMs`. */
  sweep(now: number, leakMs: number): void;
  close(): void;
}

const spent = (c: ThrottleCount, now: number, leakMs: number): boolean => c.until <= now && c.level - (now - c.at) / leakMs <= 0;

/** Counts in memory only: a restart forgets them. */
export function memoryCounts(): ThrottleCounts {
  const counts = new Map<string, ThrottleCount>();
  return {
    get: (key) => counts.get(key),
    set: (key, c) => void counts.set(key, { ...c }),
    delete: (key) => void counts.delete(key),
    get size() {
      return counts.size;
    },
    sweep(now, leakMs) {
      for (const [key, c] of counts) if (spent(c, now, leakMs)) counts.delete(key);
    },
    close: () => counts.clear(),
  };
}

/** `<database>.throttle-key`: the key of the hashes the sign_in_throttle table is keyed by. */
export function throttleKeyPath(database: string): string {
  return `${database}.throttle-key`;
}

/**
 * Counts kept in the hall database at `path` too, on a connection of their own (like the credentials).
 * Counts spent at `now` are dropped on opening. A database write that fails is logged and the count kept
 * in memory: a sign-in never fails because the throttle could not write.
 */
export function sqliteCounts(path: string, hashKey: string, logger: Logger, now: number, leakMs: number): ThrottleCounts {
  const db = openSideConnection(path, logger, { en: 'the sign-in throttle counts', zh: '登录失败计数' });
  const hash = (key: string): string => createHmac('sha256', hashKey).update(key).digest('base64url');
  const put = db.prepare('INSERT INTO sign_in_throttle (key, level, at, refused_until) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET level = excluded.level, at = excluded.at, refused_until = excluded.refused_until');
  const del = db.prepare('DELETE FROM sign_in_throttle WHERE key = ?');
  // Spent: not refusing and every counted failure leaked away (level - (now - at) / leakMs <= 0).
  const dropSpent = db.prepare('DELETE FROM sign_in_throttle WHERE refused_until <= @now AND level * @leakMs <= @now - at');
  const all = db.prepare<[], { key: string; level: number; at: number; refused_until: number }>('SELECT key, level, at, refused_until FROM sign_in_throttle');
  const counts = new Map<string, ThrottleCount>();
  const write = writeThrough(logger, 'sign-in throttle: cannot write its counts to the database; counting in memory (a restart would forget them)');
  write(() => dropSpent.run({ now, leakMs }));
  for (const r of all.all()) counts.set(r.key, { level: r.level, at: r.at, until: r.refused_until });
  return {
    get: (key) => counts.get(hash(key)),
    set(key, c) {
      const h = hash(key);
      counts.set(h, { ...c });
      write(() => put.run(h, c.level, c.at, c.until));
    },
    delete(key) {
      const h = hash(key);
      counts.delete(h);
      write(() => del.run(h));
    },
    get size() {
      return counts.size;
    },
    sweep(at, leak) {
      for (const [h, c] of counts) if (spent(c, at, leak)) counts.delete(h);
      write(() => dropSpent.run({ now: at, leakMs: leak }));
    },
    close: () => db.close(),
  };
}
