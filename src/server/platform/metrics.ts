import type { BacklogStats } from './export-outbox.js';

/**
 * The platform link's lines for /metrics (Prometheus text): the export backlog (events not yet
 * delivered) and the age of its oldest event, what was delivered and refused, the last pull.
 * Kept in one function so it moves as one piece if /metrics changes library.
 */
export function platformMetricsText(s: { export?: BacklogStats; pull?: { lastOkAt?: number; failures: number } }): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, type: 'gauge' | 'counter', v: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${v}`);
  if (s.export) {
    metric('hallq_platform_backlog', 'Events waiting to be delivered to the platform', 'gauge', s.export.pending);
    metric('hallq_platform_backlog_age_seconds', 'Age of the oldest event not yet delivered to the platform (0 when none)', 'gauge', Math.round(s.export.oldestAgeSeconds));
    metric('hallq_platform_delivered', 'Events delivered to the platform and still kept in the outbox', 'gauge', s.export.delivered);
    metric('hallq_platform_rejected', 'Events the platform refused for good (400/413/422)', 'gauge', s.export.rejected);
  }
  if (s.pull) {
    metric('hallq_platform_pull_last_success_timestamp_seconds', 'When the appointment pull last succeeded (0: never)', 'gauge', Math.floor((s.pull.lastOkAt ?? 0) / 1000));
    metric('hallq_platform_pull_failures_total', 'Appointment pulls that failed', 'counter', s.pull.failures);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
