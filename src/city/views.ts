import type pg from 'pg';
import { arrivalWaitMs, waitMinutes } from '../core/estimate.js';
import type { CityHall } from './config.js';

/**
 * The city's read side: what the dashboard, the public "shortest wait" API, the reports and the feed
 * show, straight from the tables. No personal data is in the tables, so none is in these.
 *
 * "Now" at a hall is the hall's clock: the city's clock minus how far the hall's clock was behind it
 * when its last event was applied (halls.last_applied_at − halls.last_event_at).
 */

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);
const GOOD = ['very-satisfied', 'satisfied'];

export interface ServiceNow {
  serviceId: string;
  name: { zh: string; en: string };
  waiting: number;
  /** Mean minutes the tickets waiting now have waited so far; null with none waiting. */
  meanWaitNowMinutes: number | null;
  /** Mean minutes from issue to first call of today's called tickets; null before the first call. */
  meanWaitTodayMinutes: number | null;
}

export interface HallNow {
  hallId: string;
  name: { zh: string; en: string };
  /** null: the city service is not connected to the cluster, so it does not know. */
  online: boolean | null;
  day: string | null;
  lastSeq: number;
  hallSeq: number;
  openWindows: number;
  services: ServiceNow[];
  ratings: number;
  /** Share of today's ratings that are 满意 or 非常满意, 0…1; null with no rating. */
  satisfaction: number | null;
}

export async function dashboard(pool: pg.Pool, halls: readonly CityHall[], now: number): Promise<HallNow[]> {
  const h = await pool.query<Record<string, unknown>>(
    `SELECT h.hall_id, h.online, h.day, h.last_seq, h.hall_seq,
            (SELECT count(*) FROM hall_windows w WHERE w.hall_id = h.hall_id AND w.status = 'open') AS open_windows,
            (SELECT count(*) FROM ratings r WHERE r.hall_id = h.hall_id AND r.day = h.day) AS ratings,
            (SELECT count(*) FROM ratings r WHERE r.hall_id = h.hall_id AND r.day = h.day AND r.grade = ANY($1)) AS good
       FROM halls h`,
    [GOOD],
  );
  const s = await pool.query<Record<string, unknown>>(
    `SELECT s.hall_id, s.service_id, s.name_zh, s.name_en,
            count(t.ticket_id) FILTER (WHERE t.status = 'waiting') AS waiting,
            avg(($1::bigint - h.last_applied_at + h.last_event_at) - t.queued_at) FILTER (WHERE t.status = 'waiting') AS wait_now,
            avg(t.called_at - t.issued_at) FILTER (WHERE t.called_at IS NOT NULL) AS wait_today
       FROM hall_services s JOIN halls h USING (hall_id)
       LEFT JOIN tickets t ON t.hall_id = s.hall_id AND t.service_id = s.service_id AND t.day = h.day
      GROUP BY s.hall_id, s.service_id, s.name_zh, s.name_en
      ORDER BY s.hall_id, s.service_id`,
    [now],
  );
  const rows = new Map(h.rows.map((r) => [String(r.hall_id), r]));
  return halls.map((hall) => {
    const r = rows.get(hall.id) ?? {};
    const ratings = Number(r.ratings ?? 0);
    return {
      hallId: hall.id,
      name: hall.name,
      online: r.online === true,
      day: (r.day as string | null) ?? null,
      lastSeq: Number(r.last_seq ?? 0),
      hallSeq: Number(r.hall_seq ?? 0),
      openWindows: Number(r.open_windows ?? 0),
      services: s.rows
        .filter((x) => x.hall_id === hall.id)
        .map((x) => ({
          serviceId: String(x.service_id),
          name: { zh: String(x.name_zh), en: String(x.name_en) },
          waiting: Number(x.waiting),
          meanWaitNowMinutes: minutes(num(x.wait_now)),
          meanWaitTodayMinutes: minutes(num(x.wait_today)),
        })),
      ratings,
      satisfaction: ratings === 0 ? null : Number(r.good ?? 0) / ratings,
    };
  });
}

/** Great-circle distance in km (haversine, mean Earth radius 6371 km). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface NearbyHall {
  hallId: string;
  name: { zh: string; en: string };
  address?: string;
  distanceKm: number;
  waiting: number;
  openWindows: number;
  /** Of those, the ones with nobody called or served at them now. */
  freeWindows: number;
  /**
   * Minutes until a citizen taking a ticket now is called, by the hall's own formula for a ticket at
   * wait position waiting + 1 (core/estimate.ts arrivalWaitMs: max(0, waiting + 1 − free) × the service's
   * mean minutes ÷ the open windows that serve it), shown as the hall shows a wait (waitMinutes: 0 only
   * when a window is free for it now, else at least 1); null when no open window serves it.
   */
  estimatedWaitMinutes: number | null;
}

function estimateMinutes(waiting: number, openWindows: number, freeWindows: number, avgServiceMinutes: number): number | null {
  const ms = arrivalWaitMs({ waiting, openWindows, freeWindows, meanServiceMs: avgServiceMinutes * 60_000 });
  return ms === undefined ? null : waitMinutes(ms);
}

/**
 * The halls within `radiusKm` of the citizen that offer `serviceId`, shortest estimated wait first
 * (halls with no open window for it last), then nearest. Public: counts and estimates only.
 */
/** Whether any hall of the city offers the service (its config, as last reached the city). */
export async function serviceKnown(pool: pg.Pool, serviceId: string): Promise<boolean> {
  const r = await pool.query('SELECT 1 FROM hall_services WHERE service_id = $1 LIMIT 1', [serviceId]);
  return r.rows.length > 0;
}

export async function nearby(pool: pg.Pool, halls: readonly CityHall[], serviceId: string, at: { lat: number; lon: number }, radiusKm: number): Promise<NearbyHall[]> {
  const r = await pool.query<Record<string, unknown>>(
    `SELECT s.hall_id, s.avg_service_minutes,
            (SELECT count(*) FROM tickets t JOIN halls h USING (hall_id) WHERE t.hall_id = s.hall_id AND t.service_id = s.service_id AND t.status = 'waiting' AND t.day = h.day) AS waiting,
            o.open_windows, o.free_windows
       FROM hall_services s,
            -- The open windows serving this service, and those of them with nobody at them now (a ticket taken now may be called at once): one pass.
            LATERAL (SELECT count(*) AS open_windows,
                            count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM tickets t JOIN halls h USING (hall_id) WHERE t.hall_id = w.hall_id AND t.window_no = w.window_no AND t.status IN ('called', 'serving') AND t.day = h.day)) AS free_windows
                       FROM hall_windows w WHERE w.hall_id = s.hall_id AND w.status = 'open' AND s.service_id = ANY(w.services)) o
      WHERE s.service_id = $1`,
    [serviceId],
  );
  const out: NearbyHall[] = [];
  for (const row of r.rows) {
    const hall = halls.find((x) => x.id === row.hall_id);
    if (!hall) continue;
    const d = distanceKm(at, hall);
    if (d > radiusKm) continue;
    const waiting = Number(row.waiting);
    const open = Number(row.open_windows);
    out.push({
      hallId: hall.id,
      name: hall.name,
      ...(hall.address ? { address: hall.address } : {}),
      distanceKm: Math.round(d * 10) / 10,
      waiting,
      openWindows: open,
      freeWindows: Number(row.free_windows),
      estimatedWaitMinutes: estimateMinutes(waiting, open, Number(row.free_windows), Number(row.avg_service_minutes)),
    });
  }
  return out.sort((a, b) => (a.estimatedWaitMinutes ?? Infinity) - (b.estimatedWaitMinutes ?? Infinity) || a.distanceKm - b.distanceKm);
}

export interface HallReport {
  hallId: string;
  serviceId: string;
  issued: number;
  served: number;
  noShows: number;
  cancelled: number;
  meanWaitMinutes: number | null;
  p90WaitMinutes: number | null;
  maxWaitMinutes: number | null;
  ratings: number;
  satisfaction: number | null;
}

/** One day's figures by hall and service: counts, waits (issue → first call) and ratings. */
export async function report(pool: pg.Pool, day: string): Promise<HallReport[]> {
  const r = await pool.query<Record<string, unknown>>(
    `SELECT t.hall_id, t.service_id, count(*) AS issued,
            count(*) FILTER (WHERE t.status = 'done') AS served,
            count(*) FILTER (WHERE t.status = 'no-show') AS no_shows,
            count(*) FILTER (WHERE t.status = 'cancelled') AS cancelled,
            avg(t.called_at - t.issued_at) AS wait_mean,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY t.called_at - t.issued_at) AS wait_p90,
            max(t.called_at - t.issued_at) AS wait_max,
            (SELECT count(*) FROM ratings g WHERE g.hall_id = t.hall_id AND g.service_id = t.service_id AND g.day = $1) AS ratings,
            (SELECT count(*) FROM ratings g WHERE g.hall_id = t.hall_id AND g.service_id = t.service_id AND g.day = $1 AND g.grade = ANY($2)) AS good
       FROM tickets t WHERE t.day = $1
      GROUP BY t.hall_id, t.service_id ORDER BY t.hall_id, t.service_id`,
    [day, GOOD],
  );
  return r.rows.map((x) => {
    const ratings = Number(x.ratings);
    return {
      hallId: String(x.hall_id),
      serviceId: String(x.service_id),
      issued: Number(x.issued),
      served: Number(x.served),
      noShows: Number(x.no_shows),
      cancelled: Number(x.cancelled),
      meanWaitMinutes: minutes(num(x.wait_mean)),
      p90WaitMinutes: minutes(num(x.wait_p90)),
      maxWaitMinutes: minutes(num(x.wait_max)),
      ratings,
      satisfaction: ratings === 0 ? null : Number(x.good) / ratings,
    };
  });
}

export interface FeedItem {
  cursor: number;
  hallId: string;
  seq: number;
  type: string;
  at: number;
  ticketId: string | null;
  serviceId: string | null;
  window: number | null;
}

/** The platform feed: every hall event in the order it reached the city, after `cursor` (0: from the start). */
export async function feed(pool: pg.Pool, cursor: number, limit: number): Promise<{ items: FeedItem[]; next: number }> {
  const r = await pool.query<Record<string, unknown>>('SELECT id, hall_id, seq, type, at, ticket_id, service_id, window_no FROM hall_events WHERE id > $1 ORDER BY id LIMIT $2', [cursor, limit]);
  const items = r.rows.map((x) => ({ cursor: Number(x.id), hallId: String(x.hall_id), seq: Number(x.seq), type: String(x.type), at: Number(x.at), ticketId: (x.ticket_id as string | null) ?? null, serviceId: (x.service_id as string | null) ?? null, window: num(x.window_no) }));
  return { items, next: items.at(-1)?.cursor ?? cursor };
}
