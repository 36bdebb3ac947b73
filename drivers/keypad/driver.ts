/**
 * One keypad (caller, rating, or both at one address) over a BusPort. Poll mode polls it at priority 2
 * and acknowledges each report by echo before polling again; an offline keypad is polled only every
 * offlinePollIntervalMs, without retries, until it answers. Push mode listens for frames it sends
 * unprompted and echoes each. Reports become typed events; display, beep and rating start are methods.
 */
import { HallqError, isHallqError, type ErrorCode } from '../common/error.js';
import { hex, silentLogger, type Logger } from '../common/logger.js';
import { Listeners } from '../common/transport.js';
import type { BusPort, BusPriority } from '../rs485/bus-port.js';
import { realClock, type Clock } from '../rs485/clock.js';
import {
  HOST_SIDE,
  KeypadFramer,
  decodeKeypadFrame,
  defaultKeypadProtocol,
  encodeAck,
  encodeBeep,
  encodePoll,
  encodeShow,
  encodeStartRating,
  keypadReplyFramer,
  parseFrame,
  pollReplyKind,
  type KeyName,
  type KeypadFrame,
  type KeypadProtocol,
} from './codec.js';
import { compactIdles, encodeCompactPoll, type CompactRule } from './compact.js';
import { GRADE_LABELS, defaultGradeTable, mapGrade, type Grade, type GradeTable } from './grades.js';
import { KEYPAD_POLL_DEFAULTS, type PollFrames } from './polling-schemas.js';

export type KeypadEvent =
  | { type: 'key'; key: KeyName }
  /** ⚠ Our extension: digit frames followed by enter. */
  | { type: 'login'; staffNumber: string }
  | { type: 'rating'; grade: Grade; label: string; raw: number }
  /** A frame that names nothing we know (an unmapped grade, an unused enter); logged and reported, not acted on. */
  | { type: 'unrecognised'; func: number; data: Buffer }
  /** Poll mode: the keypad stopped answering properly (code DEVICE_TIMEOUT or DEVICE_CHECKSUM). */
  | { type: 'offline'; error: HallqError }
  | { type: 'online' }
  /**
   * Poll mode: a report the keypad had buffered before its first idle answer since the line was opened
   * (start(), lineReopened()): pressed while nobody listened, maybe minutes ago. Acknowledged, logged,
   * beeped no (once per drain: press again), never acted on.
   */
  | { type: 'stale'; func: number; data: Buffer };

export interface KeypadOptions {
  address: number;
  bus: BusPort;
  logger?: Logger;
  /** 'poll' (default; ⚠ our poll frames) for shared lines, 'push' for a keypad alone on its line. */
  mode?: 'poll' | 'push';
  protocol?: Partial<KeypadProtocol>;
  gradeTable?: GradeTable;
  /** Pause between polls that found nothing. Default 200 ms. After a report the keypad is polled again at once. */
  pollIntervalMs?: number;
  /**
   * ⚠ Which poll frames the keypad implements (polling-schemas.ts): 'compact' (default: 4-byte poll, 3-byte
   * idle reply) or 'ff68' (9-byte FF 68 poll, 10-byte idle reply). A report is an FF 68 frame either way.
   */
  pollFrames?: PollFrames;
  /** Reply timeout of a poll (polling-schemas.ts). Default: the bus's own. */
  pollTimeoutMs?: number;
  /** Retries of a poll while the keypad is not offline. Default: the bus's own. */
  pollRetries?: number;
  /**
   * Pause between polls while the keypad is offline (a poll failed after its retries); those polls have no
   * retries, and the first answer brings back pollIntervalMs. Default 5000 ms (polling-schemas.ts).
   */
  offlinePollIntervalMs?: number;
  /** The pauses' clock. Default: the real clock. Tests pass a VirtualClock. */
  clock?: Clock;
  /** Priority of display/beep/rating-start writes and acks. Default 1. */
  commandPriority?: BusPriority;
  /** Longest staff number accepted by the login extension. Default 8. */
  maxLoginDigits?: number;
  /**
   * Poll mode: reports the keypad buffered before its first idle answer since the line was opened
   * (start(), lineReopened()) are dropped as 'stale' instead of acted on. Default false (the agent sets it).
   */
  dropBuffered?: boolean;
}

export class Keypad {
  readonly address: number;
  private readonly bus: BusPort;
  private readonly log: Logger;
  private readonly mode: 'poll' | 'push';
  private readonly protocol: KeypadProtocol;
  private readonly gradeTable: GradeTable;
  private readonly pollFrames: PollFrames;
  private readonly pollIntervalMs: number;
  private readonly pollTimeoutMs: number | undefined;
  private readonly pollRetries: number | undefined;
  private readonly offlinePollIntervalMs: number;
  private readonly clock: Clock;
  private readonly commandPriority: BusPriority;
  private readonly maxLoginDigits: number;
  private readonly dropBuffered: boolean;
  private readonly events = new Listeners<[KeypadEvent]>();
  private digits = '';
  private state: 'unknown' | 'online' | 'offline' = 'unknown';
  /** Poll mode: reports are stale until the keypad's first idle answer since the line was opened. */
  private draining = false;
  private beepedStale = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unlisten: (() => void) | undefined;

  constructor(options: KeypadOptions) {
    this.address = options.address;
    this.bus = options.bus;
    this.mode = options.mode ?? 'poll';
    this.protocol = { ...defaultKeypadProtocol, ...options.protocol };
    this.gradeTable = options.gradeTable ?? defaultGradeTable;
    this.pollFrames = options.pollFrames ?? KEYPAD_POLL_DEFAULTS.frames;
    this.pollIntervalMs = options.pollIntervalMs ?? KEYPAD_POLL_DEFAULTS.intervalMs;
    this.pollTimeoutMs = options.pollTimeoutMs;
    this.pollRetries = options.pollRetries;
    this.offlinePollIntervalMs = options.offlinePollIntervalMs ?? KEYPAD_POLL_DEFAULTS.offlineIntervalMs;
    this.clock = options.clock ?? realClock;
    this.commandPriority = options.commandPriority ?? 1;
    this.maxLoginDigits = options.maxLoginDigits ?? 8;
    this.dropBuffered = options.dropBuffered ?? false;
    this.log = (options.logger ?? silentLogger).child({ keypad: options.address });
    if (this.mode === 'push' && !this.bus.listen) throw new HallqError('CONFIG_INVALID', 'push-mode keypad needs a bus that can listen');
  }

  /** 'unknown' until the first poll; push mode stays 'unknown' (a silent keypad is indistinguishable from an idle one). */
  get status(): 'unknown' | 'online' | 'offline' {
    return this.state;
  }

  on(listener: (e: KeypadEvent) => void): () => void {
    return this.events.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.drainBuffered();
    if (this.mode === 'poll') this.loop = this.pollLoop();
    else this.listenPush();
  }

  /** Stops polling; resolves once the poll in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.unlisten?.();
    this.unlisten = undefined;
    this.wake?.();
    await this.loop;
  }

  /**
   * Poll mode: ends the pause between polls, so the next poll goes at once. The agent calls it when a line
   * comes back after an outage: a keypad taken for offline meanwhile need not wait out offlinePollIntervalMs.
   */
  pollNow(): void {
    if (this.running) this.wake?.();
  }

  /**
   * Poll mode: the line is open again after an outage (the agent calls it): what the keypad buffered
   * meanwhile was pressed while nobody listened, so it is drained as stale (KeypadEvent 'stale'), and polled now.
   */
  lineReopened(): void {
    this.drainBuffered();
    this.pollNow();
  }

  private drainBuffered(): void {
    this.draining = this.dropBuffered && this.mode === 'poll';
    this.beepedStale = false;
  }

  /** Waiting count on the left three digits, the ticket's last three digits on the right. Newest content wins if still queued. */
  async showTicket(waiting: number, ticket?: string): Promise<void> {
    await this.command(encodeShow(this.address, waiting, ticket), 'display');
  }

  async beep(): Promise<void> {
    await this.command(encodeBeep(this.address));
  }

  async startRating(): Promise<void> {
    await this.command(encodeStartRating(this.address), 'rating');
  }

  private async command(frame: Buffer, coalesce?: string): Promise<void> {
    this.log.debug({ tx: hex(frame) }, 'keypad command');
    await this.bus.exchange({ frame, priority: this.commandPriority, ...(coalesce ? { key: `keypad@${this.address}:${coalesce}` } : {}) });
  }

  // ------------------------------------------------------------- poll mode

  private async pollLoop(): Promise<void> {
    // A compact poll's reply is a compact idle reply or the keypad's FF 68 report; an FF 68 poll's, an FF 68 frame.
    const compact = this.pollFrames === 'compact' ? compactIdles(this.protocol) : undefined;
    const poll = compact ? encodeCompactPoll(this.address, this.protocol) : encodePoll(this.address, this.protocol);
    const reply = keypadReplyFramer(this.address, compact);
    const check = (raw: Buffer): ErrorCode | undefined => checkReply(raw, compact);
    while (this.running) {
      let reported = false;
      // A keypad known to be offline is asked once, not retried: every attempt holds the half-duplex line
      // for the poll + the whole timeout, and a call's screen frame may be waiting behind it.
      const retries = this.state === 'offline' ? 0 : this.pollRetries;
      try {
        const raw = await this.bus.exchange({
          frame: poll,
          reply,
          check,
          priority: 2,
          key: `keypad@${this.address}:poll`,
          ...(this.pollTimeoutMs === undefined ? {} : { timeoutMs: this.pollTimeoutMs }),
          ...(retries === undefined ? {} : { retries }),
        });
        this.setState('online');
        // A compact idle reply is no FF 68 frame: nothing to report.
        const frame = raw && parseFrame(raw, HOST_SIDE);
        if (frame) reported = await this.report(frame);
        // Idle: the buffer is empty, what comes from now on is pressed while we listen.
        if (!reported) this.draining = false;
      } catch (err) {
        if (isHallqError(err, 'TRANSPORT_CLOSED')) {
          this.log.warn({ code: err.code }, 'keypad bus closed; polling stops');
          this.running = false;
          break;
        }
        const error = isHallqError(err) ? err : new HallqError('INTERNAL', String(err), {}, { cause: err });
        this.setState('offline', error);
      }
      if (!reported && this.running) await this.pause(this.state === 'offline' ? this.offlinePollIntervalMs : this.pollIntervalMs);
    }
  }

  /** Waits between polls; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let cancel: (() => void) | undefined;
      const done = (): void => {
        cancel?.();
        this.wake = undefined;
        resolve();
      };
      cancel = this.clock.timer(done, ms);
      this.wake = done;
    });
  }

  private setState(next: 'online' | 'offline', error?: HallqError): void {
    if (this.state === next) return;
    this.state = next;
    if (next === 'offline' && error) {
      this.log.warn({ code: error.code }, 'keypad offline');
      this.events.emit({ type: 'offline', error });
    } else if (next === 'online') {
      this.log.info({}, 'keypad online');
      this.events.emit({ type: 'online' });
    }
  }

  /** Acknowledges, then interprets. Returns whether the keypad had something to report. */
  private async report(frame: KeypadFrame): Promise<boolean> {
    const msg = decodeKeypadFrame(frame, this.protocol);
    if (msg.type === 'idle') return false;
    try {
      // Acknowledge before interpreting, and before the next poll, so the keypad drops the frame.
      await this.bus.exchange({ frame: encodeAck(frame), priority: this.commandPriority });
    } catch (err) {
      this.log.warn({ err }, 'keypad ack not sent; the keypad will report again');
      return true;
    }
    if (this.draining) this.dropStale(frame, msg.type);
    else this.interpret(frame);
    return true;
  }

  /** A report buffered before the line was opened: never acted on; the keypad beeps no once per drain (press again). */
  private dropStale(frame: KeypadFrame, kind: string): void {
    this.digits = '';
    this.log.warn({ report: kind, rx: hex(frame.raw) }, 'keypad report buffered while nobody listened (before the line was opened): dropped, press again');
    if (!this.beepedStale) {
      this.beepedStale = true;
      void this.beep().catch(() => undefined);
    }
    this.emit({ type: 'stale', func: frame.func, data: frame.data });
  }

  // ------------------------------------------------------------- push mode

  private listenPush(): void {
    const framer = new KeypadFramer(HOST_SIDE);
    const listen = this.bus.listen?.bind(this.bus);
    if (!listen) return;
    this.unlisten = listen((chunk) => {
      for (const out of framer.push(chunk)) {
        if (out.type === 'error') {
          if (out.error.address === this.address) this.log.warn({ code: out.error.code, rx: hex(out.error.bytes) }, 'bad keypad frame');
          continue;
        }
        if (out.type !== 'frame' || out.frame.address !== this.address) continue;
        const msg = decodeKeypadFrame(out.frame, this.protocol);
        if (msg.type === 'idle') continue;
        this.bus.exchange({ frame: encodeAck(out.frame), priority: this.commandPriority }).catch((err: unknown) => {
          this.log.warn({ err }, 'keypad ack not sent; the keypad will send again');
        });
        this.interpret(out.frame);
      }
    });
  }

  // ------------------------------------------------------------- meaning

  private interpret(frame: KeypadFrame): void {
    const msg = decodeKeypadFrame(frame, this.protocol);
    this.log.debug({ rx: hex(frame.raw), msg: msg.type }, 'keypad report');
    switch (msg.type) {
      case 'idle':
        return;
      case 'digit':
        this.digits = (this.digits + String(msg.digit)).slice(-this.maxLoginDigits);
        return;
      case 'enter': {
        const staffNumber = this.digits + (msg.digit === undefined ? '' : String(msg.digit));
        this.digits = '';
        if (staffNumber.length > 0) this.emit({ type: 'login', staffNumber });
        else this.emit({ type: 'unrecognised', func: frame.func, data: frame.data });
        return;
      }
      case 'key':
        // A digit typed before 6/0/3 + enter makes it a login number, not a function (⚠ our extension).
        if (this.digits.length > 0 && (msg.key === 'no-show' || msg.key === 'suspend' || msg.key === 'call-back')) {
          const staffNumber = this.digits + String(frame.data[0]);
          this.digits = '';
          this.emit({ type: 'login', staffNumber });
          return;
        }
        this.digits = '';
        this.emit({ type: 'key', key: msg.key });
        return;
      case 'rating': {
        const grade = mapGrade(this.gradeTable, msg.raw);
        if (grade === undefined) {
          this.log.warn({ raw: msg.raw }, 'rating byte not in the grade table');
          this.emit({ type: 'unrecognised', func: frame.func, data: frame.data });
        } else this.emit({ type: 'rating', grade, label: GRADE_LABELS[grade], raw: msg.raw });
        return;
      }
      case 'unknown':
        this.emit({ type: 'unrecognised', func: frame.func, data: frame.data });
        return;
    }
  }

  private emit(e: KeypadEvent): void {
    try {
      this.events.emit(e);
    } catch (err) {
      this.log.error({ err }, 'keypad event listener threw');
    }
  }
}

/** The bus hands over frames for our address even with a bad checksum (FF 68 or compact), so the retry logic sees them. */
function checkReply(raw: Buffer, compact: CompactRule | undefined): ErrorCode | undefined {
  return pollReplyKind(raw, compact) === undefined ? 'DEVICE_CHECKSUM' : undefined;
}
