import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeviceHealth } from '../bus/messages.js';
import { queueView, type HallState } from '../core/index.js';
import type { ServerMetrics } from './mqtt-server.js';
import { OUTBOX_STATES } from './sms/outbox.js';

/** What the server's /metrics reads at each scrape. */
export interface MetricSources {
  state: () => HallState;
  mqtt: ServerMetrics;
  /** The latest device health each agent published (agent id → its devices), as the server received it. */
  devices: () => ReadonlyMap<string, readonly DeviceHealth[]>;
  /** SMS outbox rows by state (pending, sending, sent, dropped, failed), when SMS is configured; a hall without SMS has 0 in each. */
  smsOutbox?: () => Readonly<Record<string, number>>;
  /** With `sms.provider: modem`: its port and whether it is initialised (PDU mode) with its link open; undefined otherwise (no series). */
  smsModem?: () => { port: string; ready: boolean } | undefined;
  version: string;
  /** The engine's durable appends so far (HallEngine.appends). */
  appends?: () => { transactions: number; seconds: number };
  /** The free space under the event log (HallEngine.disk); undefined for a log that is not a file (no series). */
  disk?: () => { freeBytes: number; low: boolean } | undefined;
}

/** Wait from issue to first call, seconds: 1 min … 2 h (a hall's waits; DESIGN §5's estimate range). */
export const WAIT_BUCKETS = [60, 180, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200];

/**
 * The server's Prometheus registry (prom-client), read at scrape time from the hall state and the
 * MQTT counters: nothing is counted twice and nothing can drift from the event log.
 * Naming (Prometheus conventions): counters end in `_total`, units in the name (`_seconds`).
 * The per-day figures (`hallq_tickets_issued_total`, `hallq_wait_seconds`, …) count today's tickets,
 * so they reset at the day rollover, which Prometheus' rate() and increase() treat as a counter reset.
 * Also prom-client's default process metrics (`process_*`, `nodejs_*`) and `hallq_build_info`.
 */
export function createServerMetrics(src: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const services = () => Object.entries(queueView(src.state()).services);

  new Gauge({ name: 'hallq_build_info', help: 'The running build: 1, labelled with its version and Node version', labelNames: ['version', 'node'], registers }).set({ version: src.version, node: process.versions.node }, 1);
  new Counter({
    name: 'hallq_tickets_issued_total', help: 'Tickets issued today, per service', labelNames: ['service'], registers,
    collect() { this.reset(); for (const [id, s] of services()) this.inc({ service: id }, s.issued); },
  });
  new Counter({
    name: 'hallq_tickets_served_total', help: 'Tickets served today, per service', labelNames: ['service'], registers,
    collect() { this.reset(); for (const [id, s] of services()) this.inc({ service: id }, s.served); },
  });
  new Gauge({
    name: 'hallq_tickets_waiting', help: 'Tickets waiting now, per service', labelNames: ['service'], registers,
    collect() { this.reset(); for (const [id, s] of services()) this.set({ service: id }, s.waiting); },
  });
  new Counter({
    name: 'hallq_calls_total', help: 'Tickets called today (first calls)', registers,
    collect() { this.reset(); this.inc(Object.values(src.state().tickets).filter((t) => t.calledAt !== undefined).length); },
  });
  new Histogram({
    name: 'hallq_wait_seconds', help: "Wait from issue to first call of today's called tickets, per service", labelNames: ['service'], buckets: WAIT_BUCKETS, registers,
    collect() {
      this.reset();
      // Every service has its series from the day's start (count 0), like the per-service counters: a
      // dashboard or an alert sees a zero, never an absent series it cannot tell from a broken scrape.
      for (const [id] of services()) this.zero({ service: id });
      for (const t of Object.values(src.state().tickets)) if (t.calledAt !== undefined) this.observe({ service: t.serviceId }, Math.max(0, (t.calledAt - t.issuedAt) / 1000));
    },
  });
  new Gauge({
    name: 'hallq_windows_open', help: 'Windows open now', registers,
    collect() { this.set(Object.values(src.state().windows).filter((w) => w.status === 'open').length); },
  });
  new Counter({ name: 'hallq_events_total', help: 'Events in the log (the last sequence number)', registers, collect() { this.reset(); this.inc(src.state().seq); } });
  // Durable appends (one transaction per group commit, fsync included): their rate and the time they take
  // (rate(seconds) / rate(total) is the mean append; a worn SD card or eMMC shows there before the hall feels it).
  const appends = src.appends ?? (() => ({ transactions: 0, seconds: 0 }));
  new Counter({ name: 'hallq_appends_total', help: 'Durable appends to the event log (transactions, one per group commit)', registers, collect() { this.reset(); this.inc(appends().transactions); } });
  // The free space under the log, asked at the scrape (statfs): alert on hallq_disk_low before appends fail.
  new Gauge({ name: 'hallq_disk_free_bytes', help: 'Free bytes on the filesystem of a store (the event log)', labelNames: ['store'], registers, collect() { this.reset(); const d = src.disk?.(); if (d) this.set({ store: 'event-log' }, d.freeBytes); } });
  new Gauge({ name: 'hallq_disk_low', help: "1 while a store's free space is below its threshold (server.diskLowMegabytes): /readyz says disk-low", labelNames: ['store'], registers, collect() { this.reset(); const d = src.disk?.(); if (d) this.set({ store: 'event-log' }, d.low ? 1 : 0); } });
  new Counter({ name: 'hallq_append_seconds_total', help: 'Time spent in durable appends to the event log, the fsync included (seconds)', registers, collect() { this.reset(); this.inc(appends().seconds); } });
  new Gauge({ name: 'hallq_mqtt_connected', help: '1 while connected to the broker', registers, collect() { this.set(src.mqtt.connected ? 1 : 0); } });
  const counter = (name: string, help: string, read: (m: ServerMetrics) => number) =>
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(read(src.mqtt)); } });
  counter('hallq_mqtt_reconnects_total', 'Broker reconnects', (m) => m.reconnects);
  counter('hallq_requests_total', 'Requests received over MQTT', (m) => m.requests);
  counter('hallq_commands_total', 'Commands run from MQTT requests', (m) => m.commands);
  counter('hallq_invalid_payloads_total', 'Malformed requests refused', (m) => m.invalidPayloads);
  counter('hallq_refused_requests_total', 'Requests refused by per-agent authorization', (m) => m.refused);
  counter('hallq_duplicate_commands_total', 'Repeated command ids answered from the log', (m) => m.duplicates);
  counter('hallq_oversized_messages_total', 'Messages above the size cap, not sent', (m) => m.oversized);
  counter('hallq_busy_requests_total', 'Catch-up requests (events, state) refused BUSY: the agent had too many waiting', (m) => m.busy);
  new Gauge({
    name: 'hallq_device_up', help: "Each agent's devices as the agent last reported them (1 ok, 0 degraded, offline or unknown)", labelNames: ['agent', 'device', 'kind'], registers,
    collect() {
      this.reset();
      for (const [agent, devices] of src.devices()) for (const d of devices) this.set({ agent, device: d.name, kind: d.kind }, d.state === 'ok' ? 1 : 0);
    },
  });
  // Why a device is down, as its agent said (1 per device with a reason): paper-out apart from an unplugged cable.
  new Gauge({
    name: 'hallq_device_problem', help: "Each agent's devices that are not ok, by the reason the agent reported (paper-out, cover-open, no-reply, link-down, …): 1", labelNames: ['agent', 'device', 'kind', 'reason'], registers,
    collect() {
      this.reset();
      for (const [agent, devices] of src.devices()) for (const d of devices) if (d.reason) this.set({ agent, device: d.name, kind: d.kind, reason: d.reason }, 1);
    },
  });
  // Every state's series, 0 in a hall that sends no SMS (sms.provider: none): zeros, not an absent series.
  const outbox: () => Readonly<Record<string, number>> = src.smsOutbox ?? (() => ({}));
  new Gauge({
    name: 'hallq_sms_outbox_messages', help: 'SMS outbox rows by state (pending, sending, sent, dropped, failed); sent rows go after the retention days', labelNames: ['state'], registers,
    collect() {
      this.reset();
      const counts = outbox();
      for (const state of OUTBOX_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  // Only with a modem (a gateway has no line to lose): 0 beside pending rows is a modem that does not answer
  // its initialisation, which /readyz does not say (the hall runs without SMS).
  new Gauge({
    name: 'hallq_sms_modem_ready', help: 'With sms.provider modem: 1 while the modem is initialised in PDU mode with its link open, 0 before its first message and while it does not answer', labelNames: ['port'], registers,
    collect() {
      this.reset();
      const modem = src.smsModem?.();
      if (modem) this.set({ port: modem.port }, modem.ready ? 1 : 0);
    },
  });
  return registry;
}
