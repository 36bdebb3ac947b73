/**
 * The reader's side of the SAM protocol, for tests, the demo and technicians' rehearsals
 * (`hallq emulate idcard --pty`). Cards are placed and removed at run time; faults switch on and off.
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Transport } from '../common/transport.js';
import { encodeAppendedAddress, encodeCardText, encodeReadData } from './card-data.js';
import {
  BAUD_COMMAND,
  SAM_COMMANDS,
  SW3,
  SamFramer,
  baudRateOfPara,
  encodeReply,
  type SamBaudRate,
  type SamCommandName,
  type SamFrameError,
  type SamRequest,
} from './sam-codec.js';
import type { EmulatedCard } from './test-cards.js';

export type SamFault =
  /** Find fails although a card lies there (a dead antenna, a card held too far away). */
  | { type: 'no-card' }
  /** The card is pulled during the next read: the reader answers 41, or nothing at all. */
  | { type: 'removed-mid-read'; reply: 'read-failed' | 'silence' }
  /** Replies carry a wrong CHK. */
  | { type: 'bad-checksum' }
  /** Replies start after a delay. */
  | { type: 'slow'; delayMs: number }
  /** Requests go unanswered. */
  | { type: 'no-reply' }
  /** Every command is answered 66: the SAM is not authorised. */
  | { type: 'not-authorised' };

export type SamFaultType = SamFault['type'];

export interface SamEmulatorOptions {
  logger?: Logger;
  /** Each reply is written in this many pieces (default 3), so the host must reassemble. */
  pieces?: number;
  /** Pace the pieces at the line rate (10 bit times a byte). Default true. */
  lineTiming?: boolean;
  baudRate?: SamBaudRate;
  /**
   * ⚠ Whether a card, once read, stops answering find until it is lifted (ISO 14443-B HALT).
   * Field reports say ID cards ignore HALT, so the default is false; the driver copes with both.
   */
  haltAfterRead?: boolean;
  /** 16 bytes returned by 12 FF. */
  samId?: Uint8Array;
}

export interface SamEmulatorEvents {
  request: [name: SamCommandName | 'baud' | 'unknown'];
  baud: [rate: SamBaudRate];
}

const DEFAULT_SAM_ID = Buffer.from('0501000020250101000012345678abcd', 'hex');

function commandName(req: SamRequest): SamCommandName | 'baud' | 'unknown' {
  if (req.cmd === BAUD_COMMAND) return 'baud';
  for (const [name, c] of Object.entries(SAM_COMMANDS)) if (c.cmd === req.cmd && c.para === req.para) return name as SamCommandName;
  return 'unknown';
}

interface ActiveFault {
  fault: SamFault;
  /** Remaining uses; undefined = until cleared. */
  times: number | undefined;
}

export class SamCardEmulator extends EventEmitter<SamEmulatorEvents> {
  private readonly framer = new SamFramer('request');
  private readonly log: Logger;
  private readonly faults = new Map<SamFaultType, ActiveFault>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private card: EmulatedCard | undefined;
  private selected = false;
  private halted = false;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  private readonly pieces: number;
  private readonly lineTiming: boolean;
  private readonly haltAfterRead: boolean;
  private readonly samId: Buffer;
  baudRate: SamBaudRate;

  constructor(
    private readonly transport: Transport,
    options: SamEmulatorOptions = {},
  ) {
    super();
    this.log = (options.logger ?? silentLogger).child({ emulator: 'idcard' });
    this.pieces = Math.max(1, options.pieces ?? 3);
    this.lineTiming = options.lineTiming ?? true;
    this.haltAfterRead = options.haltAfterRead ?? false;
    this.baudRate = options.baudRate ?? 115200;
    this.samId = Buffer.from(options.samId ?? DEFAULT_SAM_ID);
  }

  async start(): Promise<void> {
    if (!this.transport.isOpen) await this.transport.open();
    this.closed = false;
    this.unsubscribe = this.transport.onData((chunk) => this.onData(chunk));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.transport.close();
  }

  /** Lays a card on the reader (replacing any card there). */
  placeCard(card: EmulatedCard): void {
    this.card = card;
    this.selected = false;
    this.halted = false;
    this.log.info({}, 'card placed');
  }

  removeCard(): void {
    this.card = undefined;
    this.selected = false;
    this.halted = false;
    this.log.info({}, 'card removed');
  }

  get hasCard(): boolean {
    return this.card !== undefined;
  }

  /** Switches a fault on, for `times` uses (default: until cleared; removed-mid-read: once, as a card is pulled once). */
  inject(fault: SamFault, times?: number): void {
    this.faults.set(fault.type, { fault, times: times ?? (fault.type === 'removed-mid-read' ? 1 : undefined) });
    this.log.info({ fault: fault.type }, 'fault injected');
  }

  clearFault(type?: SamFaultType): void {
    if (type === undefined) this.faults.clear();
    else this.faults.delete(type);
  }

  get activeFaults(): SamFault[] {
    return [...this.faults.values()].map((f) => f.fault);
  }

  /** Returns the fault if active, using one of its lives. */
  private take<T extends SamFaultType>(type: T): Extract<SamFault, { type: T }> | undefined {
    const active = this.faults.get(type);
    if (!active) return undefined;
    if (active.times !== undefined) {
      active.times -= 1;
      if (active.times <= 0) this.faults.delete(type);
    }
    return active.fault as Extract<SamFault, { type: T }>;
  }

  private onData(chunk: Buffer): void {
    for (const msg of this.framer.push(chunk)) {
      // Requests are answered one at a time, in order, like the half-duplex module.
      this.chain = this.chain.then(() => this.answer(msg)).catch((err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'reply failed');
      });
    }
  }

  private async answer(msg: SamRequest | SamFrameError): Promise<void> {
    if (this.closed) return;
    if (msg.type === 'bad-checksum') return this.send(encodeReply(SW3.checksumError), 'error');
    if (msg.type === 'bad-length') return this.send(encodeReply(SW3.lengthError), 'error');
    const name = commandName(msg);
    this.emit('request', name);
    this.log.debug({ cmd: name }, 'request');
    if (this.take('no-reply')) return;
    if (this.take('not-authorised')) return this.send(encodeReply(SW3.notAuthorised), name);
    const reply = this.reply(name, msg);
    if (reply === undefined) return;
    await this.send(reply, name);
    if (name === 'baud') {
      const rate = baudRateOfPara(msg.para);
      // The module answers at the old rate, then switches.
      if (rate !== undefined) {
        this.baudRate = rate;
        this.emit('baud', rate);
      }
    }
  }

  /** The reply a healthy reader gives, or undefined for silence. */
  private reply(name: SamCommandName | 'baud' | 'unknown', req: SamRequest): Buffer | undefined {
    const present = this.card !== undefined && !this.faults.has('no-card');
    switch (name) {
      case 'reset':
        this.selected = false;
        return encodeReply(SW3.ok);
      case 'status':
        return encodeReply(SW3.ok);
      case 'readSamId':
        return encodeReply(SW3.ok, this.samId);
      case 'findCard':
        // ⚠ 4 bytes of card IIN follow 9F; readers send zeros.
        return present && !this.halted ? encodeReply(SW3.cardFound, Buffer.alloc(4)) : encodeReply(SW3.findFailed);
      case 'selectCard':
        this.selected = present;
        // ⚠ 8 bytes of card serial follow 90; zeros here.
        return present ? encodeReply(SW3.ok, Buffer.alloc(8)) : encodeReply(SW3.selectFailed);
      case 'readText':
      case 'readWithFingerprint':
      case 'readAppendedAddress':
        return this.readReply(name);
      case 'baud':
        return baudRateOfPara(req.para) === undefined ? encodeReply(SW3.badCommand) : encodeReply(SW3.ok);
      case 'unknown':
        return encodeReply(SW3.badCommand);
    }
  }

  private readReply(name: 'readText' | 'readWithFingerprint' | 'readAppendedAddress'): Buffer | undefined {
    const card = this.card;
    if (card && this.selected) {
      const pulled = this.take('removed-mid-read');
      if (pulled) {
        this.removeCard();
        return pulled.reply === 'silence' ? undefined : encodeReply(SW3.readFailed);
      }
    }
    if (!card || !this.selected || this.faults.has('no-card')) return encodeReply(SW3.readFailed);
    if (name === 'readAppendedAddress') {
      return card.appendedAddress === undefined ? encodeReply(SW3.noContent) : encodeReply(SW3.ok, encodeAppendedAddress(card.appendedAddress));
    }
    const text = encodeCardText({
      name: card.name,
      sex: card.sexCode,
      nation: card.nationCode,
      birthDate: card.birthDate,
      address: card.address,
      idNumber: card.idNumber,
      issuer: card.issuer,
      validFrom: card.validFrom,
      validTo: card.validTo,
    });
    const data =
      name === 'readWithFingerprint' ? encodeReadData(text, card.photo, card.fingerprint ?? Buffer.alloc(0)) : encodeReadData(text, card.photo);
    if (this.haltAfterRead) this.halted = true;
    return encodeReply(SW3.ok, data);
  }

  private async send(frame: Buffer, name: string): Promise<void> {
    const slow = this.take('slow');
    if (slow) await this.wait(slow.delayMs);
    if (this.take('bad-checksum')) {
      frame = Buffer.from(frame);
      frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0xff;
    }
    // Length only: read replies carry personal data.
    this.log.debug({ cmd: name, length: frame.length }, 'reply');
    const size = Math.ceil(frame.length / this.pieces);
    for (let at = 0; at < frame.length; at += size) {
      if (this.closed) return;
      const piece = frame.subarray(at, at + size);
      await this.transport.write(piece);
      if (at + size < frame.length) await this.wait(this.lineTiming ? (piece.length * 10 * 1000) / this.baudRate : 0);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0) {
        setImmediate(resolve);
        return;
      }
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}
