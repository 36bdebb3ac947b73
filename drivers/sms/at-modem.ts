/**
 * A GSM/4G modem on a serial port, sending SMS in PDU mode (AT+CMGF=0). One command at a time;
 * unsolicited lines (+CMTI, RING …) are routed to onUrc whenever they arrive, even mid-command.
 */
import { errorWords } from '../common/system-words.js';
import { isHallqError, type HallqError } from '../common/error.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { Listeners, type Transport } from '../common/transport.js';
import { AtFramer, type AtLine } from './at-codec.js';
import { maskPhone } from './phone.js';
import { encodeSubmit } from './pdu-codec.js';
import { smsFailed, smsTimeout, type SmsMessage, type SmsReceipt, type SmsSender } from './sender.js';

/**
 * +CMS ERROR codes worth a retry (3GPP TS 27.005 §3.2.5 plus the SMSC codes sms.md names).
 * 304 (invalid PDU) and SIM problems are not: the same bytes will fail the same way.
 */
export const DEFAULT_RETRYABLE_CMS = new Set([300, 301, 305, 314, 330, 331, 332, 350, 500, 512, 513, 514, 515]);
/** +CME ERROR codes that will not clear by themselves (SIM missing/locked/wrong). */
const PERMANENT_CME = new Set([5, 10, 11, 12, 13, 15, 16, 17, 18]);

export interface AtModemOptions {
  logger?: Logger;
  /** Plain commands (AT, ATE0, AT+CSQ). */
  commandTimeoutMs?: number;
  /** From AT+CMGS=<n> to the "> " prompt. */
  promptTimeoutMs?: number;
  /** From the PDU's Ctrl-Z to +CMGS/OK: the network round trip, seconds on a real link. */
  submitTimeoutMs?: number;
  /** At start, after the ESC that ends a PDU entry left open: wait this long for the modem's OK, no longer (nothing was open). */
  escapeSettleMs?: number;
  retryableCmsErrors?: ReadonlySet<number>;
  /** First concatenation reference; each multi-part message takes the next one (mod 256). */
  firstConcatRef?: number;
  now?: () => number;
}

export interface SignalQuality {
  /** 0–31, 99 = unknown (AT+CSQ). */
  rssi: number;
  ber: number;
  /** -113 + 2·rssi, undefined when rssi is 99. */
  dbm: number | undefined;
}

export interface ModemHealth {
  ready: boolean;
  lastError: { code: string; providerCode?: string; at: number } | undefined;
  lastSuccessAt: number | undefined;
  signal: SignalQuality | undefined;
}

type LineHandler = (line: AtLine) => void;

export class AtModem implements SmsSender {
  private readonly log: Logger;
  private readonly framer = new AtFramer();
  private readonly urcs = new Listeners<[Extract<AtLine, { type: 'urc' }>]>();
  private readonly opts: Required<Omit<AtModemOptions, 'logger'>>;
  private handler: LineHandler | undefined;
  /** Fails the exchange in flight (the link went away). */
  private abort: ((e: Error) => void) | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private concatRef: number;
  private state: ModemHealth = { ready: false, lastError: undefined, lastSuccessAt: undefined, signal: undefined };

  constructor(
    private readonly transport: Transport,
    options: AtModemOptions = {},
  ) {
    this.log = (options.logger ?? silentLogger).child({ driver: 'sms-modem', port: transport.description });
    this.opts = {
      commandTimeoutMs: options.commandTimeoutMs ?? 5000,
      promptTimeoutMs: options.promptTimeoutMs ?? 5000,
      submitTimeoutMs: options.submitTimeoutMs ?? 60_000,
      escapeSettleMs: options.escapeSettleMs ?? 500,
      retryableCmsErrors: options.retryableCmsErrors ?? DEFAULT_RETRYABLE_CMS,
      firstConcatRef: options.firstConcatRef ?? 0,
      now: options.now ?? Date.now,
    };
    this.concatRef = this.opts.firstConcatRef & 0xff;
  }

  /**
   * Opens the transport if needed and puts the modem in PDU mode: ESC (ends a PDU entry left open),
   * AT, ATE0, AT+CMEE=1, AT+CMGF=0. The SMS service calls it again before a send while the modem is not
   * ready (a failed start, a lost link), so every re-initialisation begins with the ESC too.
   */
  async start(): Promise<void> {
    if (!this.unsubscribe) {
      const offData = this.transport.onData((chunk) => this.onData(chunk));
      const offClose = this.transport.onClose((error) => {
        this.state.ready = false;
        if (error) this.log.warn({ reason: errorWords(error).en }, 'modem link lost');
        this.abort?.(smsFailed('modem link closed', { providerCode: 'TRANSPORT_CLOSED', retryable: true }));
      });
      this.unsubscribe = () => {
        offData();
        offClose();
      };
    }
    if (!this.transport.isOpen) await this.transport.open();
    await this.locked(async () => {
      await this.leavePduInput();
      await this.command('AT');
      await this.command('ATE0');
      // Numeric +CME errors help mapping; a modem that refuses CMEE still works.
      await this.command('AT+CMEE=1').catch((e: unknown) => {
        if (isHallqError(e, 'DEVICE_TIMEOUT')) throw e;
      });
      await this.command('AT+CMGF=0');
    });
    this.state.ready = true;
    this.log.info({}, 'modem ready (PDU mode)');
  }

  async close(): Promise<void> {
    this.state.ready = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.transport.close();
  }

  /** Unsolicited result codes (+CMTI, RING, +CREG …). Returns an unsubscribe function. */
  onUrc(fn: (urc: Extract<AtLine, { type: 'urc' }>) => void): () => void {
    return this.urcs.add(fn);
  }

  health(): ModemHealth {
    return { ...this.state, lastError: this.state.lastError && { ...this.state.lastError } };
  }

  /** AT+CSQ; also recorded in health(). */
  signalQuality(): Promise<SignalQuality> {
    return this.locked(async () => {
      const info = await this.command('AT+CSQ');
      const m = info.map((l) => /^\+CSQ:\s*(\d+)\s*,\s*(\d+)/.exec(l)).find((x) => x);
      if (!m) throw smsFailed('AT+CSQ gave no +CSQ line', { providerCode: 'CSQ_MISSING', retryable: true });
      const rssi = Number(m[1]);
      const signal: SignalQuality = { rssi, ber: Number(m[2]), dbm: rssi === 99 ? undefined : -113 + 2 * rssi };
      this.state.signal = signal;
      return signal;
    });
  }

  send(msg: SmsMessage): Promise<SmsReceipt> {
    const masked = maskPhone(msg.phone);
    return this.locked(async () => {
      const ref = this.concatRef;
      const encoded = encodeSubmit(msg.phone, msg.text, { concatRef: ref });
      if (!encoded.ok) {
        const err = smsFailed(`cannot encode message ${msg.id}: ${encoded.error}`, { providerCode: encoded.error, retryable: false });
        this.noteError(err);
        throw err;
      }
      if (encoded.parts.length > 1) this.concatRef = (ref + 1) & 0xff;
      const refs: number[] = [];
      try {
        for (const part of encoded.parts) refs.push(await this.sendPart(part.hex, part.tpduLength));
      } catch (e) {
        const err = this.asSmsError(e);
        this.noteError(err);
        this.log.warn({ id: msg.id, phone: masked, parts: encoded.parts.length, sentParts: refs.length, code: err.code, providerCode: err.details?.['providerCode'] }, 'sms send failed');
        throw err;
      }
      this.state.lastSuccessAt = this.opts.now();
      this.log.info({ id: msg.id, phone: masked, parts: refs.length, refs, textLength: msg.text.length }, 'sms sent');
      return { providerRef: `modem:${refs.join(',')}` };
    });
  }

  // --- internals ---------------------------------------------------------------------------

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private onData(chunk: Buffer): void {
    for (const line of this.framer.push(chunk)) {
      if (line.type === 'urc') {
        // Names only: +CMT data and +CLIP lines carry other people's numbers.
        this.log.debug({ urc: line.name }, 'unsolicited result');
        this.urcs.emit(line);
      } else if (line.type === 'echo') {
        continue; // the modem repeating us (ATE1, or before ATE0 took effect); may hold a PDU, so never logged
      } else if (this.handler) {
        this.handler(line);
      } else {
        this.log.debug({ line: line.type }, 'line with no command waiting');
      }
    }
  }

  /**
   * Installs the line handler before writing, so a reply faster than the write callback is not lost.
   * `onLine` returns a value to finish, throws to fail, or returns undefined to keep waiting.
   */
  private exchange<T>(out: string, timeoutMs: number, stage: string, onLine: (line: AtLine) => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        this.handler = undefined;
        this.abort = undefined;
        fn();
      };
      this.abort = (e) => finish(() => reject(e));
      const timer = setTimeout(() => finish(() => reject(smsTimeout(`modem did not answer (${stage})`, { stage }))), timeoutMs);
      this.handler = (line) => {
        try {
          const v = onLine(line);
          if (v !== undefined) finish(() => resolve(v));
        } catch (e) {
          finish(() => reject(e instanceof Error ? e : new Error(String(e))));
        }
      };
      this.transport.write(Buffer.from(out, 'latin1')).catch((e: unknown) =>
        finish(() => reject(smsFailed(`write to modem failed (${stage})`, { providerCode: 'TRANSPORT_CLOSED', retryable: true }, e))),
      );
    });
  }

  /**
   * ESC, then the modem's answer or `escapeSettleMs` of nothing, whatever came discarded.
   * 3GPP TS 27.005 §3.5.1 (AT+CMGS): after the "> " prompt the modem takes everything up to Ctrl-Z as
   * the PDU, and ESC cancels the send. A host killed between the prompt and Ctrl-Z leaves the modem there,
   * and nothing on the modem's side ends it: a new host's AT would be taken as PDU text, never answered,
   * at every restart. Outside PDU entry the modem ignores ESC (no answer: the quiet period ends the wait).
   */
  private async leavePduInput(): Promise<void> {
    const final = new Set<AtLine['type']>(['ok', 'error', 'cms-error', 'cme-error']);
    await this.exchange('\x1b', this.opts.escapeSettleMs, 'ESC', (line) => (final.has(line.type) ? true : undefined)).catch((e: unknown) => {
      if (!isHallqError(e, 'DEVICE_TIMEOUT')) throw e; // a closed link fails the start; silence is the usual answer
    });
  }

  /** Runs a plain command; resolves with its information lines when OK arrives. */
  private command(cmd: string): Promise<string[]> {
    this.log.debug({ cmd }, 'at command');
    const info: string[] = [];
    return this.exchange(`${cmd}\r`, this.opts.commandTimeoutMs, cmd, (line) => {
      switch (line.type) {
        case 'ok':
          return info;
        case 'info':
          info.push(line.line);
          return undefined;
        case 'error':
        case 'cms-error':
        case 'cme-error':
          throw this.mapError(line, cmd);
        case 'cmgs':
        case 'prompt':
        case 'urc':
        case 'echo':
        case 'overflow':
          return undefined;
      }
    });
  }

  private async sendPart(pduHex: string, tpduLength: number): Promise<number> {
    this.log.debug({ cmd: `AT+CMGS=${tpduLength}` }, 'at command');
    try {
      await this.exchange(`AT+CMGS=${tpduLength}\r`, this.opts.promptTimeoutMs, 'prompt', (line) => {
        switch (line.type) {
          case 'prompt':
            return true;
          case 'error':
          case 'cms-error':
          case 'cme-error':
            throw this.mapError(line, 'AT+CMGS');
          case 'ok':
          case 'cmgs':
          case 'info':
          case 'urc':
          case 'echo':
          case 'overflow':
            return undefined; // a stale reply from an earlier timed-out command
        }
      });
    } catch (e) {
      // ESC leaves the PDU input mode in case the prompt came after all.
      if (isHallqError(e, 'DEVICE_TIMEOUT')) await this.transport.write(Buffer.from([0x1b])).catch(() => undefined);
      throw e;
    }
    let ref: number | undefined;
    return this.exchange(`${pduHex}\x1a`, this.opts.submitTimeoutMs, 'submit', (line) => {
      switch (line.type) {
        case 'cmgs':
          ref = line.ref;
          return undefined;
        case 'ok':
          return ref ?? -1;
        case 'error':
        case 'cms-error':
        case 'cme-error':
          throw this.mapError(line, 'PDU');
        case 'prompt':
        case 'info':
        case 'urc':
        case 'echo':
        case 'overflow':
          return undefined;
      }
    });
  }

  private mapError(line: Extract<AtLine, { type: 'error' | 'cms-error' | 'cme-error' }>, stage: string): HallqError {
    switch (line.type) {
      case 'cms-error':
        return smsFailed(`+CMS ERROR: ${line.code} (${stage})`, { providerCode: `CMS${line.code}`, retryable: this.opts.retryableCmsErrors.has(line.code), stage });
      case 'cme-error':
        return smsFailed(`+CME ERROR: ${line.code} (${stage})`, {
          providerCode: `CME${line.code}`,
          retryable: typeof line.code !== 'number' || !PERMANENT_CME.has(line.code),
          stage,
        });
      case 'error':
        return smsFailed(`ERROR (${stage})`, { providerCode: 'ERROR', retryable: true, stage });
    }
  }

  private asSmsError(e: unknown): HallqError {
    if (isHallqError(e)) return e;
    return smsFailed('modem send failed', { providerCode: 'INTERNAL', retryable: true }, e);
  }

  private noteError(err: HallqError): void {
    const providerCode = err.details?.['providerCode'];
    this.state.lastError = { code: err.code, at: this.opts.now(), ...(typeof providerCode === 'string' ? { providerCode } : {}) };
  }
}
