/** Reopen delays after a device is lost: initial, doubling, capped (1 s, 2 s, 4 s … 30 s by default). */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: Backoff = { initialMs: 1000, maxMs: 30_000 };

/** The delay before attempt `n` (0-based) to reopen. */
export function backoffDelay(b: Backoff, n: number): number {
  return Math.min(b.maxMs, b.initialMs * 2 ** Math.min(n, 30));
}
