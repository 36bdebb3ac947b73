/**
 * How one report_tickets row counts, shared by the per-day rollups (rollup.ts) and the per-ticket
 * path (query.ts `{ rows: true }`), so the two can only differ where they mean to.
 */
export interface TicketTally {
  issued: number;
  served: number;
  noShow: number;
  cancelled: number;
  voided: number;
  expired: number;
  open: number;
  /** Waits (ms) of called tickets; service times (ms) of served ones. */
  waits: number[];
  services: number[];
}

/** Adds one ticket (its report_tickets outcome, wait and service time in ms) to `t`. */
export function tallyTicket(t: TicketTally, outcome: string, wait: number | null, serviceMs: number): void {
  t.issued++;
  switch (outcome) {
    case 'served':
      t.served++;
      t.services.push(serviceMs);
      break;
    case 'no-show':
      t.noShow++;
      break;
    case 'cancelled':
      t.cancelled++;
      break;
    case 'voided':
      t.voided++;
      break;
    case 'expired':
      t.expired++;
      break;
    default:
      t.open++;
  }
  if (wait !== null) t.waits.push(wait);
}

/** One more `key` in a count by reason ('' for none). */
export function countReason(by: Record<string, number>, key: string | null): void {
  by[key ?? ''] = (by[key ?? ''] ?? 0) + 1;
}
