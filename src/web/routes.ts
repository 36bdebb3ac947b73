import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localTime, weekdayKeys, type HallState } from '../core/index.js';
import { hallSnapshot } from './snapshot.js';

const staticDir = fileURLToPath(new URL('./static/', import.meta.url));
const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url));
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png' };

export async function sendFile(res: http.ServerResponse, path: string): Promise<void> {
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
}

/** Static assets shared by the server's pages and the agent's kiosk. */
export function serveStatic(url: URL, res: http.ServerResponse): boolean {
  const m = /^\/web\/([\w.-]+)$/.exec(url.pathname);
  if (!m?.[1]) return false;
  void sendFile(res, join(staticDir, m[1]));
  return true;
}

export interface WebContext {
  state: () => HallState;
  /** Called with a listener for every batch of new events; returns the unsubscribe. */
  subscribe: (fn: () => void) => () => void;
  clock: () => number;
  notice: string;
}

/**
 * The server's pages: hall display, soft caller, admin, ticket status (behind the ticket's QR), and
 * the live snapshot stream they all read (server-sent events).
 */
export function webRoutes(ctx: WebContext): (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean {
  const snapshot = () => {
    const s = ctx.state();
    const offset = s.config?.utcOffsetMinutes ?? 480;
    return hallSnapshot(s, ctx.notice, weekdayKeys[localTime(ctx.clock(), offset).weekday] ?? 'mon');
  };
  const pages: Record<string, string> = { '/display': 'display.html', '/caller': 'caller.html', '/admin': 'admin.html', '/': 'index.html' };
  return (req, res, url) => {
    if (req.method !== 'GET') return false;
    if (serveStatic(url, res)) return true;
    const page = pages[url.pathname];
    if (page) {
      void sendFile(res, join(pagesDir, page));
      return true;
    }
    if (/^\/t\/[\w-]+$/.test(url.pathname)) {
      void sendFile(res, join(pagesDir, 'ticket.html'));
      return true;
    }
    if (url.pathname === '/api/hall') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(snapshot()));
      return true;
    }
    if (url.pathname === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let pending = false;
      const push = () => {
        if (pending) return;
        pending = true;
        // Coalesce a burst of events into one snapshot.
        setTimeout(() => {
          pending = false;
          res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
        }, 50);
      };
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
      const off = ctx.subscribe(push);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      req.on('close', () => {
        off();
        clearInterval(keepAlive);
      });
      return true;
    }
    return false;
  };
}
