import { queueView, type HallState } from '../core/index.js';
import type { ServerMetrics } from './mqtt-server.js';

/** Prometheus text format: what ops scrape from /metrics. */
export function renderMetrics(state: HallState, m: ServerMetrics, deviceHealth: Record<string, number> = {}): string {
  const q = queueView(state);
  const lines: string[] = [];
  const metric = (name: string, help: string, type: 'gauge' | 'counter', samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, '_')}"`)
        .join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  };
  const svc = Object.entries(q.services);
  metric('hallq_tickets_issued', 'Tickets issued today', 'gauge', svc.map(([id, s]) => [{ service: id }, s.issued]));
  metric('hallq_tickets_waiting', 'Tickets waiting now', 'gauge', svc.map(([id, s]) => [{ service: id }, s.waiting]));
  metric('hallq_tickets_served', 'Tickets served today', 'gauge', svc.map(([id, s]) => [{ service: id }, s.served]));
  const calls = Object.values(state.tickets).filter((t) => t.calledAt !== undefined);
  metric('hallq_calls', 'Tickets called today', 'gauge', [[{}, calls.length]]);
  const waits = calls.map((t) => ((t.calledAt ?? 0) - t.issuedAt) / 1000);
  metric('hallq_wait_seconds_mean', 'Mean wait from issue to first call today', 'gauge', [[{}, waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : 0]]);
  metric('hallq_windows_open', 'Windows open now', 'gauge', [[{}, Object.values(state.windows).filter((w) => w.status === 'open').length]]);
  metric('hallq_event_seq', 'Last event sequence number', 'counter', [[{}, state.seq]]);
  metric('hallq_mqtt_connected', '1 while connected to the broker', 'gauge', [[{}, m.connected ? 1 : 0]]);
  metric('hallq_mqtt_reconnects_total', 'Broker reconnects', 'counter', [[{}, m.reconnects]]);
  metric('hallq_requests_total', 'Requests received over MQTT', 'counter', [[{}, m.requests]]);
  metric('hallq_invalid_payloads_total', 'Malformed requests refused', 'counter', [[{}, m.invalidPayloads]]);
  metric('hallq_refused_requests_total', 'Requests refused by per-agent authorization', 'counter', [[{}, m.refused]]);
  metric('hallq_duplicate_commands_total', 'Repeated command ids answered from the log', 'counter', [[{}, m.duplicates]]);
  metric('hallq_device_up', 'Device health reported by agents (1 ok, 0 not)', 'gauge', Object.entries(deviceHealth).map(([d, v]) => [{ device: d }, v]));
  return `${lines.join('\n')}\n`;
}
