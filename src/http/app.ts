import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from '../../drivers/common/logger.js';
import { sendError } from './errors.js';

/** A Fastify app with hallq's rules: JSON only, the one error shape, zod validation. */

export interface HttpOptions {
  /** Largest request body in bytes (default 64 KiB): larger ones get 413. */
  bodyLimit?: number;
  /** Behind a reverse proxy (nginx): trust X-Forwarded-* from these addresses (`true`: from anyone). */
  trustProxy?: boolean | string | string[];
  /** PEM files for HTTPS; absent: plain HTTP. */
  tls?: { certFile: string; keyFile: string };
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
 * - every error and the 404 in `{ error: { code, message } }`; nothing a client sends crashes it.
 */
export function createHttpApp(opts: HttpOptions): FastifyInstance {
  const https = opts.tls ? { https: { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) } } : {};
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    trustProxy: opts.trustProxy ?? false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: false },
    // zod validates and serialises every route (below): Fastify's default compilers (Ajv and
    // fast-json-stringify, the bulk of its code) are then never required (start time, issue 12).
    schemaController: zodCompilers,
    ...https,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Only JSON bodies: form and text posts (which any web page can send) never reach a route.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');
    if (safeMethods.has(req.method)) return;
    // An empty POST skips the body parser; the content type is required all the same.
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) return sendError(reply, 415, 'unsupported-media-type', 'send a JSON body (content-type: application/json)');
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return sendError(reply, 403, 'cross-site', 'requests from other sites are refused');
    const origin = req.headers.origin;
    if (origin !== undefined && originHost(origin) !== req.host) return sendError(reply, 403, 'cross-site', 'requests from other origins are refused');
    return;
  });

  app.setNotFoundHandler((_req, reply) => sendError(reply, 404, 'not-found', 'no such endpoint'));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      // Paths and expectations only: never the values, which may be personal data.
      const where = err.validationContext ?? 'request';
      const detail = err.validation
        .slice(0, 5)
        .map((v) => {
          const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
          return `${where}${path ? `.${path}` : ''}: ${v.message}`;
        })
        .join('; ');
      return sendError(reply, 400, 'payload-invalid', detail);
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, 'payload-too-large', 'the body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 415, 'unsupported-media-type', 'send a JSON body (content-type: application/json)');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 400, 'payload-invalid', 'the JSON body is empty');
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status === 429) return sendError(reply, 429, 'rate-limited', 'too many requests; try again later', '请求过于频繁，请稍后再试');
    if (status >= 400 && status < 500) return sendError(reply, status, err instanceof SyntaxError || status === 400 ? 'payload-invalid' : 'bad-request', err instanceof SyntaxError ? 'the body is not JSON' : 'the request is not valid');
    opts.logger.error({ err: err.message, code: err.code, route: req.routeOptions.url }, 'HTTP request failed');
    return sendError(reply, 500, 'internal', 'the server could not answer the request', '系统繁忙，请稍后再试');
  });
  return app;
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** Starts listening; resolves with the Node server (its address has the port when 0 was asked). */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<FastifyInstance['server']> {
  await app.listen({ host, port });
  return app.server;
}
