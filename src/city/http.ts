import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { CityConfig } from './config.js';
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
 * Errors: {error: {code, message}} with 400 (PAYLOAD_INVALID), 401 (FORBIDDEN).
 */
export interface CityHttpOptions {
  config: CityConfig;
  pool: pg.Pool;
  clock: () => number;
  /** The bearer token of /api/city/reports and /api/city/feed; absent: those two answer 401. */
  token?: string;
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
  return app;
}
