/**
 * EscPosEmulator: the printer's side over a Transport (pty, serial) or raw TCP (port 9100 mode).
 * It decodes what the host sends into tickets and answers DLE EOT for the injected state.
 * The mechanism takes its time (mechanics.ts, 150 mm/s by default): a ticket starts printing when its
 * first byte arrives (or when the previous ticket is done) and is cut — emitted — only at
 * max(start + its mechanical time, arrival of its cut command). DLE EOT is answered on receipt, as
 * Epson's real-time status is, even mid-print, and in the order asked (a slow reply holds back the ones
 * asked after it); a fault switched on mid-print applies at the cut. Faults switch at run time so technicians can rehearse: paper near end / out,
 * offline, cover open (DLE EOT 2 says so), no status reply, slow status reply, garbage status reply, a jammed cutter,
 * and a roll that ends during a ticket (`rollMm`): the paper runs out at the point the mechanism
 * reaches the roll's end, DLE EOT says so from that moment, and the ticket is lost.
 * GS r 1 (transmit status) is answered in order: only once everything before it is printed and cut,
 * never while the printer has stopped for want of paper (as a real one holds its buffer).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { silentLogger, type Logger } from '../common/logger.js';
import { Listeners, type Transport } from '../common/transport.js';
import type { PrintedTicket } from './document.js';
import { EscPosDecoder, type DecoderEvent } from './decoder.js';
import { DEFAULT_MECHANICS, ticketMechanics, type PrinterMechanics } from './mechanics.js';
import type { TextEncoding } from './encoder.js';
import { CUTTER_ERROR_BIT, offlineCauseByte, paperStatusByte, printerStatusByte, transmitPaperStatusByte, type PaperState } from './status.js';

export type StatusReplyMode = 'normal' | 'none' | 'slow' | 'garbage';

export interface EmulatorState {
  paper: PaperState;
  online: boolean;
  statusReply: StatusReplyMode;
  /** Delay of a 'slow' status reply. */
  slowReplyMs: number;
  /** Paper left on the roll, mm; undefined: endless. Printing uses it up; at 0 the paper is out. */
  rollMm: number | undefined;
  /** The autocutter is jammed: tickets are printed but not cut (DLE EOT 3 reports the error). */
  cutterJam: boolean;
  /** The cover is open (a roll change): offline to DLE EOT 1, and DLE EOT 2 says why. */
  coverOpen: boolean;
}

/** Whether the mechanism can print: switched online and the cover shut. */
const printable = (s: EmulatorState): boolean => s.online && !s.coverOpen;

export interface EscPosEmulatorOptions {
  logger?: Logger;
  /** How the emulated firmware reads Chinese text; GB18030 also reads GBK. */
  encoding?: TextEncoding;
  state?: Partial<EmulatorState>;
  /** The mechanism's speed and geometry (defaults: 150 mm/s, 203 dpi, 80 mm paper); false prints instantly. */
  mechanics?: Partial<PrinterMechanics> | false;
}

/** A ticket that never reached paper because the printer was out of paper or offline at the cut. */
export interface LostTicket {
  ticket: PrintedTicket;
  reason: 'paper-out' | 'offline' | 'cutter-jam';
}

interface Session {
  decoder: EscPosDecoder;
  reply: (bytes: Buffer) => Promise<void>;
  /** When the first byte of the ticket being received arrived (performance.now()). */
  ticketStart?: number;
  /** DLE EOT replies held back (slow, or behind a slow one): a printer answers in the order asked. */
  heldReplies: number;
  replyQueue: Promise<void>;
}

/**
 * A chunk made only of status requests — DLE EOT n (real-time) and GS r n (transmit status, which the
 * driver sends after each ticket to confirm it) — does not start a ticket: paper moves for print data.
 * (Counting GS r as print data started the next ticket's mechanical clock at the previous ticket's
 * confirmation, so that ticket was cut early by the time in between.)
 */
function onlyStatusRequests(chunk: Buffer): boolean {
  if (chunk.length === 0 || chunk.length % 3 !== 0) return false;
  for (let i = 0; i < chunk.length; i += 3) {
    const dleEot = chunk[i] === 0x10 && chunk[i + 1] === 0x04;
    const gsR = chunk[i] === 0x1d && chunk[i + 1] === 0x72;
    if (!dleEot && !gsR) return false;
  }
  return true;
}

export class EscPosEmulator {
  readonly tickets: PrintedTicket[] = [];
  readonly lost: LostTicket[] = [];
  private state: EmulatorState;
  private readonly log: Logger;
  private readonly encoding: TextEncoding;
  private readonly ticketListeners = new Listeners<[PrintedTicket]>();
  private readonly lostListeners = new Listeners<[LostTicket]>();
  private readonly statusListeners = new Listeners<[number, number | undefined]>();
  private readonly detachers = new Set<() => void>();
  private readonly servers = new Set<net.Server>();
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastDecoder: EscPosDecoder | undefined;
  private readonly mechanics: PrinterMechanics | undefined;
  /** When the mechanism finishes the last ticket it has started (performance.now()). */
  private busyUntil = 0;
  /** Tickets received whole (their cut command arrived) but not yet cut or lost. */
  private inMechanism = 0;
  /** Tickets received whole so far, and those that left the mechanism (cut or lost), in that order. */
  private received = 0;
  private settled = 0;
  /** GS r requests waiting for the tickets before them: each answered once `settled` reaches its `after`. */
  private afterPrint: { after: number; reply: () => void }[] = [];

  constructor(options: EscPosEmulatorOptions = {}) {
    this.log = (options.logger ?? silentLogger).child({ emulator: 'printer' });
    this.encoding = options.encoding ?? 'gb18030';
    this.state = { paper: 'ok', online: true, statusReply: 'normal', slowReplyMs: 2000, rollMm: undefined, cutterJam: false, coverOpen: false, ...options.state };
    this.mechanics = options.mechanics === false ? undefined : { ...DEFAULT_MECHANICS, ...options.mechanics };
  }

  /** The mechanism's model in use, or undefined when printing is instant. */
  get mechanicsModel(): Readonly<PrinterMechanics> | undefined {
    return this.mechanics;
  }

  /** Whether a ticket is being printed (paper moving) right now. */
  get printing(): boolean {
    return this.busyUntil > performance.now();
  }

  get current(): Readonly<EmulatorState> {
    return { ...this.state };
  }

  /** Switch faults at run time. */
  set(patch: Partial<EmulatorState>): void {
    this.state = { ...this.state, ...patch };
    this.log.info({ state: this.state }, 'printer emulator state');
  }

  onTicket(fn: (ticket: PrintedTicket) => void): () => void {
    return this.ticketListeners.add(fn);
  }
  onLost(fn: (lost: LostTicket) => void): () => void {
    return this.lostListeners.add(fn);
  }
  /** (DLE EOT n, byte answered or undefined when the fault swallowed it), after the reply is written. */
  onStatusRequest(fn: (n: number, answered: number | undefined) => void): () => void {
    return this.statusListeners.add(fn);
  }

  /** Resolves with the next ticket printed. */
  nextTicket(): Promise<PrintedTicket> {
    return new Promise((resolve) => {
      const off = this.onTicket((t) => {
        off();
        resolve(t);
      });
    });
  }

  /** Blocks printed on the most recently active link since its last cut. */
  pendingBlocks(): ReturnType<EscPosDecoder['pendingBlocks']> {
    return this.lastDecoder?.pendingBlocks() ?? [];
  }

  /** Serve an already-open transport (the device end of a pty, a serial port). */
  attach(transport: Transport): () => void {
    const session: Session = { decoder: new EscPosDecoder({ encoding: this.encoding }), reply: (b) => transport.write(b), heldReplies: 0, replyQueue: Promise.resolve() };
    const off = transport.onData((chunk) => this.feed(session, chunk));
    const detach = (): void => {
      off();
      this.detachers.delete(detach);
    };
    this.detachers.add(detach);
    return detach;
  }

  /** Raw TCP mode (a network printer's port 9100). Port 0 picks a free port; resolves with the port bound. */
  listenTcp(port = 9100, host = '127.0.0.1'): Promise<number> {
    const server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      const session: Session = {
        decoder: new EscPosDecoder({ encoding: this.encoding }),
        reply: (b) => new Promise<void>((resolve) => socket.write(b, () => resolve())),
        heldReplies: 0,
        replyQueue: Promise.resolve(),
      };
      socket.on('data', (chunk) => this.feed(session, chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.servers.add(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const d of [...this.detachers]) d();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await Promise.all([...this.servers].map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.clear();
  }

  private feed(session: Session, chunk: Buffer): void {
    this.lastDecoder = session.decoder;
    if (session.ticketStart === undefined && !onlyStatusRequests(chunk)) session.ticketStart = performance.now();
    for (const event of session.decoder.push(chunk)) this.handle(session, event);
  }

  /** Holds the ticket until the mechanism has printed it, then cuts. */
  private printMechanically(session: Session, ticket: PrintedTicket): void {
    const now = performance.now();
    const start = Math.max(session.ticketStart ?? now, this.busyUntil);
    session.ticketStart = undefined;
    const m = this.mechanics ?? DEFAULT_MECHANICS;
    const { mm } = ticketMechanics(ticket, m);
    this.inMechanism += 1;
    this.received += 1;
    const roll = this.state.rollMm;
    // The roll ends inside this ticket: the mechanism stops where the paper does.
    const endsAt = roll !== undefined && roll < mm ? roll : undefined;
    const at = (doneMs: number, fn: () => void): void => {
      if (!this.mechanics) return fn();
      const t = setTimeout(() => {
        this.timers.delete(t);
        fn();
      }, doneMs - now);
      this.timers.add(t);
    };
    if (endsAt !== undefined) {
      const stop = Math.max(start + (endsAt / m.speedMmPerS) * 1000, now);
      this.busyUntil = stop;
      at(stop, () => {
        this.set({ paper: 'out', rollMm: 0 });
        this.lose(ticket, 'paper-out');
      });
      return;
    }
    if (roll !== undefined) this.state.rollMm = roll - mm;
    const done = this.mechanics ? Math.max(start + ticketMechanics(ticket, this.mechanics).ms, now) : now;
    this.busyUntil = done;
    at(done, () => this.cut(ticket));
  }

  private lose(ticket: PrintedTicket, reason: LostTicket['reason']): void {
    const lost: LostTicket = { ticket, reason };
    this.lost.push(lost);
    this.log.warn({ reason }, 'ticket lost');
    this.lostListeners.emit(lost);
    this.mechanismDone();
  }

  /** A ticket left the mechanism (cut or lost): GS r requests behind it may be answered now. */
  private mechanismDone(): void {
    this.inMechanism = Math.max(0, this.inMechanism - 1);
    this.settled += 1;
    // Only the requests sent after this ticket's bytes and before the next one's: the buffer is in order.
    while (this.afterPrint[0] && this.afterPrint[0].after <= this.settled) this.afterPrint.shift()?.reply();
  }

  private cut(ticket: PrintedTicket): void {
    const s = this.state;
    if (s.paper === 'out' || !printable(s)) return this.lose(ticket, s.paper === 'out' ? 'paper-out' : 'offline');
    if (s.cutterJam) return this.lose(ticket, 'cutter-jam');
    this.tickets.push(ticket);
    // Counts only: ticket text may be a citizen's name.
    this.log.info({ blocks: ticket.blocks.length, cut: ticket.cut }, 'ticket printed');
    this.ticketListeners.emit(ticket);
    this.mechanismDone();
  }

  private handle(session: Session, event: DecoderEvent): void {
    switch (event.type) {
      case 'ticket': {
        this.printMechanically(session, event.ticket);
        return;
      }
      case 'status-request':
        this.answer(session, event.n);
        return;
      case 'transmit-status':
        this.transmit(session, event.n);
        return;
      case 'ignored':
        this.log.debug({ command: event.command, length: event.length }, 'command not modelled, skipped');
        return;
    }
  }

  /** GS r 1/49: the paper sensors, once the tickets before it are done; a stopped printer holds it (never answered here). */
  private transmit(session: Session, n: number): void {
    if (n !== 1 && n !== 49) return;
    const reply = (): void => {
      const s = this.state;
      if (s.paper === 'out' || !printable(s) || s.statusReply === 'none') return;
      void session.reply(Buffer.of(s.statusReply === 'garbage' ? 0xff : transmitPaperStatusByte(s.paper))).catch(() => undefined);
    };
    if (this.settled < this.received) this.afterPrint.push({ after: this.received, reply });
    else reply();
  }

  private answer(session: Session, n: number): void {
    const s = this.state;
    const byte = n === 1 ? printerStatusByte(printable(s)) : n === 4 ? paperStatusByte(s.paper) : n === 3 ? 0x12 | (s.cutterJam ? CUTTER_ERROR_BIT : 0) : n === 2 ? offlineCauseByte(s.coverOpen) : undefined;
    if (byte === undefined || s.statusReply === 'none') {
      this.statusListeners.emit(n, undefined);
      return;
    }
    const out = s.statusReply === 'garbage' ? 0xff : byte;
    const send = (): void => {
      session.reply(Buffer.of(out)).then(
        () => this.statusListeners.emit(n, out),
        () => this.statusListeners.emit(n, undefined),
      );
    };
    const delayMs = s.statusReply === 'slow' ? s.slowReplyMs : 0;
    if (delayMs === 0 && session.heldReplies === 0) return send();
    // Slow, or behind a slow one: replies leave in the order asked, as from a real printer's UART.
    const due = performance.now() + delayMs;
    session.heldReplies += 1;
    session.replyQueue = session.replyQueue
      .then(() => this.until(due))
      .then(() => {
        session.heldReplies -= 1;
        send();
      });
  }

  /** Resolves at `due` (performance.now()); never if the emulator is closed first. */
  private until(due: number): Promise<void> {
    const left = due - performance.now();
    if (left <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, left);
      this.timers.add(t);
    });
  }
}
