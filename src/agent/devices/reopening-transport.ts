import { HallqError, isHallqError } from '../../../drivers/common/error.js';
import { silentLogger, type Logger } from '../../../drivers/common/logger.js';
import { errorWords } from '../../../drivers/common/system-words.js';
import { Listeners, type Transport } from '../../../drivers/common/transport.js';
import { backoffDelay, type Backoff } from './backoff.js';

export type LinkState = { up: true } | { up: false; error: Error; retryInMs: number };

/**
 * A Transport that stays the same object while the port behind it comes and goes: an unplugged
 * USB-serial adapter or printer is reopened with backoff, so the drivers (and the flows holding
 * them) never have to be rebuilt. open() never rejects: it starts keeping the link open and
 * resolves after the first attempt, up or not; `onLink` tells which.
 */
export class ReopeningTransport implements Transport {
  readonly description: string;
  private inner: Transport | undefined;
  private offInner: (() => void)[] = [];
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private readonly link = new Listeners<[LinkState]>();
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private keeping = false;
  private state: LinkState | undefined;
  /** Rejecters of writes under way on the current port, cut off when it goes. */
  private readonly inFlight = new Set<() => void>();

  constructor(
    private readonly make: () => Transport,
    description: string,
    private readonly backoff: Backoff,
    private readonly logger: Logger = silentLogger,
  ) {
    this.description = description;
  }

  get isOpen(): boolean {
    return this.inner?.isOpen ?? false;
  }

  /** The last state reported; undefined before the first attempt. */
  get linkState(): LinkState | undefined {
    return this.state;
  }

  onLink(fn: (s: LinkState) => void): () => void {
    return this.link.add(fn);
  }

  async open(): Promise<void> {
    if (this.keeping) return;
    this.keeping = true;
    this.attempt = 0;
    await this.tryOpen();
  }

  /** Written while the link is down: DEVICE_OFFLINE, so drivers report the device offline and keep going. */
  write(data: Uint8Array): Promise<void> {
    const inner = this.inner;
    if (!inner?.isOpen) return Promise.reject(this.offline());
    // A write cut off by the unplug is the same outage: TRANSPORT_CLOSED would make drivers stop for
    // good, and a write whose drain never completes on the dead port would hang a bus for good.
    return new Promise<void>((resolve, reject) => {
      const cut = (): void => reject(this.offline());
      this.inFlight.add(cut);
      inner.write(data).then(
        () => {
          this.inFlight.delete(cut);
          resolve();
        },
        (e: unknown) => {
          this.inFlight.delete(cut);
          reject(this.keeping && isHallqError(e, 'TRANSPORT_CLOSED') ? this.offline(e) : e);
        },
      );
    });
  }

  private offline(cause?: unknown): HallqError {
    return new HallqError('DEVICE_OFFLINE', `${this.description} is not connected (reopening)`, {}, cause === undefined ? undefined : { cause });
  }

  async close(): Promise<void> {
    this.keeping = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const inner = this.inner;
    this.detach();
    if (inner) await inner.close().catch(() => undefined);
    this.closed.emit(undefined);
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }

  /** Fired with the error each time the port is lost (not at a requested close of the inner port). */
  onClose(fn: (error?: Error) => void): () => void {
    return this.closed.add(fn);
  }

  private async tryOpen(): Promise<void> {
    this.timer = undefined;
    if (!this.keeping) return;
    const t = this.make();
    try {
      await t.open();
    } catch (e) {
      this.down(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (!this.keeping) {
      await t.close().catch(() => undefined);
      return;
    }
    this.inner = t;
    this.attempt = 0;
    this.offInner = [
      t.onData((chunk) => this.data.emit(chunk)),
      t.onClose((err) => {
        if (this.inner !== t) return;
        this.detach();
        if (!this.keeping) return;
        // A close nobody asked for is a loss even without an error (a TCP peer hanging up).
        const error = err ?? new Error('closed by the other side');
        // In words, never the add-on's raw text (tryout: `"err":"bad file descriptor"`).
        this.logger.warn({ link: this.description, reason: err === undefined ? 'closed by the other side' : errorWords(err).en }, 'device link lost; reopening');
        // Link state first, so whoever watches it knows why before the drivers react to the close.
        this.down(error);
        this.closed.emit(error);
      }),
    ];
    this.report({ up: true });
  }

  private down(error: Error): void {
    if (!this.keeping) return;
    const retryInMs = backoffDelay(this.backoff, this.attempt);
    this.attempt += 1;
    this.report({ up: false, error, retryInMs });
    this.timer = setTimeout(() => void this.tryOpen(), retryInMs);
    this.timer.unref();
  }

  private detach(): void {
    for (const off of this.offInner.splice(0)) off();
    this.inner = undefined;
    for (const cut of [...this.inFlight]) cut();
    this.inFlight.clear();
  }

  private report(s: LinkState): void {
    this.state = s;
    this.link.emit(s);
  }
}
