/**
 * The kernel usblp character device (/dev/usb/lp*) behind the Transport interface: raw bytes
 * through fs, no native module. Reading status back needs a bidirectional printer, so it is
 * opt-in; when on, the device is opened non-blocking and polled, because usblp allows one open
 * at a time and a blocking read would pin a libuv pool thread for as long as the printer is silent.
 */
import { constants } from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { HallqError } from '../common/error.js';
import { errnoOf, systemWords } from '../common/system-words.js';
import { Listeners, type Transport } from '../common/transport.js';

export interface ChardevOptions {
  path: string;
  /** Read status replies back (bidirectional usblp). Default false: write only. */
  readBack?: boolean;
  /** How often to poll for reply bytes when readBack is on. */
  readPollMs?: number;
  /** Retry delay when a non-blocking write finds the device busy (EAGAIN). */
  busyRetryMs?: number;
}

export class ChardevTransport implements Transport {
  readonly description: string;
  /** The driver reads this to decide whether status can be asked at all. */
  readonly bidirectional: boolean;
  private handle: FileHandle | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reading = false;
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private readonly readPollMs: number;
  private readonly busyRetryMs: number;

  constructor(private readonly options: ChardevOptions) {
    this.description = options.path;
    this.bidirectional = options.readBack ?? false;
    this.readPollMs = options.readPollMs ?? 20;
    this.busyRetryMs = options.busyRetryMs ?? 5;
  }

  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  async open(): Promise<void> {
    const flags = this.bidirectional ? constants.O_RDWR | constants.O_NONBLOCK : constants.O_WRONLY;
    try {
      this.handle = await fsp.open(this.options.path, flags);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const w = systemWords(errnoOf(e));
      throw new HallqError('TRANSPORT_OPEN_FAILED', `cannot open ${this.description}: ${w.en}`, { path: this.options.path, messageZh: `无法打开 ${this.description}：${w.zh}` }, { cause: err });
    }
    if (this.bidirectional) this.schedulePoll();
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const handle = this.handle;
      if (!handle) throw new HallqError('TRANSPORT_CLOSED', `${this.description} is closed`);
      try {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EAGAIN') {
          await new Promise((r) => setTimeout(r, this.busyRetryMs));
          continue;
        }
        await this.fail(e);
        throw new HallqError('TRANSPORT_CLOSED', `write to ${this.description} failed: ${e.code ?? e.message}`, {}, { cause: err });
      }
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.stopPoll();
    this.handle = undefined;
    await handle.close().catch(() => undefined);
    this.closed.emit(undefined);
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }
  onClose(fn: (error?: Error) => void): () => void {
    return this.closed.add(fn);
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => void this.poll(), this.readPollMs);
    this.pollTimer.unref();
  }

  private stopPoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async poll(): Promise<void> {
    const handle = this.handle;
    if (!handle || this.reading) return;
    this.reading = true;
    try {
      const buf = Buffer.alloc(64);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead > 0) this.data.emit(buf.subarray(0, bytesRead));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // EAGAIN: nothing to read yet. Anything else (ENODEV on unplug) ends the link.
      if (e.code !== 'EAGAIN') {
        this.reading = false;
        await this.fail(e);
        return;
      }
    }
    this.reading = false;
    if (this.handle === handle) this.schedulePoll();
  }

  private async fail(error: Error): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.stopPoll();
    this.handle = undefined;
    await handle.close().catch(() => undefined);
    this.closed.emit(error);
  }
}
