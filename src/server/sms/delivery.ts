/**
 * Sends the outbox, one message at a time. Before each send the row is checked against the current
 * hall state (a 'near' for a ticket already called is dropped) and marked 'sending' durably; then
 * the sender runs. See failure.ts for what each failure does, README.md for the at-most-once rule.
 */
import type { Logger } from '../../../drivers/common/logger.js';
import type { SmsSender } from '../../../drivers/sms/sender.js';
import { openStatuses, own, type HallState } from '../../core/index.js';
import type { Contacts } from './contacts.js';
import { classifySendError, type FailureKind } from './failure.js';
import type { Outbox, OutboxRow } from './outbox.js';
import { ratingLinkDrop } from './rating-link.js';
import { renderSms, smsVars, templateFor, type SmsTemplates } from './templates.js';

export interface SmsDeliveryOptions {
  outbox: Outbox;
  contacts: Contacts;
  sender: SmsSender;
  /** The hall state now (the engine's), read just before each send. */
  state: () => HallState;
  templates: SmsTemplates;
  /** First retry after this, doubling per attempt. */
  backoffSeconds: number;
  maxAttempts: number;
  clock: () => number;
  logger: Logger;
  /** Runs before a row is marked in flight, e.g. reopening a modem; a throw is a failure before sending (retried). */
  prepare?: () => Promise<void>;
  /** The ticket's status page, as its printed QR code has it (the issued texts' {statusLink}); absent: none. */
  statusUrlOf?: (ticketId: string) => string | undefined;
}

/** What became of one row, for tests and health. */
export type DeliveryResult =
  | { id: number; ticketId: string; reason: OutboxRow['reason']; outcome: 'sent'; providerRef: string }
  | { id: number; ticketId: string; reason: OutboxRow['reason']; outcome: 'dropped' | FailureKind | 'gave-up'; code: string };

/** Reasons to drop a row instead of sending it. */
export const DROP = {
  alreadyCalled: 'ALREADY_CALLED',
  ticketClosed: 'TICKET_CLOSED',
  ticketGone: 'TICKET_GONE',
  noContact: 'NO_CONTACT',
  unreadable: 'CONTACT_UNREADABLE',
  /** Reminders: the appointment is checked in or cancelled, unknown, or its slot has begun. */
  appointmentClosed: 'APPOINTMENT_CLOSED',
  appointmentGone: 'APPOINTMENT_GONE',
  tooLate: 'TOO_LATE',
} as const;

const MAX_TIMER_MS = 2 ** 31 - 1;

export class SmsDelivery {
  private readonly log: Logger;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly listeners = new Set<(r: DeliveryResult) => void>();

  constructor(private readonly o: SmsDeliveryOptions) {
    this.log = o.logger.child({ component: 'delivery' });
  }

  /** Settles rows a stopped process left in flight, then sends what is due. */
  start(): void {
    const interrupted = this.o.outbox.settleInterrupted();
    if (interrupted > 0) this.log.warn({ rows: interrupted }, 'messages were in flight when hallq stopped; marked failed (maybe sent), not resent');
    this.stopped = false;
    this.kick();
  }

  /** Looks for due rows now (after an enqueue). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.clearTimer();
    let failed = false;
    this.running = this.drain()
      .catch((e: unknown) => {
        failed = true;
        this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'sms delivery loop failed');
      })
      .finally(() => {
        this.running = undefined;
        // After a failure (the database?) wait a backoff before looking again, rather than spin.
        if (failed) this.schedule(this.o.clock() + this.o.backoffSeconds * 1000);
        else if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  /** Every row's fate as it happens. Returns an unsubscribe function. */
  onResult(fn: (r: DeliveryResult) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stops taking rows; waits for the send in flight (if any) to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      this.again = false;
      const row = this.o.outbox.nextDue(this.o.clock());
      if (!row) return;
      await this.deliver(row);
    }
  }

  private schedule(notBefore = 0): void {
    if (this.stopped) return;
    const next = this.o.outbox.nextWakeAt();
    const at = next === undefined ? undefined : Math.max(next, notBefore);
    if (at === undefined) return;
    this.clearTimer();
    this.timer = setTimeout(() => this.kick(), Math.min(MAX_TIMER_MS, Math.max(0, at - this.o.clock())));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const { outbox } = this.o;
    const base = { id: row.id, ticketId: row.ticketId, reason: row.reason };
    const drop = this.dropReason(row);
    if (drop !== undefined) {
      if (outbox.markDropped(row.id, drop)) {
        this.log.info({ ...base, code: drop }, 'sms dropped');
        this.emit({ ...base, outcome: 'dropped', code: drop });
      }
      return;
    }
    let phone: string | undefined;
    try {
      phone = this.o.contacts.phoneOf(row.ticketId);
    } catch {
      // Sealed with another key (a lost or replaced key file): it will never open.
      this.log.error({ ...base }, 'stored number does not open with this key; message dropped');
    }
    if (phone === undefined) {
      const code = this.o.contacts.has(row.ticketId) ? DROP.unreadable : DROP.noContact;
      if (outbox.markDropped(row.id, code)) this.emit({ ...base, outcome: 'dropped', code });
      return;
    }
    try {
      await this.o.prepare?.();
    } catch (e) {
      // Nothing was handed over: count it as an attempt that definitely failed.
      if (!outbox.markSending(row.id)) return;
      this.afterFailure(row, { kind: 'retry', code: classifySendError(e).code });
      return;
    }
    const vars = smsVars(row.params, this.o.state(), row.reason === 'issued' ? this.o.statusUrlOf?.(row.ticketId) : undefined);
    const template = templateFor(row.reason, row.params);
    const text = renderSms(this.o.templates[template], vars);
    // Durable before the message leaves: a crash from here on leaves 'sending' = maybe sent.
    if (!outbox.markSending(row.id)) return;
    try {
      const receipt = await this.o.sender.send({ id: `sms-${row.id}`, phone, template, params: vars, text });
      outbox.markSent(row.id, receipt.providerRef);
      this.log.info({ ...base, attempt: row.attempts + 1, providerRef: receipt.providerRef }, 'sms sent');
      this.emit({ ...base, outcome: 'sent', providerRef: receipt.providerRef });
    } catch (e) {
      this.afterFailure(row, classifySendError(e));
    }
  }

  private afterFailure(row: OutboxRow, f: { kind: FailureKind; code: string }): void {
    const base = { id: row.id, ticketId: row.ticketId, reason: row.reason };
    const attempts = row.attempts + 1;
    if (f.kind === 'retry' && attempts < this.o.maxAttempts) {
      const at = this.o.clock() + this.o.backoffSeconds * 1000 * 2 ** (attempts - 1);
      this.o.outbox.retryAt(row.id, f.code, at);
      this.log.warn({ ...base, attempt: attempts, code: f.code, retryAt: at }, 'sms failed; will retry');
      this.emit({ ...base, outcome: 'retry', code: f.code });
      return;
    }
    const outcome = f.kind === 'retry' ? 'gave-up' : f.kind;
    // maybe-sent keeps its cause visible: UNCERTAIN:<code> on the row.
    this.o.outbox.markFailed(row.id, f.kind === 'maybe-sent' ? `UNCERTAIN:${f.code}` : f.code);
    this.log.warn({ ...base, attempt: attempts, code: f.code, outcome }, f.kind === 'maybe-sent' ? 'sms may have been sent; not resending' : 'sms failed for good');
    this.emit({ ...base, outcome, code: f.code });
  }

  /** Checked against the state of this moment, not the one when the row was made. */
  private dropReason(row: OutboxRow): string | undefined {
    if (row.reason === 'rating-link') return ratingLinkDrop(this.o.state(), row.ticketId, row.params, this.o.clock());
    if (row.reason === 'reminder') {
      const a = own(this.o.state().appointments, row.params.appointmentId ?? '');
      if (!a) return DROP.appointmentGone;
      if (a.status !== 'booked') return DROP.appointmentClosed;
      if (this.o.clock() >= a.slotStart) return DROP.tooLate;
      return undefined;
    }
    const t = own(this.o.state().tickets, row.ticketId);
    if (!t) return DROP.ticketGone;
    if (row.reason === 'near' && t.calledAt !== undefined) return DROP.alreadyCalled;
    if (!openStatuses.has(t.status)) return DROP.ticketClosed;
    return undefined;
  }

  private emit(r: DeliveryResult): void {
    for (const fn of this.listeners) fn(r);
  }
}
