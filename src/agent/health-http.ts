import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../../drivers/common/logger.js';
import type { DeviceHealth } from '../bus/messages.js';
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
  /** Island mode's phase, when island mode is configured. */
  island?: () => 'online' | 'island' | 'returning';
  devices: () => readonly DeviceHealth[];
  /** Config reloads (SIGHUP) by outcome. */
  reloads: () => Readonly<Record<'applied' | 'unchanged' | 'refused', number>>;
}

export type AgentReadiness = 'ready' | 'island' | 'degraded';

/**
 * The agent's readiness: `ready` with the broker link up and every device ok or unknown; `island` while
 * island mode serves its devices; `degraded` with the link away (screens show the last state) or a
 * device offline. None of these stops the hall at this box, so all answer 200; 503 only while starting
 * or stopping (the same rule as the server's /readyz: a broker outage is not a reason to restart).
 */
export function agentReadiness(s: AgentHealthSources): { ok: boolean; status: AgentReadiness | 'starting'; broker: 'connected' | 'disconnected'; seq: number; devices: { ok: number; offline: string[]; total: number }; island?: string } {
  const list = s.devices();
  const offline = list.filter((d) => d.state === 'offline').map((d) => d.name);
  const connected = s.connected();
  const island = s.island?.();
  const status: AgentReadiness | 'starting' = !s.started() ? 'starting' : island === 'island' ? 'island' : !connected || offline.length > 0 ? 'degraded' : 'ready';
  return {
    ok: s.started(),
    status,
    broker: connected ? 'connected' : 'disconnected',
    seq: s.seq(),
    devices: { ok: list.filter((d) => d.state === 'ok').length, offline, total: list.length },
    ...(island === undefined ? {} : { island }),
  };
}

/**
 * The agent's Prometheus registry (prom-client), read at scrape time: nothing counted twice.
 * `hallq_device_up{agent,device,kind}` (1 ok, 0 degraded, offline or unknown) as this agent sees its
 * devices (the server's /metrics has the same series from the published health), `hallq_build_info`,
 * the broker link, the replica's seq, island mode, config reloads, and the default process metrics.
 */
export function createAgentMetrics(s: AgentHealthSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({ name: 'hallq_build_info', help: 'The running build: 1, labelled with its version and Node version', labelNames: ['version', 'node'], registers }).set({ version: s.version, node: process.versions.node }, 1);
  new Gauge({
    name: 'hallq_device_up', help: "This agent's devices (1 ok, 0 degraded, offline or unknown)", labelNames: ['agent', 'device', 'kind'], registers,
    collect() { this.reset(); for (const d of s.devices()) this.set({ agent: s.agentId, device: d.name, kind: d.kind }, d.state === 'ok' ? 1 : 0); },
  });
  new Gauge({ name: 'hallq_mqtt_connected', help: '1 while connected to the broker', registers, collect() { this.set(s.connected() ? 1 : 0); } });
  new Counter({ name: 'hallq_mqtt_reconnects_total', help: 'Broker reconnects', registers, collect() { this.reset(); this.inc(s.reconnects()); } });
  new Gauge({ name: 'hallq_replica_seq', help: "The last event of the hall's log this agent has applied", registers, collect() { this.set(s.seq()); } });
  // Always there (0 without island mode configured), so a dashboard's query needs no special case.
  new Gauge({ name: 'hallq_island', help: '1 while this agent runs in island mode (the server away)', registers, collect() { this.set(s.island?.() === 'island' ? 1 : 0); } });
  new Counter({
    name: 'hallq_config_reloads_total', help: 'Config reloads (SIGHUP) by outcome: applied, unchanged, refused', labelNames: ['outcome'], registers,
    collect() { this.reset(); for (const [outcome, n] of Object.entries(s.reloads())) this.inc({ outcome }, n); },
  });
  return registry;
}

/** /livez, /readyz and /metrics on a Fastify app (the agent's health listener, and its kiosk listener). */
export function registerAgentHealth(app: FastifyInstance, s: AgentHealthSources, metrics: Registry = createAgentMetrics(s)): void {
  const noStore = { 'cache-control': 'no-store' };
  app.get('/livez', { schema: { hide: true } }, (_req, reply) => reply.headers(noStore).send({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, (_req, reply) => {
    const r = agentReadiness(s);
    return reply.code(r.ok ? 200 : 503).headers(noStore).send(r);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.headers(noStore).type(metrics.contentType).send(await metrics.metrics()));
}

/**
 * The agent's own health listener (`agent.health`): /livez, /readyz and /metrics, nothing else.
 * Bound where the config says (127.0.0.1 by default; a Prometheus on another box needs the LAN address).
 */
export async function startAgentHealthHttp(host: string, port: number, s: AgentHealthSources, logger: Logger): Promise<FastifyInstance['server']> {
  const app = createHttpApp({ logger, bodyLimit: 1024 });
  registerAgentHealth(app, s);
  return listen(app, host, port, 'agent.health.port');
}
