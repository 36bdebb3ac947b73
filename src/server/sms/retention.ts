/**
 * DESIGN §8: phone numbers are kept only for the configured days. Runs at start and then daily;
 * finished outbox rows go with them (they hold no personal data, only keep the table small).
 */
import type { Logger } from '../../../drivers/common/logger.js';
import type { Contacts } from './contacts.js';
import type { Outbox } from './outbox.js';

export const DAY_MS = 86_400_000;

export interface RetentionOptions {
  contacts: Contacts;
  outbox: Outbox;
  retentionDays: number;
  clock: () => number;
  logger: Logger;
  /** Between runs; a day unless a test says otherwise. */
  everyMs?: number;
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: RetentionOptions) {}

  /** Purges what is older than retentionDays now; returns the counts. */
  runOnce(): { contacts: number; outboxRows: number } {
    const cutoff = this.o.clock() - this.o.retentionDays * DAY_MS;
    const counts = { contacts: this.o.contacts.purgeBefore(cutoff), outboxRows: this.o.outbox.purgeFinishedBefore(cutoff) };
    this.o.logger.info({ ...counts, retentionDays: this.o.retentionDays }, 'sms retention purge');
    return counts;
  }

  start(): void {
    this.runOnce();
    this.timer = setInterval(() => {
      try {
        this.runOnce();
      } catch (e) {
        this.o.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'sms retention purge failed');
      }
    }, this.o.everyMs ?? DAY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
