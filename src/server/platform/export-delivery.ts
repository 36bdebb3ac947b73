/**
 * Sends the export outbox to the platform, one event per signed POST, strictly in seq order
 * (docs/platform.md). At least once: a row is marked delivered only after a 2xx, so a crash or a lost
 * answer sends it again with the same Idempotency-Key and bytes, and the platform keeps the first.
 * Retries never give up (a long outage just grows the backlog): backoffSeconds × 2^(n−1), capped.
 */
import type { Logger } from '../../../drivers/common/logger.js';
import type { ExportOutbox, ExportRow } from './export-outbox.js';
import { signedHeaders } from './signature.js';

export interface ExportDeliveryOptions {
  outbox: ExportOutbox;
  url: string;
  hall: string;
  secret: string;
  backoffSeconds: number;
  maxBackoffSeconds: number;
  timeoutSeconds: number;
  clock: () => number;
  logger: Logger;
}

/** What one attempt came to (tests and logs). */
export type ExportResult = { seq: number; outcome: 'delivered' } | { seq: number; outcome: 'retry' | 'rejected'; error: string };

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Refusals that no retry can change: the payload itself is wrong for the platform. */
const FINAL_STATUSES = new Set([400, 413, 422]);

export class ExportDelivery {
  private readonly log: Logger;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private readonly listeners = new Set<(r: ExportResult) => void>();

  constructor(private readonly o: ExportDeliveryOptions) {
    this.log = o.logger.child({ component: 'platform-export' });
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Looks at the head of the outbox now (after an enqueue, or a test moving its clock). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.clearTimer();
    this.running = this.drain()
      .catch((e: unknown) => this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'platform export loop failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  onResult(fn: (r: ExportResult) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stops; a request in flight is aborted (its row stays pending and is sent again later). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.abort?.abort();
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      this.again = false;
      const row = this.o.outbox.head();
      // Strict order: a head not yet due holds back everything behind it.
      if (!row || row.nextAttemptAt > this.o.clock()) return;
      if (!(await this.send(row))) return;
    }
  }

  /** One attempt; true when the row is settled and the next may go. */
  private async send(row: ExportRow): Promise<boolean> {
    const { outbox } = this.o;
    let error: string;
    let final = false;
    this.abort = new AbortController();
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': `${this.o.hall}:${row.seq}`, 'x-hallq-hall': this.o.hall, ...signedHeaders(this.o.secret, this.o.clock(), row.body) },
        body: row.body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutSeconds * 1000)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        outbox.markDelivered(row.seq);
        this.emit({ seq: row.seq, outcome: 'delivered' });
        return true;
      }
      error = `HTTP_${res.status}`;
      final = FINAL_STATUSES.has(res.status);
    } catch (e) {
      if (this.stopped) return false;
      error = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError') ? 'TIMEOUT' : networkCode(e);
    } finally {
      this.abort = undefined;
    }
    if (final) {
      outbox.markRejected(row.seq, error);
      this.log.error({ seq: row.seq, type: row.type, error }, 'platform refused the event for good; skipped (see admin)');
      this.emit({ seq: row.seq, outcome: 'rejected', error });
      return true;
    }
    const delay = Math.min(this.o.maxBackoffSeconds, this.o.backoffSeconds * 2 ** row.attempts) * 1000;
    outbox.retryAt(row.seq, error, this.o.clock() + delay);
    this.log.warn({ seq: row.seq, attempt: row.attempts + 1, error, retryInMs: delay }, 'platform export failed; will retry');
    this.emit({ seq: row.seq, outcome: 'retry', error });
    return false;
  }

  private schedule(): void {
    if (this.stopped) return;
    const head = this.o.outbox.head();
    if (!head) return;
    this.clearTimer();
    this.timer = setTimeout(() => this.kick(), Math.min(MAX_TIMER_MS, Math.max(0, head.nextAttemptAt - this.o.clock())));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(r: ExportResult): void {
    for (const fn of this.listeners) fn(r);
  }
}

function networkCode(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : 'NETWORK';
}
