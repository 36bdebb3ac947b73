import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../../drivers/common/logger.js';
import { createHttpApp } from '../http/app.js';
import { issueLines } from '../../drivers/common/invalid-text.js';
import { sendError } from '../http/errors.js';
import type { CityConfig } from './config.js';
import { cityAppointmentsBody, cityNoticeBody } from '../server/city-inbox.js';
import type { CityIngest } from './ingest.js';
import { dashboard, feed, nearby, report, serviceKnown } from './views.js';
import { HallqError } from '../../drivers/common/error.js';

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
 *   GET /api/city/messages/:id   the hall's answer to one of those ({id, hall, kind, sentAt, answer: null} until it comes; PostgreSQL)
 * Errors: the hall server's one shape (src/http/errors.ts), `{error: {code, message, messageZh}}`,
 * every one with its Chinese text: 400 payload-invalid (naming the field, never its value), 401
 * unauthorized, 404 not-found (no such route, hall or message), 413, 415, 503 not-connected (the
 * city broker is away). The app is src/http/app.ts's (JSON bodies only, same-origin writes).
 */
export interface CityHttpOptions {
  config: CityConfig;
  pool: pg.Pool;
  clock: () => number;
  /** The bearer token of /api/city/reports, /api/city/feed and the city → hall routes; absent: they answer 401. */
  token?: string;
  /** City → hall (src/city/ingest.ts): sends a message to a hall, and the message with the hall's answer. */
  inbox?: Pick<CityIngest, 'send' | 'message' | 'connected'>;
  logger: Logger;
}

const pagesDir = new URL('./pages/', import.meta.url);
const vendor = {
  'preact.mjs': fileURLToPath(import.meta.resolve('preact')),
  'htm.mjs': fileURLToPath(import.meta.resolve('htm')),
};

/** A query number: digits only (an empty or repeated parameter is refused, not read as 0). */
const num = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d{1,4}(\.\d{1,12})?$/)
    .transform(Number)
    .pipe(z.number().min(min).max(max));
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
/** A calendar day YYYY-MM-DD that exists (2026-13-45 and 2026-02-30 do not). */
const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
  });

const nearbyQuery = z.strictObject({
  service: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  lat: num(-90, 90),
  lon: num(-180, 180),
  radiusKm: num(0.001, 500).default(20),
});
const reportQuery = z.strictObject({ day: calendarDay });
const hallParam = z.strictObject({ hall: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const messageParam = z.strictObject({ id: z.string().regex(/^in-[0-9a-f-]{36}$/) });
const feedQuery = z.strictObject({ after: int(0, Number.MAX_SAFE_INTEGER).default(0), limit: int(1, 5000).default(1000) });

/**
 * What each field must be, in English and Chinese: a citizen on /nearby reads these (the page shows
 * messageZh and message), so they say what to type, not what the validator found.
 */
const FIELDS: Record<string, { en: string; zh: string }> = {
  service: { en: 'service: choose a service from the list', zh: '业务：请从列表中选择一项业务' },
  lat: { en: 'lat: the latitude must be a number from -90 to 90, e.g. 32.05', zh: '纬度：请输入 -90 到 90 之间的数字，例如 32.05' },
  lon: { en: 'lon: the longitude must be a number from -180 to 180, e.g. 118.78', zh: '经度：请输入 -180 到 180 之间的数字，例如 118.78' },
  radiusKm: { en: 'radiusKm: the search radius must be a number of kilometres above 0, at most 500', zh: '搜索半径：请输入大于 0、不超过 500 的公里数' },
  day: { en: 'day: a calendar day as YYYY-MM-DD, e.g. 2026-11-23', zh: '日期：请按 YYYY-MM-DD 填写存在的日期，例如 2026-11-23' },
  after: { en: 'after: a feed cursor, a whole number from 0', zh: 'after：游标应为不小于 0 的整数' },
  limit: { en: 'limit: a whole number from 1 to 5000', zh: 'limit：应为 1 到 5000 之间的整数' },
  hall: { en: 'hall: a hall id of the city config', zh: '大厅：应为本市配置中的大厅编号' },
  id: { en: 'id: a message id as POST … answered (in-<uuid>)', zh: '消息编号：应为发送时返回的编号（in-<uuid>）' },
};

/**
 * 400 payload-invalid naming each field at fault (at most 5), in English and Chinese: the page's
 * own hint for a known query field, else the shared wording (drivers/common/invalid-text.ts: key
 * path, what was found (quoted only when it cannot be personal data), what was expected).
 */
function invalid(reply: FastifyReply, e: z.ZodError, where: 'query' | 'body' | 'params', input: unknown): FastifyReply {
  const en: string[] = [];
  const zh: string[] = [];
  for (const i of e.issues.slice(0, 5)) {
    const field = where === 'body' || i.code === 'unrecognized_keys' ? undefined : FIELDS[String(i.path[0])];
    if (field) {
      if (!en.includes(field.en)) (en.push(field.en), zh.push(field.zh));
      continue;
    }
    for (const l of issueLines(i, { where, input })) (en.push(l.en), zh.push(l.zh));
  }
  return sendError(reply, 400, 'payload-invalid', en.join('; '), zh.join('；'));
}

export async function cityHttp(o: CityHttpOptions): Promise<FastifyInstance> {
  const app = createHttpApp({ logger: o.logger });
  const authorized = (header: string | undefined) => o.token !== undefined && header === `Bearer ${o.token}`;
  const unauthorized = (reply: FastifyReply) => sendError(reply, 401, 'unauthorized', 'the city token is needed (Authorization: Bearer …)', '需要市级访问令牌');

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
  // Browsers ask for /favicon.ico on their own: the hall's icon (src/web/static/favicon.svg).
  const favicon = readFileSync(new URL('../web/static/favicon.svg', import.meta.url));
  app.get('/favicon.ico', async (_req, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon));
  for (const [name, path] of Object.entries(vendor)) {
    const body = readFileSync(path, 'utf8');
    app.get(`/vendor/${name}`, async (_req, reply) => reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(body));
  }

  // Not connected to the cluster: the tables are as last heard, so no hall is said to be online.
  app.get('/api/city/halls', async () => {
    const cityConnected = o.inbox?.connected ?? true;
    const halls = await dashboard(o.pool, o.config.halls, o.clock());
    return { city: o.config.city, cityConnected, halls: cityConnected ? halls : halls.map((h) => ({ ...h, online: null })) };
  });
  app.get('/api/public/nearby', async (req, reply) => {
    const q = nearbyQuery.safeParse(req.query);
    if (!q.success) return invalid(reply, q.error, 'query', req.query);
    // A service no hall offers is refused as a missing one is (the page offers the list).
    if (!(await serviceKnown(o.pool, q.data.service))) return sendError(reply, 400, 'payload-invalid', FIELDS.service?.en ?? '', FIELDS.service?.zh ?? '');
    return { service: q.data.service, halls: await nearby(o.pool, o.config.halls, q.data.service, q.data, q.data.radiusKm) };
  });
  app.get('/api/city/reports', async (req, reply) => {
    if (!authorized(req.headers.authorization)) return unauthorized(reply);
    const q = reportQuery.safeParse(req.query);
    if (!q.success) return invalid(reply, q.error, 'query', req.query);
    return { day: q.data.day, rows: await report(o.pool, q.data.day) };
  });
  app.get('/api/city/feed', async (req, reply) => {
    if (!authorized(req.headers.authorization)) return unauthorized(reply);
    const q = feedQuery.safeParse(req.query);
    if (!q.success) return invalid(reply, q.error, 'query', req.query);
    return feed(o.pool, q.data.after, q.data.limit);
  });
  for (const [kind, schema] of [
    ['appointments', cityAppointmentsBody],
    ['notice', cityNoticeBody],
  ] as const) {
    app.post(`/api/city/halls/:hall/${kind}`, async (req, reply) => {
      if (!authorized(req.headers.authorization)) return unauthorized(reply);
      const p = hallParam.safeParse(req.params);
      if (!p.success || !o.config.halls.some((h) => h.id === p.data.hall)) return sendError(reply, 404, 'not-found', 'no such hall in the city config', '本市配置中没有这个大厅');
      const b = (schema as z.ZodType<Record<string, unknown>>).safeParse(req.body);
      if (!b.success) return invalid(reply, b.error, 'body', req.body);
      if (!o.inbox) return sendError(reply, 503, 'not-connected', 'the city service sends nothing to halls here', '本服务不向大厅发送消息');
      try {
        return reply.code(202).send({ id: await o.inbox.send(p.data.hall, kind, b.data) });
      } catch (e) {
        if (e instanceof HallqError && e.code === 'REQUEST_TIMEOUT') {
          // Recorded, not confirmed: the client asks GET /api/city/messages/<id> rather than sending it twice.
          return reply.code(503).send({ id: e.message, error: { code: 'not-confirmed', message: `the city broker has not confirmed the message yet; it may still arrive: check GET /api/city/messages/${e.message} before sending it again`, messageZh: '市级消息服务器尚未确认该消息，消息仍可能送达：请先查询消息状态，勿重复发送' } });
        }
        o.logger.warn({ hall: p.data.hall, kind, err: (e as Error).message }, 'city message not sent');
        return sendError(reply, 503, 'not-connected', 'the city broker is away: the message was not sent; send it again later', '市级消息服务器暂不可用，消息未发出，请稍后重发');
      }
    });
  }
  app.get('/api/city/messages/:id', async (req, reply) => {
    if (!authorized(req.headers.authorization)) return unauthorized(reply);
    const p = messageParam.safeParse(req.params);
    // No message has an id of another shape: unknown, 404 as any other unknown id.
    const m = p.success ? await o.inbox?.message(p.data.id) : undefined;
    if (!p.success) return sendError(reply, 404, 'not-found', 'no such message (or older than 30 days)', '没有这条消息（或已超过 30 天）');
    if (!m) return sendError(reply, 404, 'not-found', 'no such message (or older than 30 days)', '没有这条消息（或已超过 30 天）');
    return { id: p.data.id, hall: m.hall, kind: m.kind, sentAt: m.sentAt, answer: m.answer };
  });
  return app;
}
