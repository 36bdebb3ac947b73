/**
 * Time as the bus and the line emulator see it: a monotonic clock in milliseconds and timers on it.
 * The real clock is performance.now() with setTimeout; the virtual clock lets tests step through the
 * wire-time model exactly (no sleeps, no timed assertions).
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls fn once, no earlier than ms from now. Returns its cancellation. */
  timer(fn: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  timer(fn, ms) {
    // setTimeout may fire a fraction of a millisecond early: re-arm until the clock agrees.
    const due = performance.now() + ms;
    let handle: NodeJS.Timeout;
    const fire = (): void => {
      const left = due - performance.now();
      if (left > 0) handle = setTimeout(fire, Math.ceil(left));
      else fn();
    };
    handle = setTimeout(fire, Math.max(0, Math.ceil(ms)));
    return () => clearTimeout(handle);
  },
};

/** Resolves at `t` on the clock (at once if it has passed). */
export function sleepUntil(clock: Clock, t: number): Promise<void> {
  const left = t - clock.now();
  if (left <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.timer(resolve, left));
}

/** Milliseconds one byte occupies the wire: 10 bit times at 8N1 (start, 8 data, stop). 9600 baud → 1.0417 ms. */
export function byteTimeMs(baudRate: number): number {
  return (10 * 1000) / baudRate;
}

/**
 * A clock that moves only when told. Timers due at the same instant fire in the order they were set.
 * advanceTo() lets pending I/O (setImmediate, promises) settle between timers, so code that mixes
 * in-memory transports with the clock runs as it would in real time, only deterministically.
 */
export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers: Array<{ at: number; seq: number; fn: () => void }> = [];

  now(): number {
    return this.t;
  }

  timer(fn: () => void, ms: number): () => void {
    const entry = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(entry);
    return () => {
      const i = this.timers.indexOf(entry);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** The time of the next pending timer, if any. */
  get nextDue(): number | undefined {
    let best: number | undefined;
    for (const e of this.timers) if (best === undefined || e.at < best) best = e.at;
    return best;
  }

  /** Lets pending I/O callbacks and promise chains run (several event-loop turns). */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  }

  /** Fires every timer due up to `t`, in time order, settling I/O after each; then the clock reads `t`. */
  async advanceTo(t: number): Promise<void> {
    await this.settle();
    for (;;) {
      let next: { at: number; seq: number; fn: () => void } | undefined;
      for (const e of this.timers) if (e.at <= t && (!next || e.at < next.at || (e.at === next.at && e.seq < next.seq))) next = e;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await this.settle();
    }
    this.t = Math.max(this.t, t);
    await this.settle();
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }
}
