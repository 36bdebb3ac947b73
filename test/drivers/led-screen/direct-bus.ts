/**
 * TEST ONLY. A stand-in for the RS-485 bus scheduler (written in parallel, drivers/rs485): it hands each
 * frame to one emulated device's hear(), runs the exchange's ReplyFramer and check over what comes back,
 * with the exchange's timeout and retries. hold()/release() queue exchanges so coalescing can be observed;
 * a replaced exchange's promise settles as the newer one's, as BusPort documents.
 */
import { HallqError, type ErrorCode } from '../../../drivers/common/error.js';
import type { EmulatedBusDevice } from '../../../drivers/rs485/bus-device.js';
import type { BusExchange, BusPort, BusPriority } from '../../../drivers/rs485/bus-port.js';

export interface SentFrame {
  frame: Buffer;
  priority: BusPriority;
  key: string | undefined;
}

interface Queued {
  x: BusExchange;
  settle: Array<{ resolve(v: Buffer | undefined): void; reject(e: unknown): void }>;
}

export class DirectBus implements BusPort {
  readonly sent: SentFrame[] = [];
  private held: Queued[] | undefined;

  constructor(private readonly device: EmulatedBusDevice) {}

  exchange(x: BusExchange): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const q: Queued = { x, settle: [{ resolve, reject }] };
      if (this.held) {
        const older = this.held.findIndex((h) => x.key !== undefined && h.x.key === x.key);
        if (older >= 0) {
          q.settle.unshift(...(this.held[older]?.settle ?? []));
          this.held.splice(older, 1);
        }
        this.held.push(q);
      } else this.run(q);
    });
  }

  /** Queue exchanges until release(). */
  hold(): void {
    this.held = [];
  }

  release(): void {
    const queue = this.held ?? [];
    this.held = undefined;
    for (const q of queue) this.run(q);
  }

  private run(q: Queued): void {
    this.attempts(q.x).then(
      (v) => q.settle.forEach((s) => s.resolve(v)),
      (e: unknown) => q.settle.forEach((s) => s.reject(e)),
    );
  }

  private async attempts(x: BusExchange): Promise<Buffer | undefined> {
    let failed: ErrorCode = 'DEVICE_TIMEOUT';
    for (let i = 0; i <= (x.retries ?? 0); i++) {
      this.sent.push({ frame: Buffer.from(x.frame), priority: x.priority, key: x.key });
      const r = await this.once(x);
      if (r === 'timeout') failed = 'DEVICE_TIMEOUT';
      else if (r === undefined) return undefined;
      else {
        const code = x.check?.(r);
        if (code === undefined) return r;
        failed = code;
      }
    }
    throw new HallqError(failed, `direct bus: ${failed}`, { key: x.key });
  }

  private once(x: BusExchange): Promise<Buffer | undefined | 'timeout'> {
    return new Promise((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      let rx = Buffer.alloc(0);
      let done = false;
      const finish = (v: Buffer | undefined | 'timeout'): void => {
        if (done) return;
        done = true;
        timers.forEach(clearTimeout);
        resolve(v);
      };
      const feed = (bytes: Buffer): void => {
        rx = Buffer.concat([rx, bytes]);
        const r = x.reply?.(rx);
        if (r) finish(r.frame);
      };
      setImmediate(() => {
        const replies = this.device.hear(Buffer.from(x.frame));
        if (!x.reply) return finish(undefined);
        for (const r of replies) {
          if (Buffer.isBuffer(r)) feed(r);
          else timers.push(setTimeout(() => feed(r.bytes), r.delayMs));
        }
      });
      if (x.reply) timers.push(setTimeout(() => finish('timeout'), x.timeoutMs ?? 100));
    });
  }
}
