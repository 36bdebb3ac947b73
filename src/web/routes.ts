import { createRequire } from 'node:module';
import { dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendError } from '../http/errors.js';

/** Resolved next to this file, so the build (which copies pages/ and static/ into dist/src/web/) keeps working. */
export const staticDir = fileURLToPath(new URL('./static/', import.meta.url));
export const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url));

/** The shared assets under /web/ (server pages and the agent's kiosk); a missing file is the JSON 404. */
export async function registerStatic(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: staticDir, prefix: '/web/', index: false, list: false, dotfiles: 'deny', cacheControl: false, setHeaders: (res) => {
      res.setHeader('cache-control', 'no-cache');
    },
  });
  registerVendor(app);
  // Browsers ask for /favicon.ico on their own (before or without reading the page's icon link): the
  // same SVG, so no page logs a 404.
  app.get('/favicon.ico', { schema: { hide: true } }, (_req, reply) => reply.header('cache-control', 'max-age=86400').type('image/svg+xml').sendFile('favicon.svg', staticDir));
}

const require = createRequire(import.meta.url);

/**
 * The page UI library, served from the installed npm packages (never a CDN: halls are often offline).
 * Pages import 'preact', 'preact/hooks' and 'htm' through the import map in each page (/web/vendor/…).
 */
export const vendorFiles: Record<string, string> = {
  'preact.mjs': require.resolve('preact'),
  'hooks.mjs': require.resolve('preact/hooks'),
  'htm.mjs': require.resolve('htm').replace(/htm\.js$/, 'htm.mjs'),
};

function registerVendor(app: FastifyInstance): void {
  app.get('/web/vendor/:file', { schema: { hide: true } }, (req, reply) => {
    const file = (req.params as { file: string }).file;
    const path = Object.hasOwn(vendorFiles, file) ? vendorFiles[file] : undefined;
    if (!path) return sendError(reply, 404, 'not-found', 'no such file', '没有这个文件');
    return reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').sendFile(basename(path), dirname(path));
  });
}

/** One of src/web/pages/*.html. */
export function sendPage(reply: FastifyReply, page: string): FastifyReply {
  return reply.header('cache-control', 'no-cache').sendFile(page, pagesDir);
}

/**
 * One serialisation per state for every page (issue 12): `frame()` is the JSON of `snapshot()`,
 * recomputed only when `version()` moved (the state's seq, and whatever else the snapshot reads),
 * so 100 open pages cost one JSON.stringify per event batch, not 100.
 */
export function sharedFrame(snapshot: () => unknown, version: () => string | number): () => string {
  let at: string | number | undefined;
  let json = '';
  return () => {
    const v = version();
    if (v !== at) {
      json = JSON.stringify(snapshot());
      at = v;
    }
    return json;
  };
}

/**
 * A server-sent events stream: `frame()` (a JSON snapshot) now and on every `subscribe` signal (coalesced),
 * a keep-alive comment every 15 s; ended by the server when `until` calls its `end` (the session behind a
 * staff feed ended; `last`, an event saying why, written first), else by the client.
 */
export function sseStream(reply: FastifyReply, frame: () => string, subscribe: (fn: () => void) => () => void, until?: (end: (last?: string) => void) => () => void, coalesceMs = 50): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
  // Nothing is written once the server ended it (a write after end is an error event on the response).
  const write = (text: string) => void (res.writableEnded || res.write(text));
  const send = () => write(`event: snapshot\ndata: ${frame()}\n\n`);
  let pending: NodeJS.Timeout | undefined;
  const push = () => {
    if (pending) return;
    // Coalesce a burst of events into one snapshot.
    pending = setTimeout(() => {
      pending = undefined;
      send();
    }, coalesceMs);
  };
  send();
  const off = subscribe(push);
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), 15_000);
  let stopWatching: (() => void) | undefined;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    off();
    stopWatching?.();
    clearTimeout(pending);
    clearInterval(keepAlive);
  };
  res.on('close', stop);
  stopWatching = until?.((last) => {
    if (res.writableEnded) return;
    res.end(last);
    stop();
  });
  // Ended while `until` was being set up: it is not needed any more.
  if (stopped) stopWatching?.();
}
