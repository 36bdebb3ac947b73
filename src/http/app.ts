import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from '../../drivers/common/logger.js';
import { systemWords } from '../../drivers/common/system-words.js';
import { HallqError, isHallqError } from '../../drivers/common/error.js';
import { invalidText, type Issue } from '../../drivers/common/invalid-text.js';
import { errorBody, sendError, sendInvalid } from './errors.js';
import { bodyEncodingOf, inflatingBody, wordedError, wordsOf } from './content-encoding.js';
import { clientErrorWords, MAX_PARAM_LENGTH, mediaTypeWords, REQUEST_TIMEOUT_MS, notJsonWords, requestErrorWords, type RequestErrorWords } from './request-errors.js';

/** A Fastify app with hallq's rules: JSON only, the one error shape, zod validation. */

export interface HttpOptions {
  /** Largest request body in bytes (default 64 KiB): larger ones get 413. */
  bodyLimit?: number;
  /** Behind a reverse proxy (nginx): trust X-Forwarded-* from these addresses (`true`: from anyone). */
  trustProxy?: boolean | string | string[];
  /** PEM files for HTTPS; absent: plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  /** How long a request may take to arrive, headers and body (default 15 s): then 408. Not a limit on answers (an SSE stream runs on). */
  requestTimeoutMs?: number;
  logger: Logger;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Fastify's compiler factories returning zod's compilers (Fastify types them for Ajv: the one cast). */
const zodCompilers = {
  compilersFactory: { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler },
} as unknown as FastifyServerOptions['schemaController'];

/**
 * The shared setup of both listeners (hall server and kiosk agent):
 * - a body limit (413), JSON as the only request body type (415 for anything else, `text/plain` too);
 * - state-changing requests only from the page's own origin (Origin and Sec-Fetch-Site checked: 403),
 *   so no other web page can drive the hall from a browser on the LAN;
 * - HEAD for every GET route; params, query and body validated by zod schemas (400);
 * - every error and the 404 in `{ error: { code, message, messageZh } }`; nothing a client sends crashes it;
 *   a request refused before any route (its address, content type, body size or JSON syntax) is worded by
 *   ./request-errors.ts: what was found (where the JSON broke, line and column) and what to send;
 * - a gzip, deflate or br body (Content-Encoding) inflated as it arrives, the body limit counted on the
 *   inflated bytes (./content-encoding.ts: a zip bomb gets 413); any other encoding 415.
 */
export function createHttpApp(opts: HttpOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? 64 * 1024;
  const send = (reply: FastifyReply, w: RequestErrorWords) => sendError(reply, w.status, w.code, w.message, w.messageZh);
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Node checks the request timeout every connectionsCheckingInterval (30 s by default): checked each second instead.
  const timing = { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) };
  const https = opts.tls ? { https: { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile), ...timing } } : { http: timing };
  const app = Fastify({
    logger: false,
    bodyLimit,
    trustProxy: opts.trustProxy ?? false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: false,
    // A request must have arrived (headers and body) within this: a body shorter than its content-length
    // would hold the connection. It bounds receiving the request only, not the answer (SSE streams run on).
    requestTimeout,
    // Errors of Node's HTTP parser (a body longer than its content-length, the timeout above): in the error shape too.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Duplex) => writeClientError(socket, clientErrorWords(err.code, requestTimeout)),
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: false },
    // A bad %-escape or an overlong path segment, refused before routing: in the error shape too.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const w = requestErrorWords(err, { bodyLimit, headers: req.headers });
      void (w ? send(reply, w) : sendError(reply, 400, 'bad-request', 'the request is not valid', '请求无效'));
    },
    // zod validates and serialises every route (below): Fastify's default compilers (Ajv and
    // fast-json-stringify, the bulk of its code) are then never required (start time, issue 12).
    schemaController: zodCompilers,
    ...https,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Only JSON bodies: form and text posts (which any web page can send) never reach a route.
  app.removeAllContentTypeParsers();
  // Fastify's parser (prototype keys refused), but a body it cannot read is answered with where it broke.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    void parseJson(req, text, (err, value) => {
      if ((err as FastifyError | null)?.code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return done(err, value);
      const w = notJsonWords(text);
      done(new HallqError('PAYLOAD_INVALID', w.message, { messageZh: w.messageZh }), undefined);
    });
  });

  // Closing: fastify's own 503 body is not hallq's error shape, so return503OnClosing is off and this
  // flag answers requests that still arrive while the app closes (a keep-alive connection, a slow preClose).
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');
    if (closing) return sendError(reply.header('connection', 'close'), 503, 'closing', 'the server is stopping; try again in a moment', '服务正在停止，请稍后再试');
    if (safeMethods.has(req.method)) return;
    // An empty POST skips the body parser; the content type is required all the same.
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) return send(reply, mediaTypeWords(req.headers['content-type']));
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return sendError(reply, 403, 'cross-site', 'requests from other sites are refused', '拒绝来自其他网站的请求');
    const origin = req.headers.origin;
    if (origin !== undefined && originHost(origin) !== req.host) return sendError(reply, 403, 'cross-site', 'requests from other origins are refused', '拒绝来自其他网站的请求');
    return;
  });

  // A compressed body is inflated on its way to the JSON parser, bounded by the route's body limit.
  app.addHook('preParsing', (req, reply, payload, done) => {
    if (safeMethods.has(req.method) || req.headers['content-length'] === '0') return done(null, payload);
    const asked = bodyEncodingOf(req.headers['content-encoding']);
    if ('refused' in asked) {
      reply.header('connection', 'close');
      return done(wordedError(asked.refused));
    }
    if (!asked.encoding) return done(null, payload);
    return done(null, inflatingBody(payload, asked.encoding, req.routeOptions.bodyLimit ?? bodyLimit));
  });

  app.setNotFoundHandler((_req, reply) => sendError(reply, 404, 'not-found', 'no such address', '没有这个地址'));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      // Key paths, what was found (quoted only when it cannot be personal data: invalid-text.ts) and what was expected.
      const context = err.validationContext ?? 'body';
      const where = context === 'querystring' ? 'query' : context;
      const input: unknown = context === 'body' ? req.body : context === 'params' ? req.params : context === 'querystring' ? req.query : req.headers;
      return sendInvalid(reply, invalidText(err.validation.map(issueOf), { where, input }));
    }
    const worded = wordsOf(err);
    if (worded) return send(reply, worded);
    if (isHallqError(err, 'PAYLOAD_INVALID') && typeof err.details?.['messageZh'] === 'string') return sendError(reply, 400, 'payload-invalid', err.message, err.details['messageZh']);
    // The log could not take the command (a full disk, a failing file): nothing was done; /readyz and the server's log say why.
    if (isHallqError(err, 'STORE_IO') || isHallqError(err, 'STORE_CORRUPT')) {
      return err.details?.['sqlite'] === 'SQLITE_FULL'
        ? sendError(reply, 503, 'store-failing', "the hall server's disk is full: nothing of this request was done; tell the technician", '大厅服务器磁盘已满，本次操作未执行；请联系技术人员')
        : sendError(reply, 503, 'store-failing', 'the hall server cannot save now: nothing of this request was done; tell the technician', '大厅服务器当前无法保存数据，本次操作未执行；请联系技术人员');
    }
    const known = requestErrorWords(err, { bodyLimit: req.routeOptions.bodyLimit ?? bodyLimit, headers: req.headers });
    if (known) return send(reply, known);
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status === 429) return sendError(reply, 429, 'rate-limited', 'too many requests; try again later', '请求过于频繁，请稍后再试');
    if (err instanceof SyntaxError) return sendError(reply, 400, 'payload-invalid', 'the body is not valid JSON', '请求内容不是有效的 JSON');
    // A static file's path that climbs out of its folder (@fastify/static's 403): the status and the code agree.
    if (status === 403) return sendError(reply, 403, 'forbidden', 'that address may not be read', '不允许访问该地址');
    if (status >= 400 && status < 500) return sendError(reply, status, status === 400 ? 'payload-invalid' : 'bad-request', 'the request is not valid', '请求无效');
    opts.logger.error({ err: err.message, code: err.code, route: req.routeOptions.url }, 'HTTP request failed');
    return sendError(reply, 500, 'internal', 'the server could not answer the request', '系统繁忙，请稍后再试');
  });
  return app;
}

/** fastify-type-provider-zod's validation entry back to the zod issue it came from. */
function issueOf(v: { keyword: string; instancePath: string; message?: string; params?: Record<string, unknown> }): Issue {
  const path = v.instancePath
    .split('/')
    .slice(1)
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { ...v.params, code: v.keyword, path, message: v.message ?? '' } as unknown as Issue;
}

/** An answer written on the raw connection (no request object exists yet), in the one error shape; the connection then closes. */
function writeClientError(socket: Duplex, w: RequestErrorWords | undefined): void {
  if (!w || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(w.code, w.message, w.messageZh));
  const head = [
    `HTTP/1.1 ${w.status} ${STATUS_CODES[w.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    'x-content-type-options: nosniff',
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** Starts listening; resolves with the Node server (its address has the port when 0 was asked). */
export async function listen(app: FastifyInstance, host: string, port: number, key = 'port'): Promise<FastifyInstance['server']> {
  try {
    await app.listen({ host, port });
  } catch (e) {
    // Nothing may stay open of an app that did not bind (its hooks, its timers): the caller ends the start.
    await app.close().catch(() => undefined);
    throw listenError(e, key, host, port);
  }
  return app.server;
}

/** LISTEN_FAILED naming the config key and the address: the port taken, or not this user's to bind. */
export function listenError(e: unknown, key: string, host: string, port: number): HallqError {
  const errno = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
  const why =
    errno === 'EADDRINUSE'
      ? 'is already in use (EADDRINUSE): another hallq, or another program, listens there; stop it or choose another port'
      : errno === 'EACCES'
        ? 'may not be bound by this user (EACCES): ports below 1024 need privileges'
        : errno === 'EADDRNOTAVAIL'
          ? 'is not an address of this machine (EADDRNOTAVAIL)'
          : `cannot be listened on (${errno ?? (e instanceof Error ? e.message : String(e))})`;
  const whyZh =
    errno === 'EADDRINUSE'
      ? '已被占用：另一个 hallq 或其他程序在此监听，请停掉它或换一个端口'
      : errno === 'EACCES'
        ? '当前用户无权监听：1024 以下的端口需要特权'
        : errno === 'EADDRNOTAVAIL'
          ? '不是本机的地址'
          : `无法监听（${systemWords(errno).zh}）`;
  return new HallqError('LISTEN_FAILED', `${key}: ${host}:${port} ${why}`, { key, host, port, ...(errno ? { errno } : {}), messageZh: `${key}：${host}:${port} ${whyZh}` }, { cause: e });
}

/**
 * Fails with LISTEN_FAILED when host:port cannot be bound now (bound and closed again at once). For a
 * daemon that listens only later in its start: it ends before it has taken anyone's place on the broker.
 * Port 0 (any free port) always can.
 */
export async function assertCanListen(host: string, port: number, key: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, () => resolve());
    });
  } catch (e) {
    throw listenError(e, key, host, port);
  } finally {
    if (probe.listening) await new Promise<void>((r) => probe.close(() => r()));
  }
}
