import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../../drivers/common/logger.js';
import type { DeviceHealth } from '../bus/messages.js';
import type { DiskSpace } from '../store/disk-space.js';
import { createHttpApp, listen } from '../http/app.js';

/** What the agent's /readyz and /metrics read at each request. */
export interface AgentHealthSources {
  agentId: string;
  version: string;
  /** False before the start completed and once the stop began: /readyz says 503 then. */
  started: () => boolean;
  /** The broker link is up now. */
  connected: () => boolean;
  reconnects: () => number;
  /** The replica's last applied sequence number. */
  seq: () => number;
  /** Connected during the start, the server not answering yet (it is away): the start waits for it. */
  waitingForServer?: () => boolean;
  /** Island mode's phase, when island mode is configured. */
  island?: () => 'online' | 'island' | 'returning';
  /** Island actions in the outbox not yet returned to the server, when island mode is configured. */
  outbox?: () => number;
  devices: () => readonly DeviceHealth[];
  /** Config reloads (SIGHUP) by outcome. */
  reloads: () => Readonly<Record<'applied' | 'unchanged' | 'refused', number>>;
  /** The free space under the agent's SQLite stores (island outbox, kiosk journal): the tightest; absent without a store on disk. */
  disk?: () => DiskSpace | undefined;
}

export type AgentReadiness = 'ready' | 'island' | 'degraded' | 'disk-low';

/** A device that is not ok, as /readyz lists it: its reason code when its driver knows one (paper-out, cover-open, …). */
export type DeviceProblem = Pick<DeviceHealth, 'name' | 'kind' | 'reason' | 'detail'> & { state: 'offline' | 'degraded' };

/**
 * The agent's readiness: `ready` with the broker link up and every device ok, degraded or unknown; `island` while
 * island mode serves its devices; `degraded` with the link away (screens show the last state) or a
 * device offline (paper out included: it cannot print). None of these stops the hall at this box, so all
 * answer 200; 503 while starting (`waiting-for-server` when connected and the server does not answer the
 * start's catch-up) or stopping (the same rule as the server's /readyz: a broker outage is not a reason to
 * restart), and `disk-low` (503, as the server's) while the free space under its island outbox or kiosk
 * journal is below agent.diskLowMegabytes: the next ticket it journals or issues alone may fail to be saved.
 * `devices.offline` names the offline devices (as before); `devices.problems` says of each offline or
 * degraded one why, so a paper-out printer is told from an unplugged one; `devices.states` gives every
 * device's state by name (`hallq devices` on this box reads it for the ports the agent holds).
 */
export function agentReadiness(s: AgentHealthSources): {
  ok: boolean;
  status: AgentReadiness | 'starting' | 'waiting-for-server';
  broker: 'connected' | 'disconnected';
  seq: number;
  devices: { ok: number; offline: string[]; problems: DeviceProblem[]; states: Record<string, DeviceHealth['state']>; total: number };
  island?: string;
  outbox?: number;
  disk?: { freeBytes: number; lowBytes: number };
} {
  const list = s.devices();
  const offline = list.filter((d) => d.state === 'offline').map((d) => d.name);
  const problems = list.flatMap((d): DeviceProblem[] =>
    d.state === 'offline' || d.state === 'degraded' ? [{ name: d.name, kind: d.kind, state: d.state, ...(d.reason ? { reason: d.reason } : {}), ...(d.detail ? { detail: d.detail } : {}) }] : [],
  );
  const connected = s.connected();
  const started = s.started();
  // Before the start completed island mode does not run yet: its phase says nothing ("online" would be untrue).
  const island = started ? s.island?.() : s.island && 'starting';
  const outbox = s.outbox?.();
  const disk = s.disk?.();
  const low = disk?.low === true;
  const status = !started ? (s.waitingForServer?.() ? 'waiting-for-server' : 'starting') : low ? 'disk-low' : island === 'island' ? 'island' : !connected || offline.length > 0 ? 'degraded' : 'ready';
  return {
    ok: started && !low,
    status,
    broker: connected ? 'connected' : 'disconnected',
    seq: s.seq(),
    devices: { ok: list.filter((d) => d.state === 'ok').length, offline, problems, states: Object.fromEntries(list.map((d) => [d.name, d.state])), total: list.length },
    ...(island === undefined ? {} : { island }),
    ...(disk ? { disk: { freeBytes: disk.freeBytes, lowBytes: disk.lowBytes } } : {}),
    ...(outbox === undefined ? {} : { outbox }),
  };
}

/**
 * The agent's registry, made at the first scrape: prom-client loads then, not at start (issue 12). Every
 * figure in it is read at scrape time, so it counts from the start all the same. One per agent: the
 * health listener and the kiosk listener share it.
 */
export function lazyAgentMetrics(s: AgentHealthSources): () => Promise<Registry> {
  let registry: Promise<Registry> | undefined;
  return () => (registry ??= import('./agent-metrics.js').then((m) => m.createAgentMetrics(s)));
}

/** /livez, /readyz and /metrics on a Fastify app (the agent's health listener, and its kiosk listener). */
export function registerAgentHealth(app: FastifyInstance, s: AgentHealthSources, metrics: () => Promise<Registry> = lazyAgentMetrics(s)): void {
  const noStore = { 'cache-control': 'no-store' };
  app.get('/livez', { schema: { hide: true } }, (_req, reply) => reply.headers(noStore).send({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, (_req, reply) => {
    const r = agentReadiness(s);
    return reply.code(r.ok ? 200 : 503).headers(noStore).send(r);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const registry = await metrics();
    return reply.headers(noStore).type(registry.contentType).send(await registry.metrics());
  });
}

/**
 * The agent's own health listener (`agent.health`): /livez, /readyz and /metrics, nothing else.
 * Bound where the config says (127.0.0.1 by default; a Prometheus on another box needs the LAN address).
 */
export async function startAgentHealthHttp(host: string, port: number, s: AgentHealthSources, logger: Logger, metrics: () => Promise<Registry> = lazyAgentMetrics(s)): Promise<FastifyInstance['server']> {
  const app = createHttpApp({ logger, bodyLimit: 1024 });
  registerAgentHealth(app, s, metrics);
  return listen(app, host, port, 'agent.health.port');
}
