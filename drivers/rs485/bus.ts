/**
 * The host's scheduler for one half-duplex RS-485 line: exactly one exchange on the wire at a time,
 * chosen by priority (0, then 1, then 2; FIFO within one), with coalescing, timeouts and retries.
 * A failed attempt goes back to the head of its priority, so a call waits behind at most one attempt.
 *
 * Calls preempt polling at the next frame boundary. Given `baudRate`, the bus knows when its own frame
 * has left the wire (n bytes × 10 bit times at 8N1): it hands the OS the next frame only then (so no
 * poll or refresh sits in the OS buffer ahead of a call), and a reply timeout counts from that moment.
 * A call submitted at time t is therefore fully on the wire by
 *
 *   t + R + turnaround + F,
 *
 * where F = the call frame's wire time (84 bytes at 9600 baud: 87.5 ms) and R = what is left of the
 * attempt in flight, at most: request wire time + (reply wire time, or the attempt's timeout if the
 * device stays silent). For a keypad poll at 9600 baud with the default compact frames (drivers/keypad):
 * 4-byte poll 4.2 ms + 3-byte idle reply 3.1 ms (+ the keypad's own answer delay), or 4.2 ms + the poll
 * timeout for a silent keypad (with FF 68 poll frames: 9 + 10 bytes, 19.8 ms); for a
 * screen refresh in flight: its frame + its reply. So a call's worst case is set by the longest exchange
 * a lower priority can put on the wire: keep poll timeouts short and poll frames small, and ask a device
 * that stopped answering seldom (the keypad driver: once every few seconds, without retries). Nothing is
 * ever cut: the bus is half-duplex and a device that was asked will answer.
 */
import { HallqError, type ErrorCode } from '../common/error.js';
import { hex, silentLogger, type Logger } from '../common/logger.js';
import { Listeners, type Transport } from '../common/transport.js';
import type { BusExchange, BusPort, BusPriority } from './bus-port.js';
import { byteTimeMs, realClock, sleepUntil, type Clock } from './clock.js';

export interface Rs485BusOptions {
  logger?: Logger;
  /** Per attempt, from the end of the request's transmission (its last byte on the wire when baudRate is given). */
  defaultTimeoutMs?: number;
  defaultRetries?: number;
  /**
   * Quiet time after each attempt before the next request (devices' transceivers switch back to receive).
   * Default: 3.5 character times when baudRate is given (Modbus RTU's inter-frame gap, 3.6 ms at 9600), else 5 ms.
   */
  turnaroundMs?: number;
  /**
   * The line's speed (8N1). When given, an exchange lasts until its frame's last byte has left the wire
   * (n × 10 / baudRate s after the write), so frames never queue in the OS ahead of a more urgent one.
   * Without it the bus treats a write as done when the OS accepted it (right for a TCP link).
   */
  baudRate?: number;
  /** Default: the real clock. Tests pass a VirtualClock. */
  clock?: Clock;
  /**
   * The host's adapter hears its own transmission (a two-wire adapter whose receiver stays on while it
   * sends): every frame written comes back, after the adapter's latency, ahead of any reply. With this set,
   * the bus takes each written frame's bytes back off what it reads, in order, before replies and
   * listeners see anything (as Modbus masters' "local echo" setting does). An echo that does not come, or
   * bytes that differ from it, end the expectation: what was read is then handled as the devices' own.
   * Without it, such an adapter's echo of an acknowledgement (the source keypad protocol acknowledges a
   * report by sending it back) reads as the report itself, again and again.
   */
  localEcho?: boolean;
}

export interface BusStats {
  /** Exchanges settled successfully. */
  exchanges: number;
  /** Attempts that got no (acceptable) reply and were sent again. */
  retries: number;
  /** Exchanges that ended with DEVICE_TIMEOUT. */
  timeouts: number;
  /** Replies framed but rejected by the exchange's check (bad checksum, NAK). */
  invalidReplies: number;
  /** Exchanges that ended with another error code (a check's code, a closed transport). */
  failures: number;
  /** Queued exchanges replaced by a newer one with the same key. */
  coalesced: number;
}

export interface DeviceTimeoutEvent {
  key?: string;
  priority: BusPriority;
  attempts: number;
  error: HallqError;
}

interface Waiter {
  resolve(this: void, settled: { frame: Buffer } | { failed: ErrorCode }): void;
}

interface Entry {
  x: BusExchange;
  priority: BusPriority;
  attempts: number;
  settle: Array<{ resolve(this: void, v: Buffer | undefined): void; reject(this: void, e: unknown): void }>;
}

const MAX_RX = 4096;

export class Rs485Bus implements BusPort {
  private readonly queues: [Entry[], Entry[], Entry[]] = [[], [], []];
  private running = false;
  private closed = false;
  private rx: Buffer = Buffer.alloc(0);
  private waiter: (Waiter & { x: BusExchange }) | undefined;
  private readonly heard = new Listeners<[Buffer]>();
  private readonly timeoutEvents = new Listeners<[DeviceTimeoutEvent]>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeClose: () => void;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly turnaroundMs: number;
  private readonly byteMs: number | undefined;
  private readonly clock: Clock;
  private readonly localEcho: boolean;
  /** Frames written whose echo has not been read back yet, oldest first (localEcho only). */
  private echoes: Buffer[] = [];
  /** Bytes read that match the start of the oldest echo so far, held until it is whole or differs. */
  private echoHeld: Buffer = Buffer.alloc(0);
  /** Bytes still to hand on as heard: the rest of an echo taken for damaged, the next one expected after them. */
  private echoPass = 0;
  /** An echo was taken for damaged since the last whole one: the next bytes that differ end every expectation. */
  private echoDamaged = false;
  readonly stats: BusStats = { exchanges: 0, retries: 0, timeouts: 0, invalidReplies: 0, failures: 0, coalesced: 0 };

  constructor(private readonly transport: Transport, options: Rs485BusOptions = {}) {
    this.log = (options.logger ?? silentLogger).child({ bus: transport.description });
    this.timeoutMs = options.defaultTimeoutMs ?? 200;
    this.retries = options.defaultRetries ?? 2;
    this.byteMs = options.baudRate === undefined ? undefined : byteTimeMs(options.baudRate);
    this.turnaroundMs = options.turnaroundMs ?? (this.byteMs === undefined ? 5 : 3.5 * this.byteMs);
    this.clock = options.clock ?? realClock;
    this.localEcho = options.localEcho ?? false;
    this.unsubscribe = transport.onData((chunk) => this.onData(chunk));
    // A port lost (and reopened by its owner) hands back nothing more of what it had sent: expect no echo of it.
    this.unsubscribeClose = transport.onClose(() => this.forgetEchoes());
  }

  /** Exchanges waiting (not counting the one on the wire). */
  get queued(): number {
    return this.queues[0].length + this.queues[1].length + this.queues[2].length;
  }

  exchange(x: BusExchange): Promise<Buffer | undefined> {
    if (this.closed) return Promise.reject(new HallqError('TRANSPORT_CLOSED', `bus ${this.transport.description} is closed`));
    return new Promise((resolve, reject) => {
      const entry: Entry = { x, priority: x.priority, attempts: 0, settle: [{ resolve, reject }] };
      if (x.key !== undefined && this.coalesce(entry)) return;
      this.queues[x.priority].push(entry);
      this.kick();
    });
  }

  listen(listener: (chunk: Buffer) => void): () => void {
    return this.heard.add(listener);
  }

  on(event: 'device-timeout', listener: (e: DeviceTimeoutEvent) => void): () => void {
    void event;
    return this.timeoutEvents.add(listener);
  }

  /** Rejects everything queued with TRANSPORT_CLOSED and stops listening. Does not close the transport (its owner does). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.unsubscribeClose();
    for (const q of this.queues) {
      for (const e of q.splice(0)) this.fail(e, new HallqError('TRANSPORT_CLOSED', `bus ${this.transport.description} closed`));
    }
    this.waiter?.resolve({ failed: 'TRANSPORT_CLOSED' });
  }

  /** Replace a queued exchange with the same key; the newer inherits the older's promises (and place, if the priority is the same). */
  private coalesce(entry: Entry): boolean {
    for (const q of this.queues) {
      const i = q.findIndex((e) => e.x.key === entry.x.key);
      if (i < 0) continue;
      const old = q[i] as Entry;
      entry.settle.unshift(...old.settle);
      entry.priority = Math.min(old.priority, entry.priority) as BusPriority;
      this.stats.coalesced++;
      if (entry.priority === old.priority) q[i] = entry;
      else {
        q.splice(i, 1);
        this.queues[entry.priority].push(entry);
      }
      this.kick();
      return true;
    }
    return false;
  }

  private kick(): void {
    if (!this.running) void this.run();
  }

  private take(): Entry | undefined {
    for (const q of this.queues) {
      const e = q.shift();
      if (e) return e;
    }
    return undefined;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const e = this.take();
        if (!e) break;
        await this.attempt(e);
        if (this.turnaroundMs > 0) await sleepUntil(this.clock, this.clock.now() + this.turnaroundMs);
      }
    } catch (err) {
      this.log.error({ err }, 'bus scheduler failed');
    } finally {
      this.running = false;
    }
  }

  private async attempt(e: Entry): Promise<void> {
    const x = e.x;
    e.attempts++;
    this.rx = Buffer.alloc(0);
    let outcome: Promise<{ frame: Buffer } | { failed: ErrorCode }> | undefined;
    if (x.reply) {
      outcome = new Promise((resolve) => {
        this.waiter = { x, resolve };
      });
    }
    this.log.debug({ tx: hex(x.frame), key: x.key, priority: e.priority, attempt: e.attempts }, 'bus write');
    // When the frame's last byte leaves the wire (only known when the baud rate is).
    const wireEnd = this.clock.now() + (this.byteMs ?? 0) * x.frame.length;
    const echo = this.localEcho ? Buffer.from(x.frame) : undefined;
    if (echo) this.echoes.push(echo);
    try {
      await this.transport.write(x.frame);
      if (!outcome) await sleepUntil(this.clock, wireEnd);
    } catch (err) {
      this.waiter = undefined;
      // A frame the transport refused never left: no echo of it comes (else it would hide the next one's).
      if (echo) this.echoes = this.echoes.filter((b) => b !== echo);
      this.fail(e, err instanceof HallqError ? err : new HallqError('TRANSPORT_CLOSED', String(err), {}, { cause: err }));
      return;
    }
    if (!outcome) {
      this.succeed(e, undefined);
      return;
    }
    const timeoutMs = x.timeoutMs ?? this.timeoutMs;
    let cancel: (() => void) | undefined;
    const result = await Promise.race([
      outcome,
      new Promise<{ failed: ErrorCode }>((resolve) => {
        cancel = this.clock.timer(() => resolve({ failed: 'DEVICE_TIMEOUT' }), Math.max(0, wireEnd - this.clock.now()) + timeoutMs);
      }),
    ]);
    cancel?.();
    this.waiter = undefined;
    if ('frame' in result) {
      this.succeed(e, result.frame);
      return;
    }
    if (result.failed === 'TRANSPORT_CLOSED') {
      this.fail(e, new HallqError('TRANSPORT_CLOSED', `bus ${this.transport.description} closed`));
      return;
    }
    if (result.failed !== 'DEVICE_TIMEOUT') this.stats.invalidReplies++;
    const retries = x.retries ?? this.retries;
    if (e.attempts <= retries && !this.closed) {
      this.stats.retries++;
      this.log.debug({ key: x.key, attempt: e.attempts, reason: result.failed }, 'bus retry');
      this.queues[e.priority].unshift(e);
      return;
    }
    const details = { key: x.key, attempts: e.attempts, timeoutMs };
    const error =
      result.failed === 'DEVICE_TIMEOUT'
        ? new HallqError('DEVICE_TIMEOUT', `no reply on ${this.transport.description} after ${e.attempts} attempt(s)`, details)
        : new HallqError(result.failed, `bad reply on ${this.transport.description} (${result.failed}) after ${e.attempts} attempt(s)`, details);
    if (error.code === 'DEVICE_TIMEOUT') {
      this.stats.timeouts++;
      this.timeoutEvents.emit({ ...(x.key === undefined ? {} : { key: x.key }), priority: e.priority, attempts: e.attempts, error });
    }
    this.log.warn({ key: x.key, code: error.code, attempts: e.attempts }, 'bus exchange failed');
    this.fail(e, error);
  }

  private succeed(e: Entry, v: Buffer | undefined): void {
    this.stats.exchanges++;
    for (const s of e.settle) s.resolve(v);
  }

  private fail(e: Entry, err: HallqError): void {
    if (err.code !== 'DEVICE_TIMEOUT') this.stats.failures++;
    for (const s of e.settle) s.reject(err);
  }

  private forgetEchoes(): void {
    this.echoes = [];
    this.echoHeld = Buffer.alloc(0);
    this.echoPass = 0;
    this.echoDamaged = false;
  }

  /**
   * What of `chunk` is not the echo of our own frames (localEcho): each expected echo is taken off the
   * front as it completes; a partial match is held until it completes or differs. Bytes that differ end
   * every expectation (an adapter that does not echo, or lost bytes) and are returned with what was held,
   * except when another echo is expected after that one and none was found damaged since the last whole
   * echo: then the differing one is taken for an echo damaged on the line (its length of bytes is returned
   * as heard, where a framer drops it by its checksum) and the next echo is looked for right after it.
   */
  private withoutEcho(chunk: Buffer): Buffer {
    let data = this.echoHeld.length > 0 ? Buffer.concat([this.echoHeld, chunk]) : chunk;
    this.echoHeld = Buffer.alloc(0);
    const out: Buffer[] = [];
    while (data.length > 0) {
      if (this.echoPass > 0) {
        const p = Math.min(this.echoPass, data.length);
        out.push(data.subarray(0, p));
        this.echoPass -= p;
        data = data.subarray(p);
        continue;
      }
      const echo = this.echoes[0];
      if (!echo) break;
      const n = Math.min(echo.length, data.length);
      if (!data.subarray(0, n).equals(echo.subarray(0, n))) {
        this.log.debug({ expected: hex(echo), rx: hex(data.subarray(0, n)) }, 'bus echo not heard');
        if (this.echoes.length > 1 && !this.echoDamaged) {
          this.echoDamaged = true;
          this.echoes.shift();
          this.echoPass = echo.length;
          continue;
        }
        this.echoes = [];
        this.echoDamaged = false;
        break;
      }
      if (n < echo.length) {
        this.echoHeld = data;
        data = Buffer.alloc(0);
        break;
      }
      this.echoes.shift();
      this.echoDamaged = false;
      data = data.subarray(n);
    }
    out.push(data);
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  private onData(raw: Buffer): void {
    const chunk = this.localEcho ? this.withoutEcho(raw) : raw;
    if (chunk.length === 0) return;
    this.heard.emit(chunk);
    const w = this.waiter;
    if (!w?.x.reply) return; // nobody asked: another device's talk or a late reply
    this.log.debug({ rx: hex(chunk) }, 'bus read');
    this.rx = Buffer.concat([this.rx, chunk]);
    if (this.rx.length > MAX_RX) this.rx = this.rx.subarray(this.rx.length - MAX_RX);
    let r: { frame: Buffer; consumed: number } | undefined;
    try {
      r = w.x.reply(this.rx);
    } catch (err) {
      this.log.error({ err }, 'reply framer threw (it must not)');
      return;
    }
    if (!r) return;
    this.rx = this.rx.subarray(Math.max(0, r.consumed));
    let code: ErrorCode | undefined;
    try {
      code = w.x.check?.(r.frame);
    } catch {
      code = 'INTERNAL';
    }
    this.waiter = undefined;
    w.resolve(code === undefined ? { frame: r.frame } : { failed: code });
  }
}
