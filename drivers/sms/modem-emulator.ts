/**
 * The modem's side of the AT/PDU protocol over a Transport, for tests and rehearsals: answers the
 * commands the hall uses, decodes every PDU back into phone and text, reassembles concatenated
 * messages and reports each complete one. Faults can be switched on and off while it runs.
 */
import { silentLogger, type Logger } from '../common/logger.js';
import { Listeners, type Transport } from '../common/transport.js';
import { maskPhone } from './phone.js';
import { decodeSubmit } from './pdu-codec.js';

export interface DeliveredSms {
  /** As addressed in the PDU: '+8613800138000'. */
  phone: string;
  text: string;
  parts: number;
  /** Concatenation reference, undefined for a single-part message. */
  concatRef: number | undefined;
  /** The +CMGS references the emulator answered for each part. */
  refs: number[];
}

export interface ModemEmulatorOptions {
  logger?: Logger;
  /** Real modems power up echoing (ATE1). */
  echo?: boolean;
  csq?: { rssi: number; ber: number };
  /** First +CMGS reference handed out. */
  firstRef?: number;
}

interface PartialMessage {
  parts: Map<number, string>;
  refs: number[];
  total: number;
}

export class ModemEmulator {
  private readonly log: Logger;
  private readonly messageListeners = new Listeners<[DeliveredSms]>();
  private readonly commandListeners = new Listeners<[string]>();
  private unsubscribe: (() => void) | undefined;
  private line = '';
  private pdu: { length: number; hex: string } | undefined;
  private out: Promise<void> = Promise.resolve();
  /** Pending reply delays, released at once on close so a slow-reply fault never holds up shutdown. */
  private readonly delays = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  private nextRef: number;
  private readonly partial = new Map<string, PartialMessage>();
  echo: boolean;
  pduMode = false;
  csq: { rssi: number; ber: number };
  /** Every complete message received, in order. */
  readonly delivered: DeliveredSms[] = [];

  // Faults (switchable at run time).
  private cmsErrors: { code: number; times: number } | undefined;
  private silent = false;
  private urcsForNextSend: string[] = [];
  private replyDelayMs = 0;

  constructor(
    private readonly transport: Transport,
    options: ModemEmulatorOptions = {},
  ) {
    this.log = (options.logger ?? silentLogger).child({ emulator: 'sms-modem', port: transport.description });
    this.echo = options.echo ?? true;
    this.csq = options.csq ?? { rssi: 20, ber: 99 };
    this.nextRef = options.firstRef ?? 1;
  }

  /**
   * True from AT+CMGS=<n> until its PDU's Ctrl-Z or an ESC, as on a real modem: a host that dies (or
   * closes the port) in between leaves it so, and the next host to open the port finds it still so.
   */
  get awaitingPdu(): boolean {
    return this.pdu !== undefined;
  }

  async start(): Promise<void> {
    if (!this.unsubscribe) this.unsubscribe = this.transport.onData((chunk) => this.onData(chunk));
    if (!this.transport.isOpen) await this.transport.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const [timer, release] of this.delays) {
      clearTimeout(timer);
      release();
    }
    this.delays.clear();
    await this.out;
    await this.transport.close();
  }

  onMessage(fn: (msg: DeliveredSms) => void): () => void {
    return this.messageListeners.add(fn);
  }

  /** Each command line as received (without \r); PDUs are reported as '<PDU>'. For rehearsal consoles and tests. */
  onCommand(fn: (cmd: string) => void): () => void {
    return this.commandListeners.add(fn);
  }

  /** Resolves with the next complete message. */
  nextMessage(): Promise<DeliveredSms> {
    return new Promise((resolve) => {
      const off = this.onMessage((m) => {
        off();
        resolve(m);
      });
    });
  }

  // --- faults ---

  /** The next `times` PDUs are answered with +CMS ERROR: code instead of +CMGS. */
  failNextSends(code: number, times = 1): void {
    this.cmsErrors = { code, times };
  }
  /** While on, nothing is answered (a hung or unplugged modem): the driver times out. */
  setSilent(on: boolean): void {
    this.silent = on;
  }
  /** During the next AT+CMGS, these lines are sent after the prompt and again before +CMGS. */
  injectUrcsDuringNextSend(lines: string[] = ['+CMTI: "SM",1', 'RING']): void {
    this.urcsForNextSend = [...lines];
  }
  /** Delays every reply by ms (a slow modem or a congested SMSC). */
  setReplyDelay(ms: number): void {
    this.replyDelayMs = ms;
  }
  clearFaults(): void {
    this.cmsErrors = undefined;
    this.silent = false;
    this.urcsForNextSend = [];
    this.replyDelayMs = 0;
  }
  /** Sends an unsolicited line now (RING, +CMTI …). */
  unsolicited(line: string): void {
    this.reply(`\r\n${line}\r\n`, 0);
  }

  // --- protocol ---

  private onData(chunk: Buffer): void {
    if (this.echo && !this.silent) this.reply(chunk.toString('latin1'), 0);
    for (const ch of chunk.toString('latin1')) {
      if (this.pdu) this.pduChar(ch);
      else if (ch === '\x1b') continue; // outside PDU input a modem ignores ESC (the host's cancel of nothing)
      else if (ch === '\r') {
        const cmd = this.line.trim();
        this.line = '';
        if (cmd.length > 0) this.command(cmd);
      } else if (ch !== '\n') this.line += ch;
    }
  }

  private pduChar(ch: string): void {
    const pdu = this.pdu;
    if (!pdu) return;
    if (ch === '\x1b') {
      this.pdu = undefined; // ESC: the sender gave up; a real modem answers OK
      this.commandListeners.emit('<ESC>');
      this.respond(['OK']);
    } else if (ch === '\x1a') {
      this.pdu = undefined;
      this.commandListeners.emit('<PDU>');
      this.submit(pdu.length, pdu.hex);
    } else if (ch !== '\r' && ch !== '\n') pdu.hex += ch;
  }

  private command(cmd: string): void {
    this.commandListeners.emit(cmd);
    const upper = cmd.toUpperCase();
    // Command name only: a dial string or an argument could hold a number.
    this.log.debug({ cmd: /^AT[+^&]?[A-Z]*/.exec(upper)?.[0] ?? '?' }, 'command');
    if (upper === 'AT') return this.respond(['OK']);
    if (upper === 'ATE0' || upper === 'ATE1') {
      this.echo = upper === 'ATE1';
      return this.respond(['OK']);
    }
    if (/^AT\+CMEE=[012]$/.test(upper)) return this.respond(['OK']);
    if (upper === 'AT+CMGF=0' || upper === 'AT+CMGF=1') {
      this.pduMode = upper.endsWith('0');
      return this.respond(['OK']);
    }
    if (upper === 'AT+CMGF?') return this.respond([`+CMGF: ${this.pduMode ? 0 : 1}`, 'OK']);
    if (upper === 'AT+CSQ') return this.respond([`+CSQ: ${this.csq.rssi},${this.csq.ber}`, 'OK']);
    const m = /^AT\+CMGS=(\d+)$/.exec(upper);
    if (m) {
      if (!this.pduMode) return this.respond(['+CMS ERROR: 302']); // text mode is not emulated
      this.pdu = { length: Number(m[1]), hex: '' };
      if (!this.silent) this.reply('\r\n> ', this.replyDelayMs);
      if (this.urcsForNextSend.length > 0) this.unsolicitedBurst();
      return;
    }
    this.respond(['ERROR']);
  }

  private submit(declared: number, hex: string): void {
    const urcs = this.urcsForNextSend;
    this.urcsForNextSend = [];
    if (this.cmsErrors && this.cmsErrors.times > 0) {
      const code = this.cmsErrors.code;
      if (--this.cmsErrors.times === 0) this.cmsErrors = undefined;
      return this.respond([`+CMS ERROR: ${code}`]);
    }
    const decoded = decodeSubmit(hex);
    // A real modem refuses a PDU whose length disagrees with AT+CMGS=<n>: 304 invalid PDU parameter.
    if (!decoded.ok || decoded.value.tpduLength !== declared) {
      this.log.warn({ error: decoded.ok ? 'length-mismatch' : decoded.error }, 'bad PDU');
      return this.respond(['+CMS ERROR: 304']);
    }
    const ref = this.nextRef;
    this.nextRef = (this.nextRef + 1) & 0xff;
    this.respond([...urcs, `+CMGS: ${ref}`, 'OK']);
    const { phone, text, concat } = decoded.value;
    if (!concat || concat.total <= 1) return this.deliver({ phone, text, parts: 1, concatRef: undefined, refs: [ref] });
    const key = `${phone}/${concat.ref}/${concat.total}`;
    const entry = this.partial.get(key) ?? { parts: new Map<number, string>(), refs: [], total: concat.total };
    entry.parts.set(concat.seq, text);
    entry.refs.push(ref);
    this.partial.set(key, entry);
    if (entry.parts.size < entry.total) return;
    this.partial.delete(key);
    let full = '';
    for (let seq = 1; seq <= entry.total; seq++) full += entry.parts.get(seq) ?? '';
    this.deliver({ phone, text: full, parts: entry.total, concatRef: concat.ref, refs: entry.refs });
  }

  private deliver(msg: DeliveredSms): void {
    this.delivered.push(msg);
    this.log.info({ phone: maskPhone(msg.phone), parts: msg.parts, textLength: msg.text.length }, 'message delivered');
    this.messageListeners.emit(msg);
  }

  private unsolicitedBurst(): void {
    this.reply(this.urcsForNextSend.map((l) => `\r\n${l}\r\n`).join(''), this.replyDelayMs);
  }

  private respond(lines: string[]): void {
    if (this.silent) return;
    this.reply(lines.map((l) => `\r\n${l}\r\n`).join(''), this.replyDelayMs);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }

  /** Writes in order; a delay holds back this and every later reply, as a slow modem would. */
  private reply(text: string, delayMs: number): void {
    this.out = this.out
      .then(() => (delayMs > 0 && !this.closed ? this.delay(delayMs) : undefined))
      .then(() => (this.transport.isOpen && !this.closed ? this.transport.write(Buffer.from(text, 'latin1')) : undefined))
      .catch((e: unknown) => this.log.warn({ error: e instanceof Error ? e.message : String(e) }, 'emulator write failed'));
  }
}
