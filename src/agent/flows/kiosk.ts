import { randomBytes, randomUUID } from 'node:crypto';
import { HallqError, isHallqError } from '../../../drivers/common/error.js';
import type { Logger } from '../../../drivers/common/logger.js';
import type { EscPosPrinter } from '../../../drivers/printer/driver.js';
import { phoneHash } from '../../bus/person.js';
import { decide, localTime, maskPhone, nationalMobile, openForCheckIn, own, prospectiveView, rejectionMessages, serviceOf, waitWords, type Command, type HallState, type Lang, type Outcome, type PersonInput, type TicketView } from '../../core/index.js';
import { KioskJournal, replicaAgeRule } from '../kiosk-journal.js';
import type { AgentLink } from '../link.js';
import type { IslandContacts } from '../island/contacts.js';
import { printedTicket } from '../ticket-document.js';

export interface KioskRequest {
  serviceId: string;
  person?: PersonInput;
  phoneMasked?: string;
  /** The raw mobile number for SMS: sent to the server apart from the command (never in an event). */
  phone?: string;
  priority?: boolean;
  /** The citizen chose an SMS-only ticket (the printer is out of paper). */
  smsOnly?: boolean;
  /** Check in this appointment (found by phone or code, appointment-lookup.ts); serviceId is its service. */
  appointmentId?: string;
}

export type KioskResult =
  | {
      ok: true;
      ticketId: string;
      number: string;
      /** The wait position, windows and estimated wait the ticket was issued with: what its paper and its issued SMS say. */
      position: number;
      windows: number[];
      estimatedWaitMinutes?: number;
      /** That wait in the words its paper says it (core waitWords: 超过2小时 past the bound). */
      estimatedWait?: Lang;
      printed: boolean;
      /** The status page's unguessable token, from the server's answer. */
      statusToken?: string;
      /**
       * A mobile number was given and no SMS will go to it (the hall sends none, or the number could be
       * neither sent nor kept): what the citizen is told instead, never silence. Absent when the SMS follows.
       */
      smsUnavailable?: Lang;
    }
  | { ok: false; code: string; message: Lang };

/** The ticket status page of a token: `<base>/s/<token>` (the server's public status page). */
export function statusUrlOf(base: string, token: string): string {
  return `${base.replace(/\/$/, '')}/s/${encodeURIComponent(token)}`;
}

const printerDown: Lang = { zh: '打印机暂时无法出票，可选择短信取号', en: 'The printer cannot print now; you may take an SMS ticket' };
const phoneNeeded: Lang = { zh: '短信取号需要手机号码', en: 'An SMS ticket needs a mobile number' };
/** The printer is out and the hall sends no SMS: nothing to offer but the desk. */
const printerDownNoSms: Lang = { zh: '打印机暂时无法出票，请咨询导办人员', en: 'The printer cannot print now; please ask the staff at the desk' };
const serverAway: Lang = { zh: '系统繁忙，请稍后再试', en: 'The system is busy, please try again' };
const smsAwayNow: Lang = { zh: '暂时无法短信取号，请咨询导办人员', en: 'SMS tickets are not available just now; please ask the staff at the desk' };
/** A phone was given for the near-turn SMS and none will go to it. */
const noSmsForPhone: Lang = { zh: '短信提醒暂不可用，您的手机不会收到短信，请留意叫号屏和语音叫号', en: 'SMS reminders are not available just now: no SMS will come to your phone; please watch the screens and listen for your number' };

/** How long a citizen waits at the kiosk for the server's answer before the kiosk says no (default). */
export const DEFAULT_ANSWER_TIMEOUT_MS = 8000;

const TIMED_OUT = Symbol('timed out');

/** `p`, or TIMED_OUT after `ms` (p keeps running: its result is still wanted, by someone else). */
function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Taking a number at the kiosk: the ticket is issued (durable on the server) before it is printed,
 * and a failed print voids the number instead of leaving a ghost in the queue.
 *
 * Every wait is bounded (`answerTimeoutMs`): when the server's answer does not come in time the
 * citizen is told no at once, and the command is resolved afterwards by its id (the link sends the
 * same id again until the server answers; a repeat gets the first outcome): a ticket it turns out to
 * have made is voided (PrintFailed), so a printed ticket is the only way a number reaches the queue.
 * A print confirmed by the printer is the citizen's ticket even if the server's acknowledgement of
 * PrintConfirmed comes later: that one is resolved the same way.
 *
 * The journal (kiosk-journal.ts, synchronous=FULL) keeps each printed issue from before it is asked
 * until the server has answered what the printer decided: that the bytes are being handed to the
 * printer is on disk before the write, the confirmed cut before PrintConfirmed is sent or the citizen
 * is answered, so an agent killed in between settles it after its restart (`resolveOpenPrints`) by the
 * live rule: a print whose bytes went out is kept (confirmed), one never sent is voided.
 */
export class KioskFlow {
  private readonly resolving = new Set<Promise<unknown>>();
  private readonly journal: KioskJournal;
  private readonly idHashKey: Buffer;

  constructor(
    private readonly link: AgentLink,
    private readonly printer: EscPosPrinter | undefined,
    private readonly opts: {
      statusBaseUrl: string;
      logger: Logger;
      clock?: () => number;
      /** ms; default DEFAULT_ANSWER_TIMEOUT_MS. */
      answerTimeoutMs?: number;
      /** The durable print journal; absent, one in memory (for this process only). */
      journal?: KioskJournal;
      /** The hall's ID hash key (agent.idHashKeyFile): a phone is counted by its keyed hash. Absent: one for this process. */
      idHashKey?: Buffer;
      /**
       * Island mode's keeper of citizens' numbers (island/contacts.ts, sealed in the island file): a phone
       * given during an island is kept there and sent to the server after the return, so its SMS follow.
       * Absent (no island configured): a phone given during an island gets no SMS, and the answer says so.
       */
      islandContacts?: Pick<IslandContacts, 'keep'>;
    },
  ) {
    this.journal = opts.journal ?? KioskJournal.open(':memory:', replicaAgeRule(() => link.replica.state));
    this.idHashKey = opts.idHashKey ?? randomBytes(32);
  }

  /** The keyed hash the core's per-phone rules count a typed number by (the number itself goes only to the server's contacts). */
  private phoneHashOf(phone: string | undefined): { phoneHash?: string } {
    return phone ? { phoneHash: phoneHash(nationalMobile(phone) ?? phone, this.idHashKey) } : {};
  }

  /** Commands whose answer the kiosk stopped waiting for and still resolves in the background. */
  get unresolved(): number {
    return this.resolving.size;
  }

  /** Resolves once every such command is resolved (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.resolving.size > 0) await Promise.allSettled([...this.resolving]);
  }

  private background(p: Promise<unknown>): void {
    const tracked = p.catch((e: unknown) => this.opts.logger.warn({ err: e instanceof HallqError ? e.code : 'INTERNAL' }, 'kiosk command not resolved')).finally(() => this.resolving.delete(tracked));
    this.resolving.add(tracked);
  }

  /** Voids the ticket `issued` may have made (the citizen was told no): resolved by the command's id. */
  private voidWhenKnown(issued: Promise<{ outcome: Outcome }>, issueId: string, reason: string): void {
    this.background(
      issued.then(async ({ outcome }) => {
        if (!outcome.ok || !outcome.ticketId) return this.journal.settled(issueId);
        const voided = await voidTicket(this.link, this.journal, issueId, outcome.ticketId, reason);
        this.opts.logger.info({ ticketId: outcome.ticketId, voided }, 'ticket of an unanswered kiosk request voided');
      }),
    );
  }

  /** canPrint() may have changed: the printer's health changed (a roll ran out, or came back). */
  onPrinterChange(fn: () => void): () => void {
    return this.printer?.onHealth(() => fn()) ?? (() => undefined);
  }

  /** Whether a printed ticket can be offered now (the kiosk page offers SMS-only otherwise). */
  canPrint(): boolean {
    const h = this.printer?.health;
    return this.printer !== undefined && h !== 'out' && h !== 'offline';
  }

  /**
   * Whether a phone given now is taken for the ticket's SMS notices: the hall sends SMS, from its config
   * as the server recorded it (HallConfigured, HallConfig.smsEnabled; absent, an older server: yes), and,
   * in island mode, the number can be kept for the server's return (islandContacts). False: the page
   * asks for no phone, and one given anyway is neither kept nor printed (the answer says no SMS comes).
   */
  smsEnabled(): boolean {
    return this.link.replica.state.config?.smsEnabled !== false && (!this.smsAway() || this.opts.islandContacts !== undefined);
  }

  /** Whether an SMS-only ticket is offered now (the printer out): the hall sends SMS and the server is there. */
  smsOnlyOffered(): boolean {
    return this.smsEnabled() && !this.smsAway();
  }

  /**
   * Island mode: the hall sends SMS, but not now. An SMS-only ticket's number would reach its citizen
   * only after the server is back (README "What waits for the server"): none is offered, and the
   * printer-out screen sends the citizen to the desk. A phone for the notices of a printed ticket is
   * kept sealed until the return (smsEnabled).
   */
  smsAway(): boolean {
    return this.link.divert !== undefined && this.link.replica.state.config?.smsEnabled !== false;
  }

  /** Today's appointment of this person for this service that can be checked in (booked, or its ticket voided), from the replica. */
  appointmentFor(idHash: string, serviceId: string): string | undefined {
    const state = this.link.replica.state;
    const offset = state.config?.utcOffsetMinutes ?? 480;
    return Object.values(state.appointments).find(
      (a) => openForCheckIn(state, a) && a.person.idHash === idHash && a.serviceId === serviceId && localTime(a.slotStart, offset).day === state.day,
    )?.id;
  }

  /**
   * The hall's own refusal of `command`, decided on the replica (core decide: pure), when one of
   * HALL_REFUSALS: with the printer out the citizen is told that (the service closed, the quota
   * taken, an ID card needed), not to ask at the desk for a ticket the hall would not give anyway.
   * Only on a replica of today (a new day's first command rolls the day over on the server).
   */
  private hallRefusal(command: Command): KioskResult | undefined {
    const state = this.link.replica.state;
    const now = this.opts.clock?.() ?? Date.now();
    if (!state.config || localTime(now, state.config.utcOffsetMinutes).day !== state.day) return undefined;
    const { outcome } = decide(state, command, now);
    return !outcome.ok && HALL_REFUSALS.has(outcome.code) ? refused(outcome) : undefined;
  }

  async issue(request: KioskRequest): Promise<KioskResult> {
    if (request.smsOnly && this.smsAway()) return { ok: false, code: 'sms-unavailable', message: smsAwayNow };
    const sms = this.smsEnabled();
    // The server refuses an SMS ticket then too (core/decide-ticket.ts); said here before anything is sent.
    if (request.smsOnly && !sms) return { ok: false, code: 'sms-off', message: rejectionMessages['sms-off'] };
    // No SMS: a phone given (for notices, or to find an appointment by it) is neither sent nor printed,
    // and the answer says so.
    const req: KioskRequest = sms ? request : withoutPhone(request);
    let smsFollows = req.phone !== undefined;
    const told = () => (request.phone !== undefined && !smsFollows ? { smsUnavailable: noSmsForPhone } : {});
    const offerSms = this.smsOnlyOffered();
    const print = !req.smsOnly;
    const phoneMasked = req.phoneMasked ?? (req.phone ? maskPhone(req.phone) : undefined);
    // A card with a booked appointment for this service today checks in (served with priority when on time).
    const appointment = req.appointmentId ?? (req.person ? this.appointmentFor(req.person.idHash, req.serviceId) : undefined);
    // An SMS-only ticket reaches its citizen by text only (the wire schema refuses one without a number).
    if (!print && !appointment && phoneMasked === undefined) return { ok: false, code: 'phone-required', message: phoneNeeded };
    const deadline = Date.now() + (this.opts.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
    const left = () => Math.max(0, deadline - Date.now());
    // The id is ours, so the outcome can be asked for again by it whatever happens to this answer.
    const commandId = randomUUID();
    const command: Command = appointment
      ? { id: commandId, type: 'CheckIn', appointmentId: appointment, delivery: print ? 'print' : 'sms', source: 'kiosk', ...(phoneMasked ? { phoneMasked } : {}), ...this.phoneHashOf(req.phone) }
      : {
          id: commandId,
          type: 'IssueTicket',
          serviceId: req.serviceId,
          delivery: print ? 'print' : 'sms',
          source: 'kiosk',
          ...(req.person ? { person: req.person } : {}),
          ...(phoneMasked ? { phoneMasked } : {}),
          // Counted by the core's per-phone rules (SMS-only and printed alike): a number typed at this kiosk.
          ...this.phoneHashOf(req.phone),
          ...(req.priority ? { priority: true } : {}),
        };
    if (print && !this.canPrint()) return this.hallRefusal(command) ?? { ok: false, code: 'printer-unavailable', message: offerSms ? printerDown : printerDownNoSms };
    // On disk before it is sent: an agent that dies before the cut (or, for an SMS ticket, before the
    // citizen is told its number) voids it at its next start.
    this.journal.asked(command, Date.now());
    const running = this.link.run(command as Parameters<AgentLink['run']>[0]);
    const answer = await within(running, left());
    if (answer === TIMED_OUT) {
      this.opts.logger.warn({ commandId }, 'no answer from the server in time; the ticket it may make will be voided');
      // The citizen is told to try again: whatever ticket it makes is voided, printed or SMS-only (no
      // phone was sent with the latter, so no SMS would ever have told them its number).
      this.voidWhenKnown(running, commandId, 'kiosk-timeout');
      return { ok: false, code: 'server-unavailable', message: serverAway };
    }
    const { outcome, seq } = answer;
    // The server adds the status page's token to a successful IssueTicket/CheckIn answer.
    const token = (answer as { statusToken?: unknown }).statusToken;
    const statusToken = typeof token === 'string' && /^[\w-]{16,100}$/.test(token) ? token : undefined;
    if (!outcome.ok || !outcome.ticketId) {
      this.journal.settled(commandId);
      return refused(outcome);
    }
    const ticketId = outcome.ticketId;
    this.journal.ticket(commandId, ticketId);
    const reached = await within(
      (async () => {
        if (req.phone) smsFollows = await this.sendContact(ticketId, req.phone);
        await this.link.reach(seq);
      })(),
      left(),
    );
    if (reached === TIMED_OUT) {
      this.opts.logger.warn({ ticketId }, 'the replica did not reach the new ticket in time; voiding it');
      this.voidWhenKnown(running, commandId, 'kiosk-timeout');
      return { ok: false, code: 'server-unavailable', message: serverAway };
    }
    const state = this.link.replica.state;
    const now = (this.opts.clock ?? Date.now)();
    // The figures the server fixed at issue (Ticket.atIssue), which its issued SMS says too (issue 13);
    // computed here only for a ticket from a server that does not fix them.
    const view = toldAtIssue(state, outcome.ticketId) ?? prospectiveView(state, outcome.ticketId, now);
    const service = state.config ? serviceOf(state.config, req.serviceId) : undefined;
    if (!view || !service || !state.config) throw new HallqError('INTERNAL', 'issued ticket missing from the replica', { ticketId: outcome.ticketId });
    const base = { ticketId: view.ticketId, number: view.number, position: view.position ?? 1, windows: view.windows, ...(view.estimatedWaitMinutes === undefined ? {} : { estimatedWaitMinutes: view.estimatedWaitMinutes, estimatedWait: waitWords(view.estimatedWaitMinutes) }), ...(statusToken ? { statusToken } : {}) };
    if (!print || !this.printer) {
      // The citizen is told its number now: nothing is left to void at the next start.
      this.journal.settled(commandId);
      return { ok: true, ...base, printed: false, ...told() };
    }
    const kept = own(state.tickets, view.ticketId)?.phoneMasked;
    try {
      const printed = await this.printer.print(
        printedTicket({
          hallName: state.config.name,
          number: view.number,
          serviceName: service.name,
          position: base.position,
          ...(view.estimatedWaitMinutes === undefined ? {} : { estimatedWaitMinutes: view.estimatedWaitMinutes }),
          windows: base.windows,
          issuedAt: now,
          utcOffsetMinutes: state.config.utcOffsetMinutes,
          ...(statusToken ? { statusUrl: statusUrlOf(this.opts.statusBaseUrl, statusToken) } : {}),
          // 短信通知 only for a phone the issued ticket kept (the core keeps none when the hall sends no SMS)
          // and that its SMS go to (the server holds it, or the island keeps it for the return).
          ...(kept && smsFollows ? { phoneMasked: kept } : {}),
          noShow: state.config.policy.noShow,
        }),
        // On disk before the bytes go out: an agent killed after the write keeps the ticket at its next start.
        { beforeWrite: () => this.journal.sent(commandId) },
      );
      // Sent, never confirmed nor failed: the citizen may hold the paper, so the number stands (the
      // driver marked the printer's health 'unconfirmed'). A number nobody holds costs one no-show.
      if (printed.confirmation === 'unconfirmed') this.opts.logger.warn({ ticketId: view.ticketId }, 'ticket sent but not confirmed by the printer; kept, not voided');
    } catch (e) {
      const code = e instanceof HallqError ? e.code : 'INTERNAL';
      // Only the device's word (paper out, cover open, cutter error) or a print never sent gets here.
      this.opts.logger.warn({ ticketId: view.ticketId, code }, 'print failed; voiding the number');
      await this.settle(commandId, view.ticketId, 'void', code);
      // No SMS ticket to offer in a hall that sends none: the desk, as when the printer was out before.
      return { ok: false, code: 'printer-unavailable', message: offerSms ? printerDown : printerDownNoSms };
    }
    // The cut is on disk before the server or the citizen hears of it.
    await this.settle(commandId, view.ticketId, 'cut');
    return { ok: true, ...base, printed: true, ...told() };
  }

  /**
   * Journals what the printer decided (printed or voided), sends it and waits a bounded time for the
   * server; past it the same id goes on being resolved in the background (and after a restart, from
   * the journal). The paper decides the answer.
   */
  private async settle(issueId: string, ticketId: string, step: 'cut' | 'void', reason?: string): Promise<void> {
    const settleId = randomUUID();
    this.journal.decide(issueId, ticketId, step, settleId, reason);
    const sent = sendDecision(this.link, this.journal, { issueId, ticketId, step, settleId, ...(reason === undefined ? {} : { reason }) });
    if ((await within(sent, this.opts.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS)) === TIMED_OUT) this.background(sent);
  }

  /**
   * The ticket's number for its SMS, to the server; in island mode (the island decided the ticket, or
   * began after the server's answer) kept sealed for the return (island/contacts.ts). Resolves with
   * whether the SMS will follow: a number the server cannot take, or the island cannot keep, costs the
   * citizen the SMS, not the ticket, and the citizen is told.
   */
  private async sendContact(ticketId: string, phone: string): Promise<boolean> {
    const island = this.opts.islandContacts;
    if (island && this.link.divert) {
      try {
        island.keep(ticketId, phone);
        return true;
      } catch (e) {
        this.opts.logger.error({ ticketId, code: isHallqError(e) ? e.code : 'INTERNAL' }, 'island mode: the citizen\u2019s number could not be kept (its file not written); no SMS for this ticket');
        return false;
      }
    }
    try {
      if (await this.link.sendContact(ticketId, phone)) return true;
      this.opts.logger.warn({ ticketId }, 'the server holds no contact for this ticket (SMS off, or another number given first); no SMS to this number');
    } catch (e) {
      this.opts.logger.warn({ ticketId, code: e instanceof HallqError ? (e.details?.['code'] ?? e.code) : 'INTERNAL' }, 'contact refused; no SMS for this ticket');
    }
    return false;
  }
}

/** Sends a journaled decision under its own id (a repeat gets the first answer) and marks it settled once answered. */
async function sendDecision(link: AgentLink, journal: KioskJournal, d: { issueId: string; ticketId: string; step: 'cut' | 'void'; settleId: string; reason?: string }): Promise<Outcome> {
  const outcome =
    d.step === 'cut'
      ? await link.send({ id: d.settleId, type: 'PrintConfirmed', ticketId: d.ticketId, source: 'kiosk' })
      : await link.send({ id: d.settleId, type: 'PrintFailed', ticketId: d.ticketId, reason: d.reason ?? PRINT_NOT_CONFIRMED, source: 'kiosk' });
  // Whatever the server decided (a repeat, a ticket already settled): nothing more to send.
  journal.settled(d.issueId);
  return outcome;
}

/** Journals and sends the void of a ticket no paper was confirmed for; resolves with whether it was voided now. */
async function voidTicket(link: AgentLink, journal: KioskJournal, issueId: string, ticketId: string, reason: string): Promise<boolean> {
  const settleId = randomUUID();
  journal.decide(issueId, ticketId, 'void', settleId, reason);
  return (await sendDecision(link, journal, { issueId, ticketId, step: 'void', settleId, reason })).ok;
}

/** The reason a ticket whose print this agent never sent is voided with (at the agent's start). */
export const PRINT_NOT_CONFIRMED = 'print not confirmed';
/** The reason an SMS-only ticket whose number the kiosk never showed is voided with (at the agent's start). */
export const SMS_NOT_TOLD = 'number not shown';

/** What resolveOpenPrints() settled: `sentKept` of the `confirmed` are prints sent but never confirmed, kept. */
export interface OpenPrintsSettled {
  confirmed: number;
  voided: number;
  sentKept: number;
}

/**
 * At the agent's start, before its kiosk takes a request: every printed issue of the journal not yet
 * settled (the agent died in between) is settled by its ids, once the link is up, by the live kiosk's
 * rule (a print is voided only when the device said it failed or nothing was sent). A confirmed cut is
 * sent again as PrintConfirmed under its first id; a decided void as PrintFailed; a print whose bytes
 * were handed to the printer (`sent`) and never confirmed is kept: confirmed as printed (PrintConfirmed,
 * so the server's print-confirm timeout does not void it later, and revives it if it already did) — a
 * number nobody holds costs one no-show, a voided number on paper costs a citizen their turn. An issue
 * never sent to the printer is voided ("print not confirmed"): its ticket, when the answer was lost too,
 * is found by sending the issue again under its id (the server answers a repeat with the first outcome;
 * one it never took makes a ticket that is voided at once). Resolves when all are settled; each is
 * tried until the server answers (the link sends the same id again).
 */
export async function resolveOpenPrints(link: AgentLink, journal: KioskJournal, logger: Logger): Promise<OpenPrintsSettled> {
  const open = journal.open();
  const counts: OpenPrintsSettled = { confirmed: 0, voided: 0, sentKept: 0 };
  await Promise.all(
    open.map(async (e) => {
      try {
        if ((e.step === 'cut' || e.step === 'void') && e.settleId && e.ticketId) {
          const r = await sendDecision(link, journal, { issueId: e.issueId, ticketId: e.ticketId, step: e.step, settleId: e.settleId, ...(e.reason === undefined ? {} : { reason: e.reason }) });
          if (r.ok) counts[e.step === 'cut' ? 'confirmed' : 'voided'] += 1;
          return;
        }
        let ticketId = e.ticketId;
        if (ticketId === undefined) {
          const { outcome } = await link.run(e.issue as Parameters<AgentLink['run']>[0]);
          if (!outcome.ok || !outcome.ticketId) return journal.settled(e.issueId);
          ticketId = outcome.ticketId;
        }
        if (e.step === 'sent') {
          logger.warn({ ticketId }, 'kiosk print sent by the last run, never confirmed: kept, confirmed as printed (not voided)');
          const settleId = randomUUID();
          journal.decide(e.issueId, ticketId, 'cut', settleId);
          if ((await sendDecision(link, journal, { issueId: e.issueId, ticketId, step: 'cut', settleId })).ok) {
            counts.confirmed += 1;
            counts.sentKept += 1;
          }
          return;
        }
        // An SMS-only ticket whose number its citizen was never shown (the agent died first) goes the same way.
        const sms = 'delivery' in e.issue && e.issue.delivery === 'sms';
        if (await voidTicket(link, journal, e.issueId, ticketId, sms ? SMS_NOT_TOLD : PRINT_NOT_CONFIRMED)) counts.voided += 1;
      } catch (err) {
        logger.warn({ issueId: e.issueId, err: err instanceof HallqError ? err.code : 'INTERNAL' }, 'kiosk print not settled at start');
      }
    }),
  );
  if (open.length > 0) logger.info({ open: open.length, ...counts }, 'kiosk prints left open by the last run settled');
  return counts;
}

/** The ticket as told at its issue, from the figures the deciding core fixed in it; undefined without them. */
function toldAtIssue(state: HallState, ticketId: string): TicketView | undefined {
  const t = own(state.tickets, ticketId);
  const f = t?.atIssue;
  if (!t || !f) return undefined;
  return { ticketId: t.id, number: t.number, serviceId: t.serviceId, status: t.status, position: f.position, windows: [...f.windows], ...(f.waitMinutes === undefined ? {} : { estimatedWaitMinutes: f.waitMinutes }) };
}

function withoutPhone(req: KioskRequest): KioskRequest {
  const { phone: _phone, phoneMasked: _masked, ...rest } = req;
  return rest;
}

/** Refusals of an issue that no printer changes (core/rejections.ts). */
const HALL_REFUSALS: ReadonlySet<string> = new Set(['unknown-service', 'hall-closed', 'outside-hours', 'issuing-stopped', 'quota-reached', 'numbers-out', 'no-window', 'id-required', 'id-invalid', 'per-id-open', 'per-id-daily', 'per-phone-open', 'per-phone-daily', 'unknown-appointment', 'appointment-used', 'appointment-too-early']);

function refused(o: Outcome): KioskResult {
  return o.ok ? { ok: false, code: 'invalid-command', message: { zh: '取号失败', en: 'No ticket' } } : { ok: false, code: o.code, message: o.message };
}
