import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * Versioned SQL files (src/city/migrations/NNN_name.sql), applied in order, each once, each in its
 * own transaction, recorded in schema_migrations. A lock keeps two city services starting at once
 * from applying the same file twice.
 */
const dir = new URL('./migrations/', import.meta.url);

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function migrations(): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(new URL(f, dir), 'utf8') }));
}

/** Applies the missing migrations; resolves with the versions it applied. */
export async function migrate(client: pg.PoolClient | pg.Client): Promise<number[]> {
  await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock(7714001)');
  try {
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of migrations()) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7714001)');
  }
  return applied;
}
