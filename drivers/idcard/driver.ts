/**
 * SamCardReader: the host side of the GA 467 SAM protocol over an injected Transport.
 * One command at a time with a timeout; a poll loop (find → select → read) that reports each
 * card insertion once; status checks as health. Personal data never reaches the logger.
 */
import { EventEmitter } from 'node:events';
import { HallqError, isHallqError, type ErrorCode } from '../common/error.js';
import { hex, silentLogger, type Logger } from '../common/logger.js';
import type { Transport } from '../common/transport.js';
import { decodeAppendedAddress, decodeReadData, type IdCardData } from './card-data.js';
import {
  SAM_COMMANDS,
  SamFramer,
  encodeBaudSwitch,
  encodeRequest,
  type SamBaudRate,
  type SamCommandName,
  type SamFrameError,
  type SamReply,
} from './sam-codec.js';

export interface SamReaderOptions {
  logger?: Logger;
  /** Per command (default 5000 ms, the protocol's figure). */
  timeoutMs?: number;
  /** Between poll cycles (default 1000 ms). */
  pollIntervalMs?: number;
  /** Between status checks (default 5000 ms). */
  statusIntervalMs?: number;
  /** Read with 30 10 (text + photo + fingerprint) instead of 30 01. */
  withFingerprint?: boolean;
  /**
   * A card already on the reader at the first answered find is not read (default false: read): it was
   * placed before this program started, maybe read and used by the run before it, and a reader reads a
   * card once per placing; lifted and placed again, it is read.
   */
  skipCardAtStart?: boolean;
}

export interface SamHealth {
  ok: boolean;
  error?: HallqError;
}

export interface SamReaderEvents {
  card: [card: IdCardData];
  removed: [];
  error: [error: HallqError];
  health: [health: SamHealth];
}

type CommandLabel = SamCommandName | 'baud';

/** Replies that may carry personal data: logged by length only. */
const PERSONAL: ReadonlySet<CommandLabel> = new Set(['readText', 'readWithFingerprint', 'readAppendedAddress', 'findCard', 'selectCard']);

interface Pending {
  label: CommandLabel;
  resolve(reply: SamReply): void;
  reject(error: HallqError): void;
  timer: NodeJS.Timeout;
}

/** Statuses that say the reader itself is unwell, as opposed to "no card" or "card unreadable". */
const READER_FAULTS = new Set(['checksum-error', 'length-error', 'bad-command', 'unknown-error', 'self-test-failed', 'not-authorised', 'unrecognised']);

export class SamCardReader extends EventEmitter<SamReaderEvents> {
  protected readonly log: Logger;
  private readonly framer = new SamFramer('reply');
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly statusIntervalMs: number;
  private readonly withFingerprint: boolean;
  private pending: Pending | undefined;
  /** Serialises operations (a poll cycle or a public call), so their commands never interleave. */
  private ops: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private cycleDone: Promise<void> = Promise.resolve();
  private lastStatusAt = Number.NEGATIVE_INFINITY;
  private lastPollError: string | undefined;
  private present = false;
  /** Whether a find has been answered since construction (skipCardAtStart). */
  private answered = false;
  private readonly skipCardAtStart: boolean;
  private healthy: boolean | undefined;
  private closing = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    protected readonly transport: Transport,
    options: SamReaderOptions = {},
  ) {
    super();
    this.log = (options.logger ?? silentLogger).child({ driver: 'idcard', transport: transport.description });
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.statusIntervalMs = options.statusIntervalMs ?? 5000;
    this.withFingerprint = options.withFingerprint ?? false;
    this.skipCardAtStart = options.skipCardAtStart ?? false;
    this.unsubscribe.push(
      transport.onData((chunk) => this.onData(chunk)),
      transport.onClose((err) => this.onClose(err)),
    );
  }

  /** True between a successful read and the card's removal. */
  get cardPresent(): boolean {
    return this.present;
  }

  /** Opens the transport if needed and starts polling. */
  async start(): Promise<void> {
    if (!this.transport.isOpen) await this.transport.open();
    if (this.polling) return;
    this.polling = true;
    this.schedule(0);
  }

  /** Stops polling and waits for the cycle under way. */
  async stop(): Promise<void> {
    this.polling = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.cycleDone;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.polling = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.failPending(new HallqError('TRANSPORT_CLOSED', 'reader closed'));
    await this.cycleDone;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.transport.close();
  }

  // ── public commands (each runs alone) ────────────────────────────────────────

  reset(): Promise<void> {
    return this.exclusive(async () => {
      this.expectOk(await this.send('reset'), 'reset');
    });
  }

  /** Rejects unless the reader answers 90. */
  status(): Promise<void> {
    return this.exclusive(async () => {
      this.expectOk(await this.send('status'), 'status');
    });
  }

  /** ⚠ The 16 SAM id bytes as hex; their printed layout (05.01-…) is vendor lore. */
  readSamId(): Promise<string> {
    return this.exclusive(async () => this.expectOk(await this.send('readSamId'), 'readSamId').data.toString('hex'));
  }

  /** Sends CMD 60; the reader answers at the old rate, then the caller reopens the transport at `rate`. */
  setBaudRate(rate: SamBaudRate): Promise<void> {
    return this.exclusive(async () => {
      this.expectOk(await this.sendFrame('baud', encodeBaudSwitch(rate)), 'baud');
    });
  }

  findCard(): Promise<boolean> {
    return this.exclusive(() => this.find());
  }

  /** One-shot find → select → read, outside the poll loop's bookkeeping. */
  readCard(): Promise<IdCardData> {
    return this.exclusive(async () => {
      if (!(await this.find())) throw new HallqError('CARD_ABSENT', 'no card on the reader');
      return this.selectAndRead();
    });
  }

  /** The latest appended address (30 03), or undefined when the card has none. Needs a selected card. */
  readAppendedAddress(): Promise<string | undefined> {
    return this.exclusive(async () => {
      const reply = await this.send('readAppendedAddress');
      if (reply.status === 'no-content') return undefined;
      return decodeAppendedAddress(this.expectOk(reply, 'readAppendedAddress').data);
    });
  }

  // ── poll loop ────────────────────────────────────────────────────────────────

  private schedule(delay: number): void {
    if (!this.polling) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.cycleDone = this.exclusive(() => this.cycle()).then(
        () => this.schedule(this.pollIntervalMs),
        () => this.schedule(this.pollIntervalMs),
      );
    }, delay);
  }

  private async cycle(): Promise<void> {
    if (!this.polling) return;
    try {
      if (Date.now() - this.lastStatusAt >= this.statusIntervalMs) {
        this.lastStatusAt = Date.now();
        this.expectOk(await this.send('status'), 'status');
      }
      await this.cardCycle();
      this.lastPollError = undefined;
    } catch (e) {
      this.pollError(toHallqError(e));
    }
  }

  private async cardCycle(): Promise<void> {
    const found = await this.find();
    const first = !this.answered;
    this.answered = true;
    if (found) {
      if (this.present) return; // the same card still lies there
      if (first && this.skipCardAtStart) {
        this.present = true;
        this.log.warn({}, 'a card lay on the reader when it started: not read; lift it and place it again');
        return;
      }
      const card = await this.selectAndRead();
      this.present = true;
      this.log.info({ withFingerprint: this.withFingerprint }, 'card read');
      this.emit('card', card);
      return;
    }
    if (!this.present) return;
    // Some readers stop answering find for a card already read (ISO 14443-B HALT): ask select before declaring it gone.
    if (await this.select()) return;
    this.present = false;
    this.log.info({}, 'card removed');
    this.emit('removed');
  }

  /** The same error repeating every cycle is reported once, until a cycle succeeds. */
  private pollError(error: HallqError): void {
    if (this.closing) return; // a requested close is not a fault
    const key = `${error.code}:${String(error.details?.['status'] ?? '')}`;
    if (key === this.lastPollError) return;
    this.lastPollError = key;
    this.emitError(error);
  }

  private emitError(error: HallqError): void {
    this.log.warn({ code: error.code, status: error.details?.['status'] }, error.message);
    // An EventEmitter throws on an unheard 'error'; a daemon must not die of a card reader.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  // ── card steps ───────────────────────────────────────────────────────────────

  private async find(): Promise<boolean> {
    const reply = await this.send('findCard');
    if (reply.status === 'card-found') return true;
    if (reply.status === 'find-failed') return false;
    throw statusError('DEVICE_NAK', 'findCard', reply);
  }

  private async select(): Promise<boolean> {
    const reply = await this.send('selectCard');
    if (reply.status === 'ok') return true;
    if (reply.status === 'select-failed') return false;
    throw statusError('DEVICE_NAK', 'selectCard', reply);
  }

  /** Select and read; a failure is CARD_REMOVED if the card has gone, else the failure itself. */
  private async selectAndRead(): Promise<IdCardData> {
    try {
      if (!(await this.select())) throw new HallqError('CARD_READ_FAILED', 'select failed', { status: 'select-failed' });
      return await this.read();
    } catch (e) {
      const error = toHallqError(e);
      if (!isCardTrouble(error)) throw error;
      if (await this.stillThere()) throw error;
      throw new HallqError('CARD_REMOVED', 'card removed during the read', { after: error.code }, { cause: error });
    }
  }

  private async read(): Promise<IdCardData> {
    const label = this.withFingerprint ? 'readWithFingerprint' : 'readText';
    const reply = await this.send(label);
    if (reply.status === 'read-failed') throw new HallqError('CARD_READ_FAILED', 'the reader could not read the card', { status: reply.status });
    if (reply.status !== 'ok') throw statusError(READER_FAULTS.has(reply.status) ? 'DEVICE_NAK' : 'CARD_READ_FAILED', label, reply);
    const decoded = decodeReadData(reply.data, this.withFingerprint);
    if (decoded.type !== 'card') throw new HallqError('CARD_READ_FAILED', `malformed read reply: ${decoded.type}`, { reason: decoded.type });
    return decoded.card;
  }

  /** Whether a card still answers find or select; unknown (a failing probe) counts as there. */
  private async stillThere(): Promise<boolean> {
    try {
      return (await this.find()) || (await this.select());
    } catch {
      return true;
    }
  }

  private expectOk(reply: SamReply, label: CommandLabel): SamReply {
    if (reply.status !== 'ok') throw statusError('DEVICE_NAK', label, reply);
    return reply;
  }

  // ── request/response ─────────────────────────────────────────────────────────

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.ops.then(fn, fn);
    this.ops = run.catch(() => undefined);
    return run;
  }

  private send(label: SamCommandName): Promise<SamReply> {
    const c = SAM_COMMANDS[label];
    return this.sendFrame(label, encodeRequest(c.cmd, c.para));
  }

  private sendFrame(label: CommandLabel, frame: Buffer): Promise<SamReply> {
    if (this.closing) return Promise.reject(new HallqError('TRANSPORT_CLOSED', 'reader closed'));
    if (this.pending) return Promise.reject(new HallqError('INTERNAL', 'a command is already in flight'));
    if (!this.transport.isOpen) return Promise.reject(new HallqError('TRANSPORT_CLOSED', `${this.transport.description} is closed`));
    return new Promise<SamReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        // A late reply must not be taken for the next command's: drop what was half received.
        this.framer.reset();
        this.settleHealth(false, new HallqError('DEVICE_TIMEOUT', `no reply to ${label} within ${this.timeoutMs} ms`, { command: label }));
        reject(new HallqError('DEVICE_TIMEOUT', `no reply to ${label} within ${this.timeoutMs} ms`, { command: label }));
      }, this.timeoutMs);
      this.pending = { label, resolve, reject, timer };
      this.log.debug({ command: label, bytes: hex(frame) }, 'request');
      this.transport.write(frame).catch((err: unknown) => this.failPending(toHallqError(err)));
    });
  }

  private onData(chunk: Buffer): void {
    for (const msg of this.framer.push(chunk)) {
      if (msg.type === 'reply') this.onReply(msg);
      else this.onFrameError(msg);
    }
  }

  private onReply(reply: SamReply): void {
    const p = this.pending;
    if (!p) {
      this.log.debug({ status: reply.status, length: reply.data.length }, 'reply with no command waiting, dropped');
      return;
    }
    clearTimeout(p.timer);
    this.pending = undefined;
    if (PERSONAL.has(p.label)) this.log.debug({ command: p.label, status: reply.status, length: reply.data.length }, 'reply');
    else this.log.debug({ command: p.label, status: reply.status, bytes: hex(reply.data) }, 'reply');
    const readerFault = READER_FAULTS.has(reply.status);
    this.settleHealth(!readerFault, readerFault ? statusError('DEVICE_NAK', p.label, reply) : undefined);
    p.resolve(reply);
  }

  private onFrameError(error: SamFrameError): void {
    this.log.debug({ ...error }, 'bad frame');
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    const err = new HallqError('DEVICE_CHECKSUM', error.type === 'bad-checksum' ? `bad checksum in the reply to ${p.label}` : `bad length in the reply to ${p.label}`, {
      command: p.label,
      kind: error.type,
    });
    this.settleHealth(false, err);
    p.reject(err);
  }

  private failPending(error: HallqError): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    p.reject(error);
  }

  private onClose(err?: Error): void {
    this.polling = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const error = new HallqError('TRANSPORT_CLOSED', `${this.transport.description} closed`, {}, err ? { cause: err } : undefined);
    this.failPending(error);
    if (err) this.emitError(error);
  }

  private settleHealth(ok: boolean, error?: HallqError): void {
    if (this.healthy === ok) return;
    this.healthy = ok;
    this.emit('health', ok ? { ok } : { ok, ...(error ? { error } : {}) });
  }
}

function statusError(code: ErrorCode, label: CommandLabel, reply: SamReply): HallqError {
  return new HallqError(code, `reader answered ${label} with ${reply.status} (SW3 ${reply.sw3.toString(16).padStart(2, '0')})`, {
    command: label,
    status: reply.status,
    sw3: reply.sw3,
  });
}

/** Errors after which the card may simply have been lifted. */
function isCardTrouble(e: HallqError): boolean {
  return e.code === 'CARD_READ_FAILED' || e.code === 'DEVICE_TIMEOUT' || e.code === 'DEVICE_CHECKSUM';
}

function toHallqError(e: unknown): HallqError {
  if (isHallqError(e)) return e;
  return new HallqError('INTERNAL', e instanceof Error ? e.message : String(e), {}, { cause: e });
}
