import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { CityConfig } from './config.js';
import { cityAppointmentsBody, cityNoticeBody } from '../server/city-inbox.js';
import type { CityIngest } from './ingest.js';
import { dashboard, feed, nearby, report } from './views.js';

/**
 * The city service's HTTP side (Fastify): two pages and their JSON.
 *
 * Public (no personal data, nothing but counts and estimates):
 *   GET /                        the city dashboard page
 *   GET /nearby                  the "shortest wait near me" page
 *   GET /api/city/halls          the halls now (dashboard data)
 *   GET /api/public/nearby?service=&lat=&lon=&radiusKm=   halls offering a service, shortest wait first
 * With the city token (Authorization: Bearer …; the platform and report tools):
 *   GET /api/city/reports?day=YYYY-MM-DD   one day's figures by hall and service
 *   GET /api/city/feed?after=CURSOR&limit=N   every hall event as it reached the city (docs/city.md, "Feed")
 *   POST /api/city/halls/:hall/appointments {appointments: [...]}   appointments for one hall (202 {id})
 *   POST /api/city/halls/:hall/notice {action: raise|clear, preset?, text?, kind?, until?}   an emergency notice (202 {id})
 *   GET /api/city/messages/:id   the hall's answer to one of those ({id, answer: null} until it comes)
 * Errors: {error: {code, message}} with 400 (PAYLOAD_INVALID), 401 (FORBIDDEN), 404 (NOT_FOUND: no
 * such hall), 503 (NOT_CONNECTED: the city broker is away).
 */
export interface CityHttpOptions {
  config: CityConfig;
  pool: pg.Pool;
  clock: () => number;
  /** The bearer token of /api/city/reports, /api/city/feed and the city → hall routes; absent: they answer 401. */
  token?: string;
  /** City → hall (src/city/ingest.ts): sends a message to a hall, and the hall's answer. */
  inbox?: Pick<CityIngest, 'send' | 'answer'>;
}

const pagesDir = new URL('./pages/', import.meta.url);
const vendor = {
  'preact.mjs': fileURLToPath(import.meta.resolve('preact')),
  'htm.mjs': fileURLToPath(import.meta.resolve('htm')),
};

const nearbyQuery = z.strictObject({
  service: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  lat: z.coerce.number().min(-90).max(90),
  lon: z.coerce.number().min(-180).max(180),
  radiusKm: z.coerce.number().positive().max(500).default(20),
});
const reportQuery = z.strictObject({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });
const hallParam = z.strictObject({ hall: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const messageParam = z.strictObject({ id: z.string().regex(/^in-[0-9a-f-]{36}$/) });
const feedQuery = z.strictObject({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(5000).default(1000) });

export async function cityHttp(o: CityHttpOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const bad = (message: string) => ({ error: { code: 'PAYLOAD_INVALID', message } });
  const describe = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
  const authorized = (header: string | undefined) => o.token !== undefined && header === `Bearer ${o.token}`;

  for (const [route, file] of [
    ['/', 'dashboard.html'],
    ['/nearby', 'nearby.html'],
  ] as const) {
    const html = readFileSync(new URL(file, pagesDir), 'utf8');
    app.get(route, async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html));
  }
  for (const file of ['city.css', 'dashboard.js', 'nearby.js']) {
    const body = readFileSync(new URL(file, pagesDir), 'utf8');
    app.get(`/static/${file}`, async (_req, reply) => reply.type(file.endsWith('.css') ? 'text/css' : 'text/javascript').send(body));
  }
  for (const [name, path] of Object.entries(vendor)) {
    const body = readFileSync(path, 'utf8');
    app.get(`/vendor/${name}`, async (_req, reply) => reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(body));
  }

  app.get('/api/city/halls', async () => ({ city: o.config.city, halls: await dashboard(o.pool, o.config.halls, o.clock()) }));
  app.get('/api/public/nearby', async (req, reply) => {
    const q = nearbyQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send(bad(describe(q.error)));
    return { service: q.data.service, halls: await nearby(o.pool, o.config.halls, q.data.service, q.data, q.data.radiusKm) };
  });
  app.get('/api/city/reports', async (req, reply) => {
    if (!authorized(req.headers.authorization)) return reply.code(401).send({ error: { code: 'FORBIDDEN', message: 'the city token is needed' } });
    const q = reportQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send(bad(describe(q.error)));
    return { day: q.data.day, rows: await report(o.pool, q.data.day) };
  });
  app.get('/api/city/feed', async (req, reply) => {
    if (!authorized(req.headers.authorization)) return reply.code(401).send({ error: { code: 'FORBIDDEN', message: 'the city token is needed' } });
    const q = feedQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send(bad(describe(q.error)));
    return feed(o.pool, q.data.after, q.data.limit);
  });
  const forbidden = (reply: FastifyReply) => reply.code(401).send({ error: { code: 'FORBIDDEN', message: 'the city token is needed' } });
  for (const [kind, schema] of [
    ['appointments', cityAppointmentsBody],
    ['notice', cityNoticeBody],
  ] as const) {
    app.post(`/api/city/halls/:hall/${kind}`, async (req, reply) => {
      if (!authorized(req.headers.authorization)) return forbidden(reply);
      const p = hallParam.safeParse(req.params);
      if (!p.success || !o.config.halls.some((h) => h.id === p.data.hall)) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such hall in the city config' } });
      const b = (schema as z.ZodType<Record<string, unknown>>).safeParse(req.body);
      if (!b.success) return reply.code(400).send(bad(describe(b.error)));
      if (!o.inbox) return reply.code(503).send({ error: { code: 'NOT_CONNECTED', message: 'the city service sends nothing to halls here' } });
      try {
        return reply.code(202).send({ id: await o.inbox.send(p.data.hall, kind, b.data) });
      } catch (e) {
        return reply.code(503).send({ error: { code: 'NOT_CONNECTED', message: (e as Error).message } });
      }
    });
  }
  app.get('/api/city/messages/:id', async (req, reply) => {
    if (!authorized(req.headers.authorization)) return forbidden(reply);
    const p = messageParam.safeParse(req.params);
    if (!p.success) return reply.code(400).send(bad(describe(p.error)));
    return { id: p.data.id, answer: o.inbox?.answer(p.data.id) ?? null };
  });
  return app;
}
