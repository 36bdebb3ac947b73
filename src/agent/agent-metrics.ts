import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentHealthSources } from './health-http.js';

/**
 * The agent's Prometheus registry (prom-client), read at scrape time: nothing counted twice.
 * `hallq_device_up{agent,device,kind}` (1 ok, 0 degraded, offline or unknown) and
 * `hallq_device_problem{agent,device,kind,reason}` (1 per device with a reason) as this agent sees its
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
  // The reason beside the state: paper-out, cover-open and no-reply are all 0 in hallq_device_up.
  new Gauge({
    name: 'hallq_device_problem', help: "This agent's devices that are not ok, by reason (paper-out, cover-open, no-reply, link-down, …): 1", labelNames: ['agent', 'device', 'kind', 'reason'], registers,
    collect() { this.reset(); for (const d of s.devices()) if (d.reason) this.set({ agent: s.agentId, device: d.name, kind: d.kind, reason: d.reason }, 1); },
  });
  new Gauge({ name: 'hallq_mqtt_connected', help: '1 while connected to the broker', registers, collect() { this.set(s.connected() ? 1 : 0); } });
  new Counter({ name: 'hallq_mqtt_reconnects_total', help: 'Broker reconnects', registers, collect() { this.reset(); this.inc(s.reconnects()); } });
  new Gauge({ name: 'hallq_replica_seq', help: "The last event of the hall's log this agent has applied", registers, collect() { this.set(s.seq()); } });
  // Always there (0 without island mode configured), so a dashboard's query needs no special case.
  new Gauge({ name: 'hallq_island', help: '1 while this agent runs in island mode (the server away)', registers, collect() { this.set(s.island?.() === 'island' ? 1 : 0); } });
  // The tightest of its stores' filesystems (island outbox, kiosk journal), asked at the scrape; no series without one on disk.
  new Gauge({ name: 'hallq_disk_free_bytes', help: "Free bytes on the filesystem of this agent's stores (island outbox, kiosk journal)", labelNames: ['store'], registers, collect() { this.reset(); const d = s.disk?.(); if (d) this.set({ store: 'agent' }, d.freeBytes); } });
  new Gauge({ name: 'hallq_disk_low', help: "1 while that free space is below agent.diskLowMegabytes: /readyz says disk-low", labelNames: ['store'], registers, collect() { this.reset(); const d = s.disk?.(); if (d) this.set({ store: 'agent' }, d.low ? 1 : 0); } });
  new Counter({
    name: 'hallq_config_reloads_total', help: 'Config reloads (SIGHUP) by outcome: applied, unchanged, refused', labelNames: ['outcome'], registers,
    collect() { this.reset(); for (const [outcome, n] of Object.entries(s.reloads())) this.inc({ outcome }, n); },
  });
  return registry;
}

