/**
 * EscPosPrinter: a ticket printer over any Transport (usblp char device, TCP 9100, serial).
 * One operation at a time; status is DLE EOT 1 and DLE EOT 4 sent in one write, each answered by one byte, in order.
 * Replies carry no tag (every DLE EOT n reply has the same fixed bits), so they are paired with questions
 * by count: a question whose reply did not come in time still owes one, and the next valid byte pays
 * that debt (and is dropped) before any later question's reply is read (see `late`).
 * Print payloads are never logged, not even as hex at debug: tickets carry names and ID numbers.
 */
import { performance } from 'node:perf_hooks';
import { HallqError, isHallqError } from '../common/error.js';
import { hex, silentLogger, type Logger } from '../common/logger.js';
import { Listeners, type Transport } from '../common/transport.js';
import { statusRequest, transmitPaperStatus } from './commands.js';
import { normalizeBlock, type PrintDocument } from './document.js';
import { errorWords } from '../common/system-words.js';
import { encodeDocument, type TextEncoding } from './encoder.js';
import { DEFAULT_MECHANICS, ticketMechanics, type PrinterMechanics } from './mechanics.js';
import { CUTTER_ERROR_BIT, isStatusByte, isTransmitStatusByte, parseOfflineCause, parsePaperStatus, parsePrinterStatus, parseTransmitPaperStatus, type PaperState, type PrinterStatus } from './status.js';

/**
 * 'unconfirmed': the last ticket's bytes were sent but the printer never answered whether it printed
 * (status replies slow or missing past every re-ask); the ticket was kept, the printer is suspect.
 */
export type PrinterHealth = 'ok' | 'near-end' | 'out' | 'offline' | 'unknown' | 'unconfirmed';

/**
 * Why the printer is not ok, beside its health: what a technician is told (hallq devices, /readyz).
 * 'printer-offline': it says offline and not why (an error, or no cover report); 'no-reply': it says nothing.
 */
export type PrinterProblem = 'paper-out' | 'paper-near-end' | 'cover-open' | 'printer-offline' | 'cutter-error' | 'no-reply' | 'link-closed' | 'unconfirmed';

export type UnknownReason = 'write-only' | 'no-reply' | 'invalid-reply' | 'closed';

export type StatusReading = { type: 'known'; status: PrinterStatus } | { type: 'unknown'; reason: UnknownReason };

export interface PrintResult {
  bytes: number;
  /** Characters printed as '?' because the encoding lacks them (rare name characters). */
  replacedCharacters: number;
  /** The status checked before printing; 'unknown' on write-only links. */
  checked: StatusReading;
  /**
   * 'device': the printer confirmed the ticket (printed and cut). 'unconfirmed': the bytes were sent
   * but no confirmation nor failure came, not even to the re-asks: the ticket is taken as printed (a
   * number on paper must not be voided; health 'unconfirmed'). 'write-only': the link cannot read back.
   */
  confirmation: 'device' | 'unconfirmed' | 'write-only';
}

export interface EscPosPrinterOptions {
  logger?: Logger;
  encoding?: TextEncoding;
  /** Wait for each status byte this long. */
  statusTimeoutMs?: number;
  /** Whether the link reads back. Default: the transport's `bidirectional` flag if it has one, else true. */
  readBack?: boolean;
  /** Consecutive unanswered status requests before health turns from 'unknown' to 'offline'. */
  missesBeforeOffline?: number;
  /** Default interval for startPolling(). */
  pollIntervalMs?: number;
  /**
   * While the printer answers that it cannot print (paper out, cover open, offline), polling reads the
   * status this often instead, ms: a roll changed is seen within it, not at the next ordinary poll. Default 250.
   */
  recoveryPollMs?: number;
  /**
   * How long print() waits for the printer to confirm the ticket (printed and cut), ms, on top of the
   * time the mechanism needs for the document (see `mechanics`). Default 10 000.
   */
  confirmTimeoutMs?: number;
  /**
   * The mechanism's model (mechanics.ts; default 150 mm/s, 203 dpi, 80 mm paper): the confirmation wait
   * is the document's print time by it plus confirmTimeoutMs, so a long ticket is never taken as printed
   * (on a re-ask after the wait) before its paper could have been cut. Give a slower printer its speed.
   */
  mechanics?: Partial<PrinterMechanics>;
  /** Real-time status (DLE EOT) is read this often while a ticket is being printed, ms. Default 250. */
  confirmPollMs?: number;
  /**
   * When a status the print needs is not answered (before the bytes, or the confirmation after them),
   * the status is asked again, once per entry, waiting this long for each reply, ms. Default
   * [1000, 2000, 4000]: a printer whose replies are slow is still heard, and the wait is bounded.
   */
  reaskTimeoutsMs?: readonly number[];
  /**
   * How long after its question a status reply that missed its wait is still expected, ms: until then
   * the next reply byte is taken as that late reply and dropped, never as the answer to a later question.
   * Default: the longest wait of statusTimeoutMs and reaskTimeoutsMs (4 s). A reply later still would be
   * read as the next question's answer; a debt kept past the printer's silence only costs a timeout.
   */
  lateReplyMs?: number;
}

interface Pending {
  resolve: (byte: number | 'timeout' | 'invalid') => void;
  /** A byte failing the fixed-bit check came while this one was awaited (its garbled reply, or noise). */
  sawInvalid: boolean;
  timer: NodeJS.Timeout;
  /** When the question was asked (performance.now()). */
  askedAt: number;
}

export function healthOf(reading: StatusReading): PrinterHealth | undefined {
  if (reading.type === 'unknown') return undefined;
  const s = reading.status;
  // Out before offline: a printer without paper also reports offline, and "缺纸" tells staff what to do.
  if (s.paper === 'out') return 'out';
  if (!s.online) return 'offline';
  return s.paper === 'near-end' ? 'near-end' : 'ok';
}

/** What a known reading says is wrong, if anything (the same order as healthOf). */
export function problemOf(reading: StatusReading): PrinterProblem | undefined {
  if (reading.type === 'unknown') return undefined;
  const s = reading.status;
  if (s.paper === 'out') return 'paper-out';
  if (!s.online) return s.coverOpen ? 'cover-open' : 'printer-offline';
  return s.paper === 'near-end' ? 'paper-near-end' : undefined;
}

/** Problems a person at the printer clears (a roll, the cover), which polling watches at recoveryPollMs. */
const RECOVERABLE: ReadonlySet<PrinterProblem | undefined> = new Set(['paper-out', 'cover-open', 'printer-offline']);

export class EscPosPrinter {
  private readonly log: Logger;
  private readonly encoding: TextEncoding;
  private readonly statusTimeoutMs: number;
  private readonly readBack: boolean;
  private readonly missesBeforeOffline: number;
  private readonly pollIntervalMs: number;
  private readonly healthListeners = new Listeners<[PrinterHealth]>();
  private unsubscribe: (() => void)[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  /** Status replies awaited, oldest first: the printer answers DLE EOT requests in the order sent. */
  private pending: Pending[] = [];
  private misses = 0;
  private currentHealth: PrinterHealth = 'unknown';
  private currentProblem: PrinterProblem | undefined;
  /** Set while a poll waits its turn; undefined while its status is being read. */
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private pollEveryMs = 5000;
  private readonly recoveryPollMs: number;
  private readonly confirmTimeoutMs: number;
  private readonly confirmPollMs: number;
  private readonly reaskTimeoutsMs: readonly number[];
  /** Waits for the answer to GS r 1 (the print confirmation). */
  private confirmWaiter: ((byte: number) => void) | undefined;
  private readonly lateReplyMs: number;
  /**
   * DLE EOT questions whose reply missed its wait, oldest first, each as the time until which its reply
   * is still expected: the printer answers in order, so the next valid reply bytes are theirs.
   */
  private late: number[] = [];
  /**
   * GS r 1 questions whose answer did not come within the confirmation wait (the ticket still printing,
   * slower than the model): each as the time until which its answer is still expected, so that answer
   * never confirms the next ticket.
   */
  private lateConfirms: number[] = [];
  private readonly mechanics: PrinterMechanics;

  constructor(private readonly transport: Transport, options: EscPosPrinterOptions = {}) {
    this.log = (options.logger ?? silentLogger).child({ device: 'printer', link: transport.description });
    this.encoding = options.encoding ?? 'gbk';
    this.statusTimeoutMs = options.statusTimeoutMs ?? 500;
    const flag = (transport as Partial<{ bidirectional: boolean }>).bidirectional;
    this.readBack = options.readBack ?? (typeof flag === 'boolean' ? flag : true);
    this.missesBeforeOffline = options.missesBeforeOffline ?? 2;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.recoveryPollMs = options.recoveryPollMs ?? 250;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000;
    this.confirmPollMs = options.confirmPollMs ?? 250;
    this.reaskTimeoutsMs = options.reaskTimeoutsMs ?? [1000, 2000, 4000];
    this.lateReplyMs = options.lateReplyMs ?? Math.max(this.statusTimeoutMs, ...this.reaskTimeoutsMs);
    this.mechanics = { ...DEFAULT_MECHANICS, ...options.mechanics };
  }

  /** The time the mechanism needs to print and cut `doc`, ms, by the driver's model (`mechanics`). */
  printTimeMs(doc: PrintDocument): number {
    const blocks = doc.blocks.flatMap((b) => (b.type === 'cut' ? [] : [normalizeBlock(b)]));
    return ticketMechanics({ blocks }, this.mechanics).ms;
  }

  get health(): PrinterHealth {
    return this.currentHealth;
  }

  /** Why it is not ok (undefined when ok, or before the first reading); a health event fires when it changes too. */
  get problem(): PrinterProblem | undefined {
    return this.currentProblem;
  }

  /** Whether status can be read back on this link. */
  get readsBack(): boolean {
    return this.readBack;
  }

  onHealth(fn: (health: PrinterHealth) => void): () => void {
    return this.healthListeners.add(fn);
  }

  on(event: 'health', fn: (health: PrinterHealth) => void): () => void {
    switch (event) {
      case 'health':
        return this.onHealth(fn);
    }
  }

  /** Opens the transport if the caller has not, and starts listening. */
  async open(): Promise<void> {
    if (!this.transport.isOpen) await this.transport.open();
    this.unsubscribe.push(
      this.transport.onData((chunk) => this.onData(chunk)),
      this.transport.onClose((err) => {
        this.late = [];
        this.lateConfirms = [];
        // In words (the tryout's log had serialport's raw "bad file descriptor").
        if (err) this.log.warn({ reason: errorWords(err).en }, 'printer link lost');
        this.setHealth('offline', 'link-closed');
      }),
    );
  }

  async close(): Promise<void> {
    this.stopPolling();
    for (const u of this.unsubscribe.splice(0)) u();
    while (this.pending.length > 0) this.finishPending('timeout');
    this.late = [];
    this.lateConfirms = [];
    await this.transport.close();
  }

  /** DLE EOT 1 + 4. Never rejects: trouble is an 'unknown' reading with a reason. */
  status(): Promise<StatusReading> {
    return this.serial(() => this.readStatus());
  }

  /**
   * Print a document. On links that read back, refuses with PAPER_OUT / DEVICE_OFFLINE when the
   * printer says so, and DEVICE_TIMEOUT when it does not answer (the ticket would be lost silently).
   * Then confirms it by the device: resolves only once the printer has answered GS r 1 (queued behind
   * the ticket, so answered after it is printed and cut) and its cutter reports no error. The roll
   * ending during the ticket (real-time status says paper out while GS r is unanswered) rejects with
   * PAPER_OUT (health 'out'), a jammed cutter with DEVICE_OFFLINE; paper out or offline only after the
   * GS r answer (the roll ended just after the cut) keeps the ticket and sets the health. A status not answered before the bytes is
   * asked again (reaskTimeoutsMs) before DEVICE_TIMEOUT (nothing was sent). Once the bytes are sent, a
   * print rejects only when the device says it failed (PAPER_OUT, DEVICE_OFFLINE): a confirmation that
   * does not come in time (the document's print time by `mechanics` plus confirmTimeoutMs, so never
   * before the paper could have been cut; or a status after it unanswered) makes the driver ask the
   * status again (reaskTimeoutsMs); an answer ok confirms it, a failure rejects, and no answer at all
   * resolves with confirmation 'unconfirmed' (health 'unconfirmed', a warning): the ticket may be in the
   * citizen's hand. On a write-only link nothing can be confirmed (checked: 'unknown', 'write-only').
   *
   * `beforeWrite` runs once the status allows the print, right before the bytes are written (never when
   * the print is refused before them): a caller records there, durably, that the ticket is going to the
   * printer, so a process killed after the write still knows it. When it throws, nothing is sent and
   * print() rejects with its error.
   */
  print(doc: PrintDocument, hooks: { beforeWrite?: () => void } = {}): Promise<PrintResult> {
    const encoded = encodeDocument(doc, { encoding: this.encoding, printableDots: this.mechanics.printableDots });
    return this.serial(async () => {
      let checked = await this.readStatus();
      if (this.readBack && checked.type === 'unknown' && checked.reason !== 'closed') checked = await this.reask();
      if (this.readBack) {
        if (checked.type === 'unknown' && checked.reason === 'closed') {
          throw new HallqError('TRANSPORT_CLOSED', `printer link ${this.transport.description} is closed`);
        }
        if (checked.type === 'unknown') {
          throw new HallqError('DEVICE_TIMEOUT', `printer ${this.transport.description} did not answer status (${checked.reason})`, { reason: checked.reason });
        }
        const h = healthOf(checked);
        if (h === 'out') throw new HallqError('PAPER_OUT', 'printer is out of paper');
        if (h === 'offline') throw new HallqError('DEVICE_OFFLINE', 'printer is offline (cover open or error)');
      }
      hooks.beforeWrite?.();
      await this.transport.write(encoded.bytes);
      // The bytes are out: from here only the device's word of a failure rejects.
      const confirmation = this.readBack ? await this.confirmOrReask(this.printTimeMs(doc) + this.confirmTimeoutMs) : 'write-only';
      if (encoded.replacedCharacters > 0) {
        this.log.warn({ replacedCharacters: encoded.replacedCharacters, encoding: this.encoding }, 'characters missing from the printer encoding were printed as ?');
      }
      this.log.info({ blocks: doc.blocks.length, bytes: encoded.bytes.length }, 'ticket sent to printer');
      return { bytes: encoded.bytes.length, replacedCharacters: encoded.replacedCharacters, checked, confirmation };
    });
  }

  /** confirmPrinted(); when it only timed out, the status asked again (see print()). */
  private async confirmOrReask(waitMs: number): Promise<'device' | 'unconfirmed'> {
    try {
      await this.confirmPrinted(waitMs);
      return 'device';
    } catch (e) {
      if (!isHallqError(e, 'DEVICE_TIMEOUT')) throw e;
      this.log.warn({ reason: e.message }, 'printer did not confirm the ticket in time; asking its status again');
    }
    const reading = await this.reask();
    if (reading.type === 'known') {
      this.failOn(reading);
      const errors = await this.ask(3, Math.max(this.statusTimeoutMs, ...this.reaskTimeoutsMs));
      if (typeof errors === 'number' && errors & CUTTER_ERROR_BIT) {
        this.setHealth('offline', 'cutter-error');
        throw new HallqError('DEVICE_OFFLINE', 'printer cutter error: the ticket was not cut');
      }
      this.log.info({}, 'printer confirmed the ticket on a second status request');
      return 'device';
    }
    // A lost link keeps the health its loss set (offline, link-closed): a kiosk must not offer printing on it
    // (the tryout: `canPrint` true for the second after a cable was cut mid-ticket).
    if (reading.reason !== 'closed') this.setHealth('unconfirmed', 'unconfirmed');
    this.log.warn({ reason: reading.reason }, 'ticket sent but the printer never confirmed nor failed it: taken as printed (not voided)');
    return 'unconfirmed';
  }

  /** The real-time status asked again, once per reaskTimeoutsMs entry, until one is answered. */
  private async reask(): Promise<StatusReading> {
    let reading: StatusReading = { type: 'unknown', reason: 'no-reply' };
    for (const timeoutMs of this.reaskTimeoutsMs) {
      reading = await this.readStatus(timeoutMs);
      if (reading.type === 'known' || reading.reason === 'closed' || reading.reason === 'write-only') return reading;
    }
    return reading;
  }

  /** Throws unless the device confirms the ticket just sent (see print()). */
  private async confirmPrinted(waitMs: number): Promise<void> {
    const deadline = performance.now() + waitMs;
    let answer: number | undefined;
    const replied = new Promise<void>((resolve) => {
      this.confirmWaiter = (byte) => {
        answer = byte;
        resolve();
      };
    });
    try {
      await this.transport.write(transmitPaperStatus());
      for (;;) {
        const left = deadline - performance.now();
        if (left <= 0) {
          // Its answer may still come once the ticket is cut: it must not confirm the next ticket.
          this.lateConfirms.push(performance.now() + waitMs);
          throw new HallqError('DEVICE_TIMEOUT', `printer ${this.transport.description} did not confirm the ticket within ${Math.round(waitMs)} ms`);
        }
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(this.confirmPollMs, left))));
        await Promise.race([replied, tick]);
        clearTimeout(timer);
        if (answer !== undefined) break;
        // Still printing: real-time status tells a roll that ended or a cover opened mid-ticket.
        const reading = await this.readStatus();
        // The link lost mid-ticket (unplugged): no answer can come on it, so the citizen is not kept
        // waiting out the deadline; the caller asks again and takes the ticket as unconfirmed.
        if (reading.type === 'unknown' && reading.reason === 'closed') throw new HallqError('DEVICE_TIMEOUT', `printer link ${this.transport.description} lost during the ticket`, { reason: 'closed' });
        // The GS r answer came in before this reply (one line, the printer's order): the ticket was cut before
        // what this reading says, e.g. a roll that ended just after the cut (the tryout: A337 printed whole, then voided).
        if (answer !== undefined) break;
        this.failOn(reading);
      }
    } finally {
      this.confirmWaiter = undefined;
    }
    // GS r 1 is answered only once everything before it is printed and cut (a printer stopped mid-ticket
    // holds it): from here the ticket is out. Paper out or offline now (in its answer, or the real-time
    // status after it) is the next ticket's concern: the health says so, and this ticket is kept, since a
    // voided number on paper costs a citizen the turn (README: a print is voided only when it failed).
    const endedAfter = parseTransmitPaperStatus(answer) === 'out';
    if (endedAfter) this.setHealth('out', 'paper-out');
    const after = await this.readStatus();
    if (after.type === 'unknown') throw new HallqError('DEVICE_TIMEOUT', `printer ${this.transport.description} did not answer status after the ticket (${after.reason})`, { reason: after.reason });
    const now = healthOf(after);
    if (endedAfter || now === 'out' || now === 'offline') this.log.info({ health: this.health }, 'the printer stopped just after the ticket was cut: the ticket is kept');
    // The cutter did its job: a jammed one answers GS r all the same (the ticket left uncut).
    const errors = await this.ask(3);
    if (typeof errors !== 'number') throw new HallqError('DEVICE_TIMEOUT', `printer ${this.transport.description} did not answer its error status after the ticket`);
    if (errors & CUTTER_ERROR_BIT) {
      this.setHealth('offline', 'cutter-error');
      throw new HallqError('DEVICE_OFFLINE', 'printer cutter error: the ticket was not cut');
    }
  }

  private failOn(reading: StatusReading): void {
    const h = healthOf(reading);
    if (h === 'out') throw new HallqError('PAPER_OUT', 'printer ran out of paper during the ticket');
    if (h === 'offline') throw new HallqError('DEVICE_OFFLINE', 'printer went offline during the ticket (cover open or error)');
  }

  /**
   * Poll status every intervalMs until stopPolling(); health events fire on change. While the printer
   * says paper out, cover open or offline, every recoveryPollMs instead (never slower than intervalMs).
   */
  startPolling(intervalMs = this.pollIntervalMs): void {
    this.stopPolling();
    this.polling = true;
    this.pollEveryMs = intervalMs;
    this.schedulePoll();
  }

  stopPolling(): void {
    this.polling = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private schedulePoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const ms = RECOVERABLE.has(this.currentProblem) ? Math.min(this.recoveryPollMs, this.pollEveryMs) : this.pollEveryMs;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.status().then(() => {
        if (this.polling) this.schedulePoll();
      });
    }, ms);
    this.pollTimer.unref(); // polling alone must not keep a CLI process alive
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async readStatus(timeoutMs = this.statusTimeoutMs): Promise<StatusReading> {
    if (!this.readBack) {
      this.setHealth('unknown', undefined);
      return { type: 'unknown', reason: 'write-only' };
    }
    if (!this.transport.isOpen) {
      this.setHealth('offline', 'link-closed');
      return { type: 'unknown', reason: 'closed' };
    }
    // Both requests in one write: one round trip on the link instead of two (issue 12, touch → cut).
    const [printer = 'timeout', paper = 'timeout'] = await this.askAll([1, 4], timeoutMs);
    let reading: StatusReading;
    if (typeof printer === 'number' && typeof paper === 'number') {
      const p = parsePrinterStatus(printer);
      const q = parsePaperStatus(paper);
      // ask() only returns bytes that passed the fixed-bit check, so both parse.
      reading = p.ok && q.ok ? { type: 'known', status: { online: p.value.online, paper: q.value, ...((await this.coverOpen(p.value.online, q.value, timeoutMs)) ? { coverOpen: true as const } : {}) } } : { type: 'unknown', reason: 'invalid-reply' };
    } else {
      const why = typeof printer === 'number' ? paper : printer;
      reading = { type: 'unknown', reason: why === 'invalid' ? 'invalid-reply' : why === 'closed' ? 'closed' : 'no-reply' };
    }
    this.record(reading);
    return reading;
  }

  /**
   * Offline with paper in: DLE EOT 2 tells a cover opened (a roll change) from an error. Asked only then,
   * so an ordinary reading stays one round trip; unanswered, the cause is simply not known.
   */
  private async coverOpen(online: boolean, paper: PaperState, timeoutMs: number): Promise<boolean> {
    if (online || paper === 'out') return false;
    const byte = await this.ask(2, timeoutMs);
    if (typeof byte !== 'number') return false;
    const cause = parseOfflineCause(byte);
    return cause.ok && cause.value.coverOpen;
  }

  private record(reading: StatusReading): void {
    const h = healthOf(reading);
    if (h !== undefined) {
      this.misses = 0;
      this.setHealth(h, problemOf(reading));
      return;
    }
    this.misses += 1;
    this.log.warn({ reason: reading.type === 'unknown' ? reading.reason : undefined, misses: this.misses }, 'printer status unknown');
    this.setHealth(this.misses >= this.missesBeforeOffline ? 'offline' : 'unknown', 'no-reply');
  }

  private async ask(n: 1 | 2 | 3 | 4, timeoutMs = this.statusTimeoutMs): Promise<number | 'timeout' | 'invalid' | 'closed'> {
    const [r] = await this.askAll([n], timeoutMs);
    return r ?? 'timeout';
  }

  /**
   * DLE EOT n for each n, written at once; resolves with one reply per request, in order. A reply that
   * does not come within timeoutMs of the write is 'timeout' (or 'invalid' when only line noise came).
   */
  private async askAll(ns: readonly (1 | 2 | 3 | 4)[], timeoutMs = this.statusTimeoutMs): Promise<(number | 'timeout' | 'invalid' | 'closed')[]> {
    const results = ns.map(
      () =>
        new Promise<number | 'timeout' | 'invalid'>((resolve) => {
          const p: Pending = { resolve, sawInvalid: false, askedAt: performance.now(), timer: setTimeout(() => this.finishPending('timeout', p), timeoutMs) };
          this.pending.push(p);
        }),
    );
    try {
      await this.transport.write(Buffer.concat(ns.map((n) => statusRequest(n))));
    } catch {
      for (let i = 0; i < ns.length; i++) this.finishPending('timeout');
      await Promise.all(results);
      return ns.map(() => 'closed' as const);
    }
    return Promise.all(results);
  }

  /** Settles the oldest awaited reply, or `which` (its timer ran out) and every one before it. */
  private finishPending(outcome: number | 'timeout', which?: Pending): void {
    if (which !== undefined) {
      const i = this.pending.indexOf(which);
      if (i < 0) return;
      // Replies come in order: one not come by its deadline means those sent before it did not either.
      for (const p of this.pending.splice(0, i + 1)) {
        clearTimeout(p.timer);
        // Its reply may still come: it must not be read as the next question's. (A garbled one came.)
        if (!p.sawInvalid) this.late.push(p.askedAt + this.lateReplyMs);
        p.resolve(p.sawInvalid ? 'invalid' : 'timeout');
      }
      return;
    }
    const p = this.pending.shift();
    if (!p) return;
    clearTimeout(p.timer);
    p.resolve(outcome === 'timeout' && p.sawInvalid ? 'invalid' : outcome);
  }

  private onData(chunk: Buffer): void {
    // Status bytes are not personal data, so a hex dump at debug is allowed here.
    this.log.debug({ rx: hex(chunk) }, 'printer bytes');
    for (const byte of chunk) {
      // The answer to GS r (bits 4 and 7 clear) can never be a DLE EOT reply (bit 4 set).
      if (isTransmitStatusByte(byte) && this.payLateConfirm()) {
        this.log.debug({ byte }, 'late print confirmation dropped (its ticket was already settled)');
        continue;
      }
      if (this.confirmWaiter && isTransmitStatusByte(byte)) {
        this.confirmWaiter(byte);
        this.confirmWaiter = undefined;
        continue;
      }
      if (!isStatusByte(byte)) {
        // Line noise or a garbled reply: keep waiting for a real status byte; the first question not yet
        // marked is the one it may have answered.
        const q = this.pending.find((p) => !p.sawInvalid);
        if (q) q.sawInvalid = true;
        continue;
      }
      if (this.payLateReply()) {
        this.log.debug({ byte, stillLate: this.late.length }, 'late status reply dropped (its question had timed out)');
        continue;
      }
      if (this.pending.length === 0) {
        this.log.debug({ byte }, 'unsolicited byte from printer dropped');
        continue;
      }
      this.finishPending(byte);
    }
  }

  /** Whether a GS r answer arriving now is that of an earlier ticket whose confirmation wait ran out. */
  private payLateConfirm(): boolean {
    const now = performance.now();
    while (this.lateConfirms.length > 0 && (this.lateConfirms[0] ?? 0) <= now) this.lateConfirms.shift();
    return this.lateConfirms.shift() !== undefined;
  }

  /** Whether a status byte arriving now is the reply of a question that timed out (still expected). */
  private payLateReply(): boolean {
    const now = performance.now();
    while (this.late.length > 0 && (this.late[0] ?? 0) <= now) this.late.shift();
    return this.late.shift() !== undefined;
  }

  private setHealth(h: PrinterHealth, problem: PrinterProblem | undefined): void {
    if (h === this.currentHealth && problem === this.currentProblem) return;
    const previous = this.currentHealth;
    const wasRecoverable = RECOVERABLE.has(this.currentProblem);
    this.currentHealth = h;
    this.currentProblem = problem;
    const level = h === 'ok' ? 'info' : 'warn';
    this.log[level]({ health: h, previous, ...(problem ? { problem } : {}) }, 'printer health changed');
    // A poll waiting out the ordinary interval is brought forward: the roll may be back in a moment.
    if (this.polling && this.pollTimer && !wasRecoverable && RECOVERABLE.has(problem)) this.schedulePoll();
    this.healthListeners.emit(h);
  }
}
