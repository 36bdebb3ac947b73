/**
 * One caller-and-rating keypad's side of the protocol, for tests and for technicians rehearsing a hall.
 * Poll mode (⚠ our extension, several keypads on a line): key presses queue up and each poll is answered
 * with the oldest unacknowledged frame, or the idle reply of the poll's own kind (a compact poll gets the
 * compact idle reply, an FF 68 poll the FF 68 one; `pollFrames` restricts it to one kind). Push mode (one
 * keypad alone on a line): each frame is sent unprompted and sent again until the host echoes it. Faults
 * are switchable at run time.
 */
import { Listeners } from '../common/transport.js';
import type { DelayedReply, EmulatedBusDevice } from '../rs485/bus-device.js';
import {
  BLANK_DIGIT,
  FUNC_BEEP,
  FUNC_KEY,
  FUNC_SHOW,
  FRAME_START,
  KEY_RATING_REQUEST,
  KEYPAD_SIDE,
  KeypadFramer,
  defaultKeypadProtocol,
  encodeAck,
  encodeDigit,
  encodeEnter,
  encodeIdle,
  encodeKey,
  encodeRating,
  parseFrame,
  polledAddress,
  type KeyName,
  type KeypadFrame,
  type KeypadProtocol,
} from './codec.js';
import { compactPolls, encodeCompactIdle } from './compact.js';

/**
 * What goes wrong, applied to what the keypad transmits:
 * - no-reply: says nothing (host: DEVICE_TIMEOUT after its retries);
 * - bad-checksum: a well-formed frame whose CS is off by one (host: DEVICE_CHECKSUM after its retries);
 * - garbled: line noise, then the frame with its FF/68/16 framing bytes corrupted (host finds no frame: DEVICE_TIMEOUT);
 * - slow: the right frame, delayMs late (within the host's timeout it still works; beyond it, DEVICE_TIMEOUT).
 */
export type KeypadFault = 'none' | 'no-reply' | 'bad-checksum' | 'garbled' | 'slow';

export interface FaultOptions {
  /** Apply to the next `times` transmissions only, then heal; default: until changed. */
  times?: number;
  /** For 'slow'. Default 500 ms. */
  delayMs?: number;
}

export interface KeypadEmulatorOptions {
  address: number;
  mode?: 'poll' | 'push';
  protocol?: Partial<KeypadProtocol>;
  /**
   * ⚠ Which polls it answers: 'any' (default: both kinds, each in its own kind), or only 'compact' or only
   * 'ff68' (as a keypad whose firmware implements one; the other kind's polls go unanswered).
   */
  pollFrames?: 'any' | 'compact' | 'ff68';
  /** Push mode: send an unacknowledged frame again after this long. Default 300 ms. */
  resendMs?: number;
  /** Accept a grade without the host having started rating (some evaluators do). Default false. */
  gradeAnytime?: boolean;
}

export interface KeypadDisplay {
  /** Three characters, digits or ' ' for a blank position. */
  waiting: string;
  ticket: string;
}

export type KeypadEmulatorEvent =
  | { type: 'display'; display: KeypadDisplay }
  | { type: 'beep'; count: number }
  | { type: 'rating-mode'; on: boolean }
  | { type: 'acked'; frame: Buffer }
  | { type: 'transmit'; frame: Buffer; fault: KeypadFault };

export class KeypadEmulator implements EmulatedBusDevice {
  readonly name: string;
  readonly address: number;
  readonly mode: 'poll' | 'push';
  display: KeypadDisplay = { waiting: '   ', ticket: '   ' };
  beeps = 0;
  ratingMode = false;
  private readonly protocol: KeypadProtocol;
  private readonly framer: KeypadFramer;
  private readonly pollFrames: 'any' | 'compact' | 'ff68';
  /** Frames sent (or to be sent) and not yet acknowledged, oldest first. */
  private readonly outbox: Buffer[] = [];
  private readonly events = new Listeners<[KeypadEmulatorEvent]>();
  private readonly spontaneous = new Listeners<[Buffer]>();
  private currentFault: KeypadFault = 'none';
  private faultTimes: number | undefined;
  private slowMs = 500;
  private resendTimer: NodeJS.Timeout | undefined;
  private readonly resendMs: number;
  private readonly gradeAnytime: boolean;

  constructor(options: KeypadEmulatorOptions) {
    this.address = options.address;
    this.mode = options.mode ?? 'poll';
    this.protocol = { ...defaultKeypadProtocol, ...options.protocol };
    this.pollFrames = options.pollFrames ?? 'any';
    this.framer = new KeypadFramer(KEYPAD_SIDE, this.pollFrames === 'ff68' ? undefined : compactPolls(this.protocol));
    this.resendMs = options.resendMs ?? 300;
    this.gradeAnytime = options.gradeAnytime ?? false;
    this.name = `keypad@${options.address}`;
  }

  get fault(): KeypadFault {
    return this.currentFault;
  }

  /** Frames waiting for the host's acknowledgement. */
  get pending(): number {
    return this.outbox.length;
  }

  setFault(fault: KeypadFault, options: FaultOptions = {}): void {
    this.currentFault = fault;
    this.faultTimes = options.times;
    if (options.delayMs !== undefined) this.slowMs = options.delayMs;
  }

  on(listener: (e: KeypadEmulatorEvent) => void): () => void {
    return this.events.add(listener);
  }

  onSpontaneous(listener: (frame: Buffer) => void): () => void {
    return this.spontaneous.add(listener);
  }

  press(key: KeyName): void {
    this.queue(encodeKey(this.address, key, this.protocol));
  }

  pressDigit(digit: number): void {
    this.queue(encodeDigit(this.address, digit, this.protocol));
  }

  /** Enter alone, or digit + enter in one frame (as the source's 6/0/3 + enter). */
  pressEnter(digit?: number): void {
    this.queue(encodeEnter(this.address, digit, this.protocol));
  }

  /** ⚠ Our login extension: one frame per digit, then enter alone. */
  typeLogin(staffNumber: string): void {
    for (const ch of staffNumber.replace(/\D/g, '')) this.pressDigit(ch.charCodeAt(0) - 0x30);
    this.pressEnter();
  }

  /**
   * ⚠ Our transfer extension: the transfer key, then the target window's number typed as a login's is (one
   * frame per digit, enter alone: a lone 6 + enter in one frame would read as no-show). Without a number, the
   * transfer key alone: the host then waits for the number, or cancel.
   */
  typeTransfer(toWindow?: string): void {
    this.press('transfer');
    if (toWindow !== undefined) this.typeLogin(toWindow);
  }

  /** The citizen presses a grade key; `raw` is the keypad's own byte. Ignored (false) unless rating was started. */
  giveGrade(raw: number): boolean {
    if (!this.ratingMode && !this.gradeAnytime) return false;
    this.setRatingMode(false);
    this.queue(encodeRating(this.address, raw));
    return true;
  }

  /** Cancels push-mode resends; the emulator can be used again afterwards. */
  stop(): void {
    clearTimeout(this.resendTimer);
    this.resendTimer = undefined;
  }

  hear(chunk: Buffer): (Buffer | DelayedReply)[] {
    const replies: (Buffer | DelayedReply)[] = [];
    for (const out of this.framer.push(chunk)) {
      const poll = polledAddress(out, this.protocol);
      if (poll) {
        if (poll.address !== this.address || this.mode !== 'poll') continue;
        if (this.pollFrames !== 'any' && this.pollFrames !== poll.frames) continue;
        const idle = poll.frames === 'compact' ? encodeCompactIdle(this.address, this.protocol) : encodeIdle(this.address, this.protocol);
        const reply = this.faulted(this.outbox[0] ?? idle);
        if (reply) replies.push(reply);
        continue;
      }
      if (out.type !== 'frame' || out.frame.address !== this.address) continue;
      this.handle(out.frame);
    }
    return replies;
  }

  /** A frame from the host other than a poll. */
  private handle(f: KeypadFrame): void {
    const head = this.outbox[0];
    if (head && isAckOf(f.raw, head)) {
      this.outbox.shift();
      this.events.emit({ type: 'acked', frame: head });
      if (this.mode === 'push') {
        clearTimeout(this.resendTimer);
        this.resendTimer = undefined;
        this.pushHead();
      }
    }
    if (f.func === FUNC_SHOW && f.data.length === 6) {
      const d = [...f.data].map((b) => (b === BLANK_DIGIT || b > 9 ? ' ' : String(b)));
      this.display = { waiting: d.slice(0, 3).join(''), ticket: d.slice(3).join('') };
      this.events.emit({ type: 'display', display: { ...this.display } });
    } else if (f.func === FUNC_BEEP && f.data.length === 0) {
      this.beeps++;
      this.events.emit({ type: 'beep', count: this.beeps });
    } else if (f.func === FUNC_KEY && f.data.length === 1 && f.data[0] === KEY_RATING_REQUEST) {
      // Also the echo of a caller's own rating-request key: on a combined keypad that is what starts rating.
      this.setRatingMode(true);
    }
  }

  private setRatingMode(on: boolean): void {
    if (this.ratingMode === on) return;
    this.ratingMode = on;
    this.events.emit({ type: 'rating-mode', on });
  }

  private queue(frame: Buffer): void {
    this.outbox.push(frame);
    if (this.mode === 'push' && this.outbox.length === 1) this.pushHead();
  }

  /** Push mode: send the oldest unacknowledged frame now and again every resendMs until acknowledged. */
  private pushHead(): void {
    const head = this.outbox[0];
    if (!head) return;
    const out = this.faulted(head);
    if (out) {
      if (Buffer.isBuffer(out)) this.spontaneous.emit(out);
      else setTimeout(() => this.spontaneous.emit(out.bytes), out.delayMs).unref();
    }
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => this.pushHead(), this.resendMs);
    this.resendTimer.unref();
  }

  private faulted(frame: Buffer): Buffer | DelayedReply | undefined {
    const fault = this.currentFault;
    if (this.faultTimes !== undefined && fault !== 'none' && --this.faultTimes <= 0) {
      this.currentFault = 'none';
      this.faultTimes = undefined;
    }
    const out = applyFault(fault, frame, this.slowMs);
    if (out) this.events.emit({ type: 'transmit', frame: Buffer.isBuffer(out) ? out : out.bytes, fault });
    return out;
  }
}

/** A compact idle reply (R ADDR ~ADDR) or an FF 68 frame (FF 68 L L 68 … CS 16). */
function applyFault(fault: KeypadFault, frame: Buffer, slowMs: number): Buffer | DelayedReply | undefined {
  const compact = frame[0] !== FRAME_START;
  switch (fault) {
    case 'none':
      return frame;
    case 'no-reply':
      return undefined;
    case 'bad-checksum': {
      // FF 68: CS + 1; compact: its check byte (~ADDR, the last) + 1.
      const b = Buffer.from(frame);
      const cs = compact ? b.length - 1 : b.length - 2;
      b[cs] = ((b[cs] as number) + 1) & 0xff;
      return b;
    }
    case 'garbled': {
      // As on a line with a bad termination: noise, and the framing bytes no longer what they were.
      const b = Buffer.from(frame);
      if (compact) {
        b[0] = (b[0] as number) ^ 0x40;
        b[b.length - 1] = (b[b.length - 1] as number) ^ 0x40;
      } else {
        b[0] = 0xfe;
        b[1] = 0x60;
        b[4] = 0x60;
        b[b.length - 1] = 0x61;
      }
      return Buffer.concat([Buffer.from([0x00, 0xf0, 0x0f]), b]);
    }
    case 'slow':
      return { bytes: frame, delayMs: slowMs };
  }
}

/** Is `heard` the host's acknowledgement of `sent` (echo; FUNC 11 echoed as FUNC 01)? */
function isAckOf(heard: Buffer, sent: Buffer): boolean {
  const f = parseFrame(sent, { min: 2, max: 255 });
  return f !== undefined && encodeAck(f).equals(heard);
}
