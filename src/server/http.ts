import http from 'node:http';
import type { Logger } from '../../drivers/common/logger.js';
import { queueView, ticketView, windowView, type Command } from '../core/index.js';
import { wireCommandSchema } from '../bus/command-schema.js';
import { describeInvalid, parseJson } from '../bus/messages.js';
import type { HallEngine } from './engine.js';
import { renderMetrics } from './metrics.js';
import { webRoutes } from '../web/routes.js';
import type { MqttServer } from './mqtt-server.js';

/** HTTP: /healthz, /metrics, and a JSON API for the queue, windows, tickets and commands. */
export function startHttp(engine: HallEngine, mqtt: MqttServer, opts: { host: string; port: number; clock: () => number; notice?: string }, logger: Logger): Promise<http.Server> {
  const send = (res: http.ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const web = webRoutes({ state: () => engine.state, subscribe: (fn) => engine.onAppended(fn), clock: opts.clock, notice: opts.notice ?? '' });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hallq');
    const s = engine.state;
    if (web(req, res, url)) return;
    if (req.method === 'GET' && url.pathname === '/api/staff') return send(res, 200, (s.config?.staff ?? []).map((x) => ({ id: x.id, name: x.name })));
    if (req.method === 'GET' && url.pathname === '/healthz') {
      const ok = mqtt.metrics.connected;
      return send(res, ok ? 200 : 503, { ok, seq: s.seq, broker: ok ? 'connected' : 'disconnected' });
    }
    if (req.method === 'GET' && url.pathname === '/metrics') return send(res, 200, renderMetrics(s, mqtt.metrics), 'text/plain; version=0.0.4');
    if (req.method === 'GET' && url.pathname === '/api/queue') return send(res, 200, queueView(s));
    if (req.method === 'GET' && url.pathname === '/api/windows') return send(res, 200, (s.config?.windows ?? []).map((w) => windowView(s, w.id)));
    if (req.method === 'GET' && url.pathname === '/api/state') return send(res, 200, s);
    const ticket = /^\/api\/tickets\/([\w-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && ticket?.[1]) {
      const v = ticketView(s, ticket[1], opts.clock());
      return v ? send(res, 200, v) : send(res, 404, { error: { code: 'unknown-ticket', message: 'no such ticket today' } });
    }
    if (req.method === 'POST' && url.pathname === '/api/commands') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 64 * 1024) chunks.push(c);
      });
      req.on('end', () => {
        if (size > 64 * 1024) return send(res, 413, { error: { code: 'PAYLOAD_INVALID', message: 'body too large' } });
        const json = parseJson(Buffer.concat(chunks));
        if (!json.ok) return send(res, 400, { error: { code: 'PAYLOAD_INVALID', message: `not JSON: ${json.error}` } });
        const cmd = wireCommandSchema.safeParse(json.value);
        if (!cmd.success) return send(res, 400, { error: { code: 'PAYLOAD_INVALID', message: describeInvalid(cmd.error) } });
        try {
          const outcome = mqtt.run(cmd.data as Command);
          send(res, 200, { outcome, seq: engine.state.seq });
        } catch (e) {
          logger.error({ err: String(e) }, 'HTTP command failed');
          send(res, 500, { error: { code: 'INTERNAL', message: 'the server could not run the command' } });
        }
      });
      return;
    }
    send(res, 404, { error: { code: 'not-found', message: 'no such endpoint' } });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve(server));
  });
}
