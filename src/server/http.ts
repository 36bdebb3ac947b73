import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from '../../drivers/common/logger.js';
import { displayNotice, formatHm, localTime, queueView, ticketView, weekdayKeys, windowView, type Command, type HallState } from '../core/index.js';
import { createHttpApp, listen } from '../http/app.js';
import { sendError } from '../http/errors.js';
import { hallSnapshot, publicSnapshot, stateWithoutIdHash } from '../web/snapshot.js';
import { registerStatic, sendPage, sharedFrame, sseStream } from '../web/routes.js';
import { sendRefusedPage, wantsHtml, whoMay, type CallerWay, type SignedIn } from '../web/refused-page.js';
import { commandBody, emptyBody, signInBody, statusTokenParam, ticketIdParam } from './api-schemas.js';
import { cliTokenPath, sameToken } from './auth/cli-token.js';
import { openCredentials, type CredentialStore } from './auth/credentials.js';
import { SignInThrottle, defaultThrottle, type ThrottleRules } from './auth/sign-in-throttle.js';
import { sqliteCounts, throttleKeyPath } from './auth/throttle-counts.js';
import { authorizeCommand, mayRead, withActor } from './auth/policy.js';
import { IslandReturn, islandReport } from './island-return.js';
import { publicOutcome } from '../bus/public-outcome.js';
import { loadOrCreateSecretFile } from './auth/secret-file.js';
import { SESSION_COOKIE, type Principal, type Role, type SessionStore } from './auth/sessions.js';
import { StatusTokens, statusKey } from './auth/status-token.js';
import { RatingTokens, ratingKey } from './auth/rating-token.js';
import { registerNoticeRoutes } from './notice-routes.js';
import { registerOffsiteRating } from './offsite-rating.js';
import type { HallEngine } from './engine.js';
import { packageVersion } from '../ops/version.js';
import { registerPlatformRoutes } from './platform/routes.js';
import type { PlatformService } from './platform/platform-service.js';
import { registerReports } from './reports-http.js';
import type { MqttServer } from './mqtt-server.js';
import { collectRoutesFor, guardOf } from './route-access.js';
import { roleOf, staffSessions } from './staff-sessions.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  clock: () => number;
  /** The display's scrolling line; default: displayNotice of the running config (welcome and its no-show rule). */
  notice?: string;
  /** The hall database: credentials live in it, the status key and CLI token next to it. Default: the engine's log file. */
  database?: string;
  tls?: { certFile: string; keyFile: string };
  trustProxy?: boolean | string | string[];
  sessionHours?: number;
  /** How failed sign-ins slow down the address they come from (src/server/auth/sign-in-throttle.ts; tests change it). */
  signInThrottle?: Partial<ThrottleRules>;
  /** scrypt cost (tests lower it). */
  credentialCost?: { N: number; r: number; p: number };
  /** The unified-platform link, when configured: its routes and its /metrics lines. */
  platform?: PlatformService;
  /**
   * Collect the routes for the OpenAPI document (`app.swagger()`, `npm run openapi`). The running server
   * does not serve the document, so it never loads @fastify/swagger (start time and memory, issue 12).
   */
  openapi?: boolean;
}

export interface HallHttp {
  app: FastifyInstance;
  credentials: CredentialStore;
  sessions: SessionStore;
  statusTokens: StatusTokens;
  /** The technician CLI's bearer token (also in `<database>.cli-token`). */
  cliToken: string;
  /**
   * Ends the expired sessions and those whose staff member's PIN/password was set again or removed since
   * they signed in (`hallq staff passwd|remove`, another process: seen here); the server runs it every
   * minute and at its start.
   */
  sweepSessions(): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * The hall server's HTTP side on Fastify (src/http): two surfaces.
 * Public (no session): the hall display and its snapshot/stream, the ticket status page behind its
 * token, /livez and /readyz, the sign-in page. Staff (session cookie with a role, or the CLI's bearer token):
 * soft caller, admin, every other /api route and /metrics.
 */
export async function buildHttp(engine: HallEngine, mqtt: MqttServer, opts: HttpServerOptions, logger: Logger): Promise<HallHttp> {
  const database = opts.database ?? engine.log.path;
  const hall = engine.state.config?.id ?? 'hall';
  const credentials = openCredentials(database, logger, opts.credentialCost);
  const statusTokens = new StatusTokens(statusKey(database, logger, engine.openedWithHistory), hall);
  const cliToken = loadOrCreateSecretFile(cliTokenPath(database), 'CLI token', logger);
  const staff = staffSessions({ engine, run: (cmd) => mqtt.run(cmd), credentials, database, clock: opts.clock, ...(opts.sessionHours === undefined ? {} : { sessionHours: opts.sessionHours }), logger });
  const { store: sessions, signOut } = staff;
  // Kept in the hall database too: a restart does not lift an active refusal.
  const throttleRules = { ...defaultThrottle, ...opts.signInThrottle };
  const throttle = new SignInThrottle(opts.clock, throttleRules, sqliteCounts(database, loadOrCreateSecretFile(throttleKeyPath(database), 'sign-in throttle key', logger), logger, opts.clock(), throttleRules.leakMs));
  // trustProxy true believes X-Forwarded-For from anyone: a config warning (src/config/warnings.ts),
  // printed by `hallq config check` and logged by the server at its start.
  // The kiosk prints the status page's token in the QR: the server hands it out with the new ticket.
  mqtt.statusTokenOf = (ticketId) => statusTokens.tokenOf(engine.state, ticketId);

  const app = createHttpApp({ logger, ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.trustProxy === undefined ? {} : { trustProxy: opts.trustProxy }) });
  app.addHook('onClose', () => {
    staff.close();
    credentials.close();
    throttle.close();
  });
  // What a technician may open, from the routes' own guards as they register: the refused page's links.
  const technicianRoutes = collectRoutesFor(app, 'technician');
  if (opts.openapi) await (await import('../http/openapi.js')).registerOpenApi(app);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await registerStatic(app);

  const state = () => engine.state;
  const weekday = () => weekdayKeys[localTime(opts.clock(), engine.state.config?.utcOffsetMinutes ?? 480).weekday] ?? 'mon';
  // The notice follows the running config (a reload's no-show rule), unless one is given.
  const snapshot = () => hallSnapshot(engine.state, opts.notice ?? (engine.state.config ? displayNotice(engine.state.config) : ''), weekday());
  const subscribe = (fn: () => void) => engine.onAppended(fn);
  // issue 12: every open page of a stream shares one serialisation per state (and weekday, which the snapshot reads).
  const frameVersion = () => `${engine.state.seq}|${weekday()}`;
  const publicFrame = sharedFrame(() => publicSnapshot(snapshot()), frameVersion);
  const staffFrame = sharedFrame(snapshot, frameVersion);
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  const principalOf = (req: FastifyRequest): Principal | undefined => {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && /^bearer /i.test(auth)) return sameToken(auth.slice(7).trim(), cliToken) ? { kind: 'cli' } : undefined;
    const s = sessions.get(req.cookies[SESSION_COOKIE]);
    return s ? { kind: 'session', staffId: s.staffId, role: s.role, expiresAt: s.expiresAt, ...(s.window === undefined ? {} : { window: s.window }) } : undefined;
  };
  /** A staff route's guard: 401 without a session, 403 for a role that may not. */
  const need = (roles: readonly Role[]) => {
    // Who may, in words, once per guard (not per request).
    const may = whoMay(roles);
    return guardOf(roles, async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const who = principalOf(req);
      if (!who) return void sendError(reply, 401, 'unauthorized', 'sign in first', '请先登录');
      // Saying who may: the way on for the one refused (a tryout: "your role may not use this" named nobody).
      if (!mayRead(who, roles)) return void sendError(reply, 403, 'forbidden', `your role may not use this: only ${may.en} may`, `您的角色无权使用此功能：仅限${may.zh}`);
      req.principal = who;
    });
  };
  /** The refused page's caller link: the window they signed in at (or, else, one the hall says they hold), else the hall's windows. */
  const callerWayOf = (who: Principal): CallerWay => {
    const windows = (engine.state.config?.windows ?? []).map((w) => w.id);
    if (who.kind !== 'session') return { windows };
    const held = Object.values(engine.state.windows).find((w) => w.status !== 'closed' && w.staffId === who.staffId)?.id;
    const window = who.window !== undefined && windows.includes(who.window) ? who.window : held;
    return window === undefined ? { windows } : { window, windows };
  };
  /** A staff page: the sign-in page first when there is no session. */
  const page = (roles: readonly Role[]) => {
    // Who may, in words, once per guard (not per request).
    const may = whoMay(roles);
    return guardOf(roles, async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const who = principalOf(req);
      if (!who) return void reply.redirect(`/sign-in?next=${encodeURIComponent(req.url.slice(0, 200))}`, 303);
      if (!mayRead(who, roles)) {
        // A browser gets a page saying who is signed in and the way on (issue 13); an API client the JSON error.
        if (!wantsHtml(req)) return void sendError(reply, 403, 'forbidden', `your role may not use this page: only ${may.en} may`, `您的角色无权使用此页面：仅限${may.zh}`);
        const signedIn: SignedIn = who.kind === 'cli' ? who : { kind: 'session', staffId: who.staffId, name: engine.state.config?.staff.find((s) => s.id === who.staffId)?.name ?? '', role: who.role, ...(who.window === undefined ? {} : { window: who.window }) };
        return void sendRefusedPage(reply, signedIn, roles, req.url, { ...callerWayOf(who), technicianRoutes });
      }
      req.principal = who;
    });
  };
  const everyone: Role[] = ['staff', 'manager', 'technician'];
  const desk: Role[] = ['staff', 'manager'];
  const diagnostics: Role[] = ['manager', 'technician'];
  const r = app.withTypeProvider<ZodTypeProvider>();
  const hide = { hide: true };

  // ── public ───────────────────────────────────────────────────────────────────────────────────
  r.get('/', { schema: hide }, (_req, reply) => sendPage(reply, 'index.html'));
  r.get('/display', { schema: hide }, (_req, reply) => sendPage(reply, 'display.html'));
  r.get('/sign-in', { schema: hide }, (_req, reply) => sendPage(reply, 'sign-in.html'));
  // Any token gets the page (a citizen's phone, a mistyped or cut link): the page says the ticket is
  // not found; only /api/status checks the token's shape.
  r.get('/s/:token', { schema: { ...hide, params: z.strictObject({ token: z.string() }) } }, (_req, reply) => sendPage(reply, 'ticket.html'));
  r.get('/api/hall', { schema: { tags: ['public'], summary: 'The hall display snapshot: services, windows, latest calls (no personal data)' } }, (_req, reply) => noStore(reply).send(publicSnapshot(snapshot())));
  r.get('/api/stream', { schema: { tags: ['public'], summary: 'The display snapshot as server-sent events (event: snapshot), on every change' }, config: { eventStream: true } }, (_req, reply) => sseStream(reply, publicFrame, subscribe));
  r.get('/api/status/:token', { schema: { tags: ['public'], summary: "A ticket's status by the token in its QR code: number, state, position, estimated wait, windows", params: statusTokenParam } }, (req, reply) => {
    const id = statusTokens.ticketOf(engine.state, req.params.token);
    const v = id === undefined ? undefined : ticketView(engine.state, id, opts.clock());
    return v ? noStore(reply).send(v) : sendError(reply, 404, 'unknown-ticket', 'no such ticket today', '没有找到该号码');
  });
  // Liveness: the process answers (systemd's watchdog covers a wedged loop). Readiness: the event log is
  // open and HTTP serves; a broker that is away makes the hall degraded (agents queue, pages still work), not dead.
  r.get('/livez', { schema: { tags: ['public'], summary: 'Liveness: 200 while the process answers' } }, (_req, reply) => noStore(reply).send({ ok: true }));
  r.get('/readyz', { schema: { tags: ['public'], summary: "Readiness: 200 while the event log is open and takes appends and HTTP serves (status 'degraded' while the broker is away), 503 when the log is closed, its appends fail (status 'store-failing': a full disk), or the free space under it is below server.diskLowMegabytes (status 'disk-low': the next appends may fail)" } }, (_req, reply) => {
    const open = engine.isOpen();
    const failing = engine.storeFailure;
    // Asked at each request (a statfs): a quiet hall's full disk shows before a command fails on it.
    const disk = open ? engine.disk() : undefined;
    const low = disk?.low === true;
    const ok = open && failing === undefined && !low;
    const broker = mqtt.metrics.connected ? 'connected' : 'disconnected';
    const status = !open ? 'down' : failing ? 'store-failing' : low ? 'disk-low' : broker === 'connected' ? 'ready' : 'degraded';
    return noStore(reply)
      .code(ok ? 200 : 503)
      .send({
        ok,
        status,
        seq: engine.state.seq,
        log: !open ? 'closed' : failing ? 'failing' : 'open',
        broker,
        ...(failing ? { store: { since: new Date(failing.since).toISOString(), failures: failing.failures, reason: failing.reason } } : {}),
        ...(disk ? { disk: { freeBytes: disk.freeBytes, lowBytes: disk.lowBytes } } : {}),
      });
  });

  // ── sessions ─────────────────────────────────────────────────────────────────────────────────
  r.post(
    '/api/auth/sign-in',
    { schema: { tags: ['auth'], summary: 'Sign in with staff id and PIN/password (and the window, for staff); sets the session cookie', body: signInBody }, config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (req, reply) => {
      const { staffId, secret, window } = req.body;
      // Only a configured id is logged: a mistyped one may be anything (a phone number, a name). Never the PIN.
      const staff = engine.state.config?.staff.find((s) => s.id === staffId);
      const loggedId = staff ? staffId : '(unknown)';
      // req.ip is the socket's address, or X-Forwarded-For's only when server.http.trustProxy names the proxy.
      const admission = await throttle.attempt(staffId, req.ip);
      if (!admission.ok) {
        const retryS = Math.ceil(admission.retryMs / 1000);
        logger.warn({ staffId: loggedId, ip: req.ip, scope: admission.scope, retryAfterS: retryS }, 'sign-in refused: too many failures from this address');
        const text = retryText(admission.retryMs, opts.clock(), engine.state.config?.utcOffsetMinutes ?? 480);
        return sendError(reply.header('retry-after', String(retryS)), 429, 'sign-in-throttled', `too many failed sign-ins from this computer; try again in ${text.en}`, `本机登录失败次数过多，请${text.zh}后再试`);
      }
      if (admission.alarm) logger.error({ staffId: loggedId, failures: throttle.rules.staffAlarm }, 'many failed sign-ins for one staff id from several addresses: someone may be guessing the PIN; change it (hallq staff passwd)');
      // Settled whatever happens: the attempts from this address behind it wait for it.
      let ok = false;
      try {
        ok = (await credentials.verify(staffId, secret)) && staff !== undefined;
      } finally {
        admission.settle(ok);
      }
      if (!ok || !staff) {
        logger.warn({ staffId: loggedId, ip: req.ip }, 'failed sign-in');
        return sendError(reply, 401, 'bad-credentials', 'wrong staff id or PIN', '工号或密码错误');
      }
      const role = roleOf(staff);
      if (role === 'staff' && window === undefined) return sendError(reply, 400, 'window-required', 'choose the window to sign in to', '请选择窗口');
      const at = role === 'technician' ? undefined : window;
      if (at !== undefined && !engine.state.config?.windows.some((w) => w.id === at)) return sendError(reply, 400, 'unknown-window', 'no such window', '没有该窗口');
      // The session is kept before the sign-in is: a kill between the two leaves a session that ends at its
      // expiry, never a window signed in to with no session to close it.
      const { token, session } = sessions.create({ staffId, role, ...(at === undefined ? {} : { window: at }) });
      // Attendance: the sign-in is an event; at a window it makes them the window's staff.
      const outcome = mqtt.run({ id: `sign-in-${randomUUID()}`, type: 'SignIn', staffId, ...(at === undefined ? {} : { window: at }), source: at === undefined ? 'admin' : 'soft-caller' });
      if (!outcome.ok) {
        sessions.delete(token);
        return sendError(reply, 409, outcome.code, outcome.message.en, outcome.message.zh);
      }
      logger.info({ staffId, role, window: at }, 'signed in');
      return noStore(reply)
        .setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', expires: new Date(session.expiresAt) })
        .send({ staffId, name: staff.name, role, ...(at === undefined ? {} : { window: at }), expiresAt: session.expiresAt });
    },
  );
  r.post('/api/auth/sign-out', { schema: { tags: ['auth'], summary: 'Sign out: ends the session, closes the window if it is still yours', body: emptyBody.optional() } }, (req, reply) => {
    const s = sessions.delete(req.cookies[SESSION_COOKIE]);
    if (s) signOut(s, 'sign-out');
    return noStore(reply).clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https' }).send({ ok: true });
  });
  r.get('/api/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in staff member: id, name, role, window, expiry' }, onRequest: need(everyone) }, (req, reply) => {
    const who = req.principal;
    if (who?.kind !== 'session') return noStore(reply).send({ cli: true });
    const name = engine.state.config?.staff.find((s) => s.id === who.staffId)?.name ?? '';
    return noStore(reply).send({ staffId: who.staffId, name, role: who.role, ...(who.window === undefined ? {} : { window: who.window }), expiresAt: who.expiresAt });
  });

  // ── staff ────────────────────────────────────────────────────────────────────────────────────
  r.get('/caller', { schema: hide, onRequest: page(desk) }, (_req, reply) => sendPage(reply, 'caller.html'));
  r.get('/admin', { schema: hide, onRequest: page(['manager']) }, (_req, reply) => sendPage(reply, 'admin.html'));
  r.get('/api/hall/staff', { schema: { tags: ['staff'], summary: 'The full snapshot for the soft caller and admin: masked names of called citizens, ratings to follow up' }, onRequest: need(everyone) }, (_req, reply) => noStore(reply).send(snapshot()));
  r.get('/api/stream/staff', { schema: { tags: ['staff'], summary: '/api/hall/staff as server-sent events' }, config: { eventStream: true }, onRequest: need(everyone) }, (req, reply) =>
    // The feed ends with the session (signed out, expired, its window closed or passed on): the page then finds it
    // signed out (live.js) and goes to the sign-in; the CLI's token has no session to end.
    sseStream(reply, staffFrame, subscribe, req.principal?.kind === 'session' ? (end) => sessions.watch(req.cookies[SESSION_COOKIE], (why) => end(`event: ended\ndata: ${JSON.stringify({ why })}\n\n`)) : undefined),
  );
  r.get('/api/staff', { schema: { tags: ['staff'], summary: 'The staff list: id, name, role' }, onRequest: need(everyone) }, (_req, reply) =>
    noStore(reply).send((engine.state.config?.staff ?? []).map((x) => ({ id: x.id, name: x.name, role: roleOf(x) }))),
  );
  r.get('/api/queue', { schema: { tags: ['staff'], summary: 'Waiting, issued and served per service' }, onRequest: need(everyone) }, (_req, reply) => noStore(reply).send(queueView(state(), opts.clock())));
  r.get('/api/windows', { schema: { tags: ['staff'], summary: 'Every window: status, staff, current ticket, waiting' }, onRequest: need(everyone) }, (_req, reply) =>
    noStore(reply).send((state().config?.windows ?? []).map((w) => windowView(state(), w.id))),
  );
  r.get('/api/tickets/:ticketId', { schema: { tags: ['staff'], summary: "A ticket's view by id", params: ticketIdParam }, onRequest: need(everyone) }, (req, reply) => {
    const s = state();
    const v = Object.hasOwn(s.tickets, req.params.ticketId) ? ticketView(s, req.params.ticketId, opts.clock()) : undefined;
    return v ? noStore(reply).send(v) : sendError(reply, 404, 'unknown-ticket', 'no such ticket today', '没有该号码');
  });
  r.get('/api/state', { schema: { tags: ['staff'], summary: "The hall's whole state (managers, technicians): no keyed ID hashes" }, onRequest: need(diagnostics) }, (_req, reply) => noStore(reply).send(stateWithoutIdHash(state())));
  // prom-client loads at the first scrape, not at start (issue 12). Every hallq_* figure is read from the
  // log's state and the MQTT counters at scrape time, so it counts from the start all the same.
  let metrics: Promise<Registry> | undefined;
  const registry = (): Promise<Registry> =>
    (metrics ??= import('./metrics.js').then((m) =>
      m.createServerMetrics({ state, mqtt: mqtt.metrics, devices: () => mqtt.agentDevices, smsOutbox: () => mqtt.sms?.outboxCounts?.() ?? {}, smsModem: () => mqtt.sms?.modemStatus?.(), appends: () => engine.appends, disk: () => (engine.isOpen() ? engine.disk() : undefined), version: packageVersion() }),
    ));
  // The platform link's backlog is its own text block (src/server/platform), appended to prom-client's.
  r.get('/metrics', { schema: { tags: ['staff'], summary: 'Prometheus metrics through prom-client (managers, technicians, the CLI token)' }, onRequest: need(diagnostics) }, async (_req, reply) => {
    const m = await registry();
    return noStore(reply).type(m.contentType).send((await m.metrics()) + (opts.platform?.metricsText() ?? ''));
  });
  r.get('/api/island', { schema: { tags: ['staff'], summary: 'Island mode: the number leases of the day per agent, and every island conflict resolved on return (newest first)' }, onRequest: need(diagnostics) }, (_req, reply) =>
    noStore(reply).send(islandReport(engine, mqtt.island instanceof IslandReturn ? mqtt.island : undefined)),
  );
  r.post('/api/commands', { schema: { tags: ['staff'], summary: 'Run a command: staff on their own window, managers and the CLI on all; never a rating', body: commandBody }, onRequest: need(desk) }, (req, reply) => {
    const who = req.principal as Principal;
    const cmd = withActor(deskDelivery(req.body as Command), who);
    const verdict = authorizeCommand(who, cmd, state());
    if (!verdict.ok) return sendError(reply, 403, verdict.code, verdict.message, verdict.messageZh);
    // The source is the session's, whatever the body says.
    const outcome = mqtt.run({ ...cmd, source: verdict.source });
    const token = outcome.ok && outcome.ticketId && (cmd.type === 'IssueTicket' || cmd.type === 'CheckIn') ? { statusToken: statusTokens.tokenOf(state(), outcome.ticketId) } : {};
    return noStore(reply).send({ outcome: publicOutcome(outcome), seq: state().seq, ...token });
  });
  // Emergency notices, follow-up records (managers) and the off-site rating link (public, token only).
  registerNoticeRoutes(app, { engine, run: (cmd) => mqtt.run(cmd), managers: need(['manager']) });
  registerOffsiteRating(app, { engine, tokens: new RatingTokens(ratingKey(database, logger, engine.openedWithHistory), hall), run: (cmd) => mqtt.run(cmd), clock: opts.clock });
  if (opts.platform) await registerPlatformRoutes(app, opts.platform, need(diagnostics));
  // Without a platform link the admin page still asks: an answer, not a 404 in every manager's console.
  else app.get('/api/admin/platform', { schema: { hide: true }, onRequest: need(diagnostics) }, (_req, reply) => noStore(reply).send({ configured: false }));
  await registerReports(app, engine, { manager: need(['manager']), managerPage: page(['manager']), clock: opts.clock }, logger);
  return { app, credentials, sessions, statusTokens, cliToken, sweepSessions: staff.sweep };
}

/**
 * A ticket issued or checked in over HTTP (staff, a manager, the CLI) waits at once: only a kiosk's
 * print needs the printer's confirmation, and no kiosk speaks HTTP. Without `delivery` it is `none`
 * (the core's default, `print`, is the kiosk's, whose agent always says what it does).
 */
export function deskDelivery(cmd: Command): Command {
  if ((cmd.type === 'IssueTicket' || cmd.type === 'CheckIn') && cmd.delivery === undefined) return { ...cmd, delivery: 'none' };
  return cmd;
}

/** Builds the hall server's HTTP app and listens; resolves with the Node server (closing it closes the app). */
export async function startHttp(engine: HallEngine, mqtt: MqttServer, opts: HttpServerOptions, logger: Logger): Promise<FastifyInstance['server']> {
  const { app } = await buildHttp(engine, mqtt, opts, logger);
  const server = await listen(app, opts.host, opts.port, 'server.http.port');
  server.once('close', () => void app.close());
  return server;
}

export type { HallState };

/** "4 min (at 10:32)" / "4 分钟（10:32）": how long a refused sign-in waits, and the hall's clock time it may try again. */
export function retryText(retryMs: number, now: number, utcOffsetMinutes: number): { en: string; zh: string } {
  const at = formatHm(localTime(now + retryMs, utcOffsetMinutes).minute);
  if (retryMs < 60_000) {
    const s = Math.max(1, Math.ceil(retryMs / 1000));
    return { en: `${s} s (at ${at})`, zh: `${s} 秒（${at}）` };
  }
  const m = Math.ceil(retryMs / 60_000);
  return { en: `${m} min (at ${at})`, zh: `${m} 分钟（${at}）` };
}
