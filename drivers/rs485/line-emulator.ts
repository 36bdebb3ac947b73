/**
 * The device side of one RS-485 line: any number of emulated devices, one talker at a time, with the
 * wire's real speed. A byte takes 10 bit times at 8N1 (1.04 ms at 9600 baud), in both directions.
 * A pty (or an in-memory pair) delivers instantly, so this class models the wire both ways:
 * - host → devices: a chunk of n bytes that the transport hands over at time t is heard by the devices
 *   (their hear() is called) only at arrival = max(t, end of the previous chunk) + n × byte time, the
 *   moment its last byte would have finished on the wire. A screen therefore shows a frame one frame's
 *   wire time after the host wrote it, not when the pty delivered it.
 * - devices → host: a reply starts no earlier than the request's arrival (plus a DelayedReply's delay),
 *   and its k-th byte is handed to the OS no earlier than start + k byte times.
 */
import { hex, silentLogger, type Logger } from '../common/logger.js';
import type { Transport } from '../common/transport.js';
import type { DelayedReply, EmulatedBusDevice } from './bus-device.js';
import { byteTimeMs, realClock, type Clock } from './clock.js';

export interface LineEmulatorOptions {
  baudRate: number;
  logger?: Logger;
  /** Quiet time after the last traffic before a push-mode device may talk unprompted; default 3.5 characters (as Modbus RTU). */
  idleGapMs?: number;
  /** Largest slice written at once; smaller is smoother, larger uses fewer timers. */
  sliceBytes?: number;
  /** Default: the real clock. Tests pass a VirtualClock to step through the wire-time model. */
  clock?: Clock;
}

export interface LineStats {
  bytesHeard: number;
  bytesSent: number;
  replies: number;
  spontaneous: number;
}

interface Outgoing {
  from: string;
  /** The device talking and its power-up when it made the frame: it stops talking when it loses power. */
  device: EmulatedBusDevice;
  epoch: number | undefined;
  bytes: Buffer;
  /** Clock time before which it may not start. */
  notBefore: number;
  spontaneous: boolean;
}

export class Rs485LineEmulator {
  private readonly devices = new Map<EmulatedBusDevice, () => void>();
  private readonly queue: Outgoing[] = [];
  private readonly log: Logger;
  private readonly byteMs: number;
  private readonly idleGapMs: number;
  private readonly sliceBytes: number;
  private readonly clock: Clock;
  /** When the line stops carrying the host's bytes (as the device's UART would receive them). */
  private rxBusyUntil = 0;
  /** Host chunks on their way over the wire, oldest first, each with its arrival time. */
  private readonly inbound: Array<{ chunk: Buffer; at: number }> = [];
  private inboundTimer: (() => void) | undefined;
  private heardAt = 0;
  private pumping = false;
  private running = false;
  private unsubscribe: (() => void) | undefined;
  private timer: { cancel: () => void; wake: () => void } | undefined;
  readonly stats: LineStats = { bytesHeard: 0, bytesSent: 0, replies: 0, spontaneous: 0 };

  constructor(private readonly transport: Transport, options: LineEmulatorOptions) {
    this.log = (options.logger ?? silentLogger).child({ line: transport.description });
    this.byteMs = byteTimeMs(options.baudRate);
    this.idleGapMs = options.idleGapMs ?? 3.5 * this.byteMs;
    this.sliceBytes = Math.max(1, options.sliceBytes ?? 4);
    this.clock = options.clock ?? realClock;
  }

  /**
   * The wire arrival time (clock ms) of the host chunk the devices heard last: read it inside a device's
   * hear() or an emulator's change event to know when the frame's last byte finished on the wire.
   */
  get lastHeardAt(): number {
    return this.heardAt;
  }

  /** Milliseconds one byte occupies the wire (10 bit times at 8N1). */
  get byteTimeMs(): number {
    return this.byteMs;
  }

  /** Adds a device to the line; returns its removal. */
  add(device: EmulatedBusDevice): () => void {
    const off =
      device.onSpontaneous?.((frame) => {
        this.enqueue({ from: device.name, device, epoch: device.powerEpoch?.(), bytes: Buffer.from(frame), notBefore: this.clock.now(), spontaneous: true });
      }) ?? (() => {});
    this.devices.set(device, off);
    return () => {
      off();
      this.devices.delete(device);
    };
  }

  get deviceNames(): string[] {
    return [...this.devices.keys()].map((d) => d.name);
  }

  /** Starts listening to the host. The transport must be open; its owner closes it. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.transport.onData((chunk) => this.onData(chunk));
  }

  /** Stops listening and drops whatever was waiting to be sent or heard. */
  stop(): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.queue.length = 0;
    this.inbound.length = 0;
    this.inboundTimer?.();
    this.inboundTimer = undefined;
    if (this.timer) {
      this.timer.cancel();
      this.timer.wake();
    }
  }

  private onData(chunk: Buffer): void {
    this.stats.bytesHeard += chunk.length;
    // The pty handed the bytes over at once; on the wire they arrive one byte-time apart.
    this.rxBusyUntil = Math.max(this.clock.now(), this.rxBusyUntil) + chunk.length * this.byteMs;
    this.inbound.push({ chunk, at: this.rxBusyUntil });
    this.deliverDue();
  }

  /** Hands every chunk whose last byte has arrived to the devices, in order; re-arms for the next. */
  private deliverDue(): void {
    this.inboundTimer?.();
    this.inboundTimer = undefined;
    while (this.running) {
      const next = this.inbound[0];
      if (!next) return;
      const left = next.at - this.clock.now();
      if (left > 0) {
        this.inboundTimer = this.clock.timer(() => {
          this.inboundTimer = undefined;
          this.deliverDue();
        }, left);
        return;
      }
      this.inbound.shift();
      this.hearAll(next.chunk, next.at);
    }
  }

  private hearAll(chunk: Buffer, heardAt: number): void {
    this.heardAt = heardAt;
    for (const device of this.devices.keys()) {
      let replies: (Buffer | DelayedReply)[] = [];
      try {
        replies = device.hear(chunk);
      } catch (err) {
        this.log.error({ err, device: device.name }, 'emulated device threw (it must not)');
      }
      for (const r of replies) {
        const bytes = Buffer.isBuffer(r) ? r : r.bytes;
        const delay = Buffer.isBuffer(r) ? 0 : r.delayMs;
        this.enqueue({ from: device.name, device, epoch: device.powerEpoch?.(), bytes, notBefore: heardAt + delay, spontaneous: false });
      }
    }
  }

  private enqueue(o: Outgoing): void {
    if (!this.running || o.bytes.length === 0) return;
    // Replies go before unprompted frames, which wait for a quiet line anyway.
    const i = o.spontaneous ? -1 : this.queue.findIndex((q) => q.spontaneous);
    if (i < 0) this.queue.push(o);
    else this.queue.splice(i, 0, o);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running) {
        const next = this.queue[0];
        if (!next) break;
        const ready = next.spontaneous ? Math.max(next.notBefore, this.rxBusyUntil + this.idleGapMs) : next.notBefore;
        if (this.clock.now() < ready) {
          // Re-evaluated after the wait: the host may have talked meanwhile, or a reply may have jumped the queue.
          await this.waitUntil(ready);
          continue;
        }
        this.queue.shift();
        await this.transmit(next);
      }
    } catch (err) {
      this.log.error({ err }, 'line emulator transmit failed');
    } finally {
      this.pumping = false;
    }
  }

  /** Writes paced so that byte k (1-based) is not handed over before start + k byte-times. */
  private async transmit(o: Outgoing): Promise<void> {
    const start = this.clock.now();
    this.log.debug({ from: o.from, tx: hex(o.bytes) }, 'line write');
    for (let sent = 0; sent < o.bytes.length && this.running; ) {
      const end = Math.min(o.bytes.length, sent + this.sliceBytes);
      await this.waitUntil(start + end * this.byteMs);
      if (!this.running) return;
      if (o.device.powerEpoch?.() !== o.epoch) {
        // The device lost power (or was powered off and on) before this slice left it.
        this.log.debug({ from: o.from, sent, of: o.bytes.length }, 'line write cut: the device lost power');
        return;
      }
      try {
        await this.transport.write(o.bytes.subarray(sent, end));
      } catch (err) {
        this.log.warn({ err, from: o.from }, 'line write failed');
        return;
      }
      this.stats.bytesSent += end - sent;
      sent = end;
    }
    if (o.spontaneous) this.stats.spontaneous++;
    else this.stats.replies++;
  }

  private async waitUntil(t: number): Promise<void> {
    while (this.running) {
      const left = t - this.clock.now();
      if (left <= 0) return;
      await new Promise<void>((wake) => {
        this.timer = { cancel: this.clock.timer(wake, left), wake };
      });
      this.timer = undefined;
    }
  }
}
