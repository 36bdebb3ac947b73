/**
 * The one interface both screen protocols implement, and the change gate they share:
 * a screen is written only when what it would show differs from what it last showed.
 */
import type { BusPriority } from '../rs485/bus-port.js';
import type { ScreenHealth } from './delivery.js';
import type { ScreenContent } from './layout.js';

export type { ScreenContent } from './layout.js';
export type { ScreenHealth } from './delivery.js';

export interface WindowScreen {
  /**
   * Resolves when the screen acknowledged (or at once when nothing changed). Rejects with HallqError DEVICE_TIMEOUT /
   * DEVICE_CHECKSUM / DEVICE_NAK; the screen then writes it again by itself while it is still the present text.
   */
  show(content: ScreenContent, opts: { urgent: boolean }): Promise<void>;
  /** Every colour and the screen's address; the next show() is always sent. */
  testPattern(): Promise<void>;
  /**
   * The screen may have lost what it showed (its line came back after an outage: a controller replaced,
   * powered off and on): the next show() is sent even if its text is the one last shown.
   */
  forget(): void;
  /**
   * From the outcome of its exchanges: `ok` once one was confirmed, `failing` while the present text is
   * written again after an unconfirmed one, `offline` after several in a row; `unknown` before the first.
   */
  readonly health: ScreenHealth;
  /** After every exchange's outcome (a write, a write again, a status poll), changed or not. */
  onHealth(listener: (health: ScreenHealth) => void): () => void;
  /** No more writes again nor polls (the agent is stopping). */
  stop(): void;
}

/** The called window's screen goes first (0); other updates wait behind calls (1). */
export function screenPriority(urgent: boolean): BusPriority {
  return urgent ? 0 : 1;
}

interface Pending {
  key: string;
  seq: number;
  urgent: boolean;
  promise: Promise<void>;
}

/**
 * Remembers what the screen shows. Only the newest request may record its content as shown, because
 * the bus may replace a queued older exchange (same coalescing key) by a newer one; an unknown state
 * (a failure, a test pattern) forgets, so the next show() is sent.
 */
export class ChangeGate {
  private shown: string | undefined;
  private latest: Pending | undefined;
  private seq = 0;

  run(key: string, urgent: boolean, send: () => Promise<void>): Promise<void> {
    const latest = this.latest;
    // The same content is already on its way at this priority or better: share its outcome.
    if (latest && latest.key === key && (latest.urgent || !urgent)) return latest.promise;
    if (!latest && this.shown === key) return Promise.resolve();
    const seq = ++this.seq;
    const promise = send().then(
      () => {
        if (this.latest?.seq === seq) {
          this.shown = key;
          this.latest = undefined;
        }
      },
      (err: unknown) => {
        if (this.latest?.seq === seq) {
          this.shown = undefined;
          this.latest = undefined;
        }
        throw err;
      },
    );
    this.latest = { key, seq, urgent, promise };
    return promise;
  }

  /** The screen is known to show `key` and nothing else is on its way: show(key) sends nothing. */
  shows(key: string): boolean {
    return !this.latest && this.shown === key;
  }

  /** Forget what is shown (e.g. after a test pattern or a controller restart). */
  forget(): void {
    this.shown = undefined;
  }

  get lastShownKey(): string | undefined {
    return this.shown;
  }
}
