import pg from 'pg';
import type { HallEvent } from '../core/index.js';
import { migrate } from './migrate.js';
import { ms, project, summarize, type CityChange } from './project.js';

/**
 * The city tables in PostgreSQL (src/city/migrations). One writer per hall at a time is assumed, but
 * not trusted: each batch locks its hall's row and skips what is already applied, so an event is in
 * the tables once whatever the broker redelivers.
 */
export class CityStore {
  private constructor(readonly pool: pg.Pool) {}

  static async open(url: string): Promise<CityStore> {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    // An idle client's connection dropped (a restart of PostgreSQL): the pool replaces it; nothing to crash for.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    return new CityStore(pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ensureHalls(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.pool.query('INSERT INTO halls (hall_id) VALUES ($1) ON CONFLICT DO NOTHING', [id]);
  }

  async lastSeqs(): Promise<Map<string, number>> {
    const r = await this.pool.query<{ hall_id: string; last_seq: string }>('SELECT hall_id, last_seq FROM halls');
    return new Map(r.rows.map((x) => [x.hall_id, Number(x.last_seq)]));
  }

  /**
   * A hall's seq as the city believes it (set, down too: its answers are the truth, src/city/ingest.ts),
   * whether its server is online, its day.
   */
  async hallStatus(hall: string, s: { hallSeq?: number; online?: boolean; day?: string }): Promise<void> {
    await this.pool.query('UPDATE halls SET hall_seq = COALESCE($2, hall_seq), online = COALESCE($3, online), day = COALESCE($4, day) WHERE hall_id = $1', [hall, s.hallSeq ?? null, s.online ?? null, s.day ?? null]);
  }

  /** A message the city is about to send to `hall` (src/city/ingest.ts `send`); messages older than `keepMs` go. */
  async messageSent(id: string, hall: string, kind: string, now: number, keepMs = 30 * 86_400_000): Promise<void> {
    await this.pool.query('INSERT INTO city_messages (id, hall_id, kind, sent_at) VALUES ($1, $2, $3, $4)', [id, hall, kind, now]);
    await this.pool.query('DELETE FROM city_messages WHERE sent_at < $1', [now - keepMs]);
  }

  /** Forgets a message that never reached the cluster. */
  async messageDropped(id: string): Promise<void> {
    await this.pool.query('DELETE FROM city_messages WHERE id = $1', [id]);
  }

  /**
   * The answer of hall `hall` to message `id`: stored only when that message went to that hall (a
   * hall can publish only under its own topic, so no hall answers for another). The first answer
   * stays (a redelivered message is answered again, the same). Resolves false when nothing matched.
   */
  async messageAnswered(id: string, hall: string, a: { status: string; data?: unknown; errorCode?: string }, now: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE city_messages SET answered_at = $3, status = $4, data = $5, error_code = $6 WHERE id = $1 AND hall_id = $2 AND answered_at IS NULL', [id, hall, now, a.status, a.data === undefined ? null : JSON.stringify(a.data), a.errorCode ?? null]);
    return (r.rowCount ?? 0) > 0;
  }

  /** A message and its answer: undefined when no such message (or it is older than the store keeps). */
  async message(id: string): Promise<{ hall: string; kind: string; sentAt: number; answer: { hall: string; status: string; data?: unknown; error?: { code: string } } | null } | undefined> {
    const r = await this.pool.query<{ hall_id: string; kind: string; sent_at: string; answered_at: string | null; status: string | null; data: unknown; error_code: string | null }>('SELECT hall_id, kind, sent_at, answered_at, status, data, error_code FROM city_messages WHERE id = $1', [id]);
    const row = r.rows[0];
    if (!row) return undefined;
    const answer =
      row.answered_at === null
        ? null
        : { hall: row.hall_id, status: row.status ?? '', ...(row.data === null ? {} : { data: row.data }), ...(row.error_code === null ? {} : { error: { code: row.error_code } }) };
    return { hall: row.hall_id, kind: row.kind, sentAt: Number(row.sent_at), answer };
  }

  /** Applies one hall's consecutive `events` (see applyMany). */
  async apply(hall: string, events: readonly HallEvent[], now: number): Promise<number[]> {
    return (await this.applyMany([{ hall, events }], now)).get(hall) ?? [];
  }

  /**
   * Applies each hall's `events` (consecutive seqs, in order) in one transaction: the halls' rows
   * are locked (in id order, so two writers cannot deadlock), seqs at or below a hall's last_seq are
   * skipped, a seq past a hole ends that hall's run. The events go in with one INSERT; the
   * projection (src/city/project.ts) runs per event. Resolves with the seqs applied per hall.
   */
  async applyMany(batches: readonly { hall: string; events: readonly HallEvent[] }[], now: number): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (batches.length === 0) return out;
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const ids = [...new Set(batches.map((b) => b.hall))].sort();
      const r = await c.query<{ hall_id: string; last_seq: string }>('SELECT hall_id, last_seq FROM halls WHERE hall_id = ANY($1) ORDER BY hall_id FOR UPDATE', [ids]);
      const lastOf = new Map(r.rows.map((x) => [x.hall_id, Number(x.last_seq)]));
      const rows: { hall: string; e: HallEvent }[] = [];
      const tops: { hall: string; last: number; at: number }[] = [];
      for (const { hall, events } of batches) {
        let last = lastOf.get(hall) ?? 0;
        const applied: number[] = [];
        let at = 0;
        for (const e of events) {
          if (e.seq <= last) continue;
          if (e.seq !== last + 1) break;
          rows.push({ hall, e });
          last = e.seq;
          at = ms(e.at);
          applied.push(e.seq);
        }
        lastOf.set(hall, last);
        out.set(hall, applied);
        if (applied.length > 0) tops.push({ hall, last, at });
      }
      if (rows.length > 0) {
        const sums = rows.map((x) => summarize(x.e));
        await c.query(
          'INSERT INTO hall_events (hall_id, seq, type, at, ticket_id, service_id, window_no, received_at) SELECT h, s, t, a, ti, se, w, $8 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::int[]) AS u(h, s, t, a, ti, se, w)',
          [rows.map((x) => x.hall), rows.map((x) => x.e.seq), rows.map((x) => x.e.type), rows.map((x) => ms(x.e.at)), sums.map((x) => x.ticketId ?? null), sums.map((x) => x.serviceId ?? null), sums.map((x) => x.window ?? null), now],
        );
        // The projection's statements in one round trip (a catch-up page is hundreds of events; one
        // statement at a time cost ~10 ms each on a busy box): a multi-statement simple query, its
        // values written in by pg's own escaping (inline below), in event order.
        const stmts = rows.flatMap(({ hall, e }) => project(e).flatMap((ch) => changeSql(hall, ch)));
        if (stmts.length > 0) await c.query(stmts.map(([text, params]) => inline(c, text, params)).join(';\n'));
        await c.query(
          'UPDATE halls SET last_seq = u.l, last_event_at = u.a, last_applied_at = $4, hall_seq = GREATEST(hall_seq, u.l) FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(h, l, a) WHERE hall_id = u.h',
          [tops.map((x) => x.hall), tops.map((x) => x.last), tops.map((x) => x.at), now],
        );
      }
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

}

type Stmt = [text: string, params: SqlValue[]];
type SqlValue = string | number | boolean | null | string[];

/** Writes `params` into `text` ($1, $2…) as literals: pg's escapeLiteral for text, checked numbers. */
function inline(c: pg.PoolClient, text: string, params: readonly SqlValue[]): string {
  const lit = (v: SqlValue): string => {
    if (v === null) return 'NULL';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error('not a finite number');
      return String(v);
    }
    if (Array.isArray(v)) return `ARRAY[${v.map((x) => c.escapeLiteral(x)).join(',')}]::text[]`;
    return c.escapeLiteral(v);
  };
  return text.replace(/\$(\d+)/g, (_m, n: string) => lit(params[Number(n) - 1] as SqlValue));
}

/** The statements one projected change makes, in order. */
function changeSql(hall: string, ch: CityChange): Stmt[] {
    const out: Stmt[] = [];
    const q = (text: string, params: SqlValue[]) => void out.push([text, params]);
    switch (ch.kind) {
      case 'configured':
        for (const s of ch.services) {
          q('INSERT INTO hall_services (hall_id, service_id, name_zh, name_en, avg_service_minutes) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (hall_id, service_id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, avg_service_minutes = EXCLUDED.avg_service_minutes', [hall, s.id, s.zh, s.en, s.avgServiceMinutes]);
        }
        for (const w of ch.windows) {
          q('INSERT INTO hall_windows (hall_id, window_no, services) VALUES ($1,$2,$3) ON CONFLICT (hall_id, window_no) DO UPDATE SET services = EXCLUDED.services', [hall, w.window, w.services]);
        }
        return out;
      case 'day':
        q('UPDATE halls SET day = $2 WHERE hall_id = $1', [hall, ch.day]);
        if (ch.expired.length > 0) q("UPDATE tickets SET status = 'expired' WHERE hall_id = $1 AND ticket_id = ANY($2)", [hall, ch.expired]);
        return out;
      case 'issued':
        q('INSERT INTO tickets (hall_id, ticket_id, number, service_id, day, status, issued_at, queued_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7)', [hall, ch.ticketId, ch.number, ch.serviceId, ch.day, ch.status, ch.at]);
        q('UPDATE halls SET day = GREATEST(day, $2) WHERE hall_id = $1', [hall, ch.day]);
        return out;
      case 'ticket':
        q(
          `UPDATE tickets SET status = $3,
             called_at = CASE WHEN $4::boolean AND called_at IS NULL THEN $5 ELSE called_at END,
             window_no = COALESCE($6, window_no),
             finished_at = CASE WHEN $7::boolean THEN $5 WHEN $10::boolean THEN NULL ELSE finished_at END,
             service_id = COALESCE($8, service_id),
             queued_at = CASE WHEN $9::boolean THEN $5 ELSE queued_at END
           WHERE hall_id = $1 AND ticket_id = $2`,
          [hall, ch.ticketId, ch.status, ch.called ?? false, ch.at, ch.window ?? null, ch.finished ?? false, ch.serviceId ?? null, ch.requeued ?? false, ch.reopened ?? false],
        );
        return out;
      case 'rating':
        q("INSERT INTO ratings (hall_id, rating_id, ticket_id, service_id, window_no, grade, at, day) VALUES ($1,$2,$3,$4,$5,$6,$7, COALESCE((SELECT day FROM tickets WHERE hall_id = $1 AND ticket_id = $3), '')) ON CONFLICT DO NOTHING", [hall, ch.ratingId, ch.ticketId, ch.serviceId, ch.window, ch.grade, ch.at]);
        return out;
      case 'window':
        q('INSERT INTO hall_windows (hall_id, window_no, services, status) VALUES ($1,$2,$3,$4) ON CONFLICT (hall_id, window_no) DO UPDATE SET status = EXCLUDED.status', [hall, ch.window, [], ch.status]);
        return out;
    }
}
