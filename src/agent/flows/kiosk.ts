import { HallqError } from '../../../drivers/common/error.js';
import type { Logger } from '../../../drivers/common/logger.js';
import type { EscPosPrinter } from '../../../drivers/printer/driver.js';
import { localTime, maskPhone, prospectiveView, serviceOf, type Lang, type Outcome, type PersonInput } from '../../core/index.js';
import type { AgentLink } from '../link.js';
import { ticketDocument } from '../ticket-document.js';

export interface KioskRequest {
  serviceId: string;
  person?: PersonInput;
  phoneMasked?: string;
  /** The raw mobile number for SMS: sent to the server apart from the command (never in an event). */
  phone?: string;
  priority?: boolean;
  /** The citizen chose an SMS-only ticket (the printer is out of paper). */
  smsOnly?: boolean;
}

export type KioskResult =
  | { ok: true; ticketId: string; number: string; position: number; windows: number[]; printed: boolean; /** The status page's unguessable token, from the server's answer. */ statusToken?: string }
  | { ok: false; code: string; message: Lang };

/** The ticket status page of a token: `<base>/s/<token>` (the server's public status page). */
export function statusUrlOf(base: string, token: string): string {
  return `${base.replace(/\/$/, '')}/s/${encodeURIComponent(token)}`;
}

const printerDown: Lang = { zh: '打印机暂时无法出票，可选择短信取号', en: 'The printer cannot print now; you may take an SMS ticket' };

/**
 * Taking a number at the kiosk: the ticket is issued (durable on the server) before it is printed,
 * and a failed print voids the number instead of leaving a ghost in the queue.
 */
export class KioskFlow {
  constructor(
    private readonly link: AgentLink,
    private readonly printer: EscPosPrinter | undefined,
    private readonly opts: { statusBaseUrl: string; logger: Logger; clock?: () => number },
  ) {}

  /** Whether a printed ticket can be offered now (the kiosk page offers SMS-only otherwise). */
  canPrint(): boolean {
    const h = this.printer?.health;
    return this.printer !== undefined && h !== 'out' && h !== 'offline';
  }

  /** Today's booked appointment of this person for this service, from the replica. */
  appointmentFor(idHash: string, serviceId: string): string | undefined {
    const state = this.link.replica.state;
    const offset = state.config?.utcOffsetMinutes ?? 480;
    return Object.values(state.appointments).find(
      (a) => a.status === 'booked' && a.person.idHash === idHash && a.serviceId === serviceId && localTime(a.slotStart, offset).day === state.day,
    )?.id;
  }

  async issue(req: KioskRequest): Promise<KioskResult> {
    const print = !req.smsOnly;
    const phoneMasked = req.phoneMasked ?? (req.phone ? maskPhone(req.phone) : undefined);
    if (print && !this.canPrint()) return { ok: false, code: 'printer-unavailable', message: printerDown };
    // A card with a booked appointment for this service today checks in (served with priority when on time).
    const appointment = req.person ? this.appointmentFor(req.person.idHash, req.serviceId) : undefined;
    const answer = await this.link.run(
      appointment
        ? { type: 'CheckIn', appointmentId: appointment, delivery: print ? 'print' : 'sms', source: 'kiosk', ...(phoneMasked ? { phoneMasked } : {}) }
        : {
            type: 'IssueTicket',
            serviceId: req.serviceId,
            delivery: print ? 'print' : 'sms',
            source: 'kiosk',
            ...(req.person ? { person: req.person } : {}),
            ...(phoneMasked ? { phoneMasked } : {}),
            ...(req.priority ? { priority: true } : {}),
          },
    );
    const { outcome, seq } = answer;
    // The server adds the status page's token to a successful IssueTicket/CheckIn answer.
    const token = (answer as { statusToken?: unknown }).statusToken;
    const statusToken = typeof token === 'string' && /^[\w-]{16,100}$/.test(token) ? token : undefined;
    if (!outcome.ok || !outcome.ticketId) return refused(outcome);
    if (req.phone) await this.sendContact(outcome.ticketId, req.phone);
    await this.link.reach(seq);
    const state = this.link.replica.state;
    const now = (this.opts.clock ?? Date.now)();
    const view = prospectiveView(state, outcome.ticketId, now);
    const service = state.config ? serviceOf(state.config, req.serviceId) : undefined;
    if (!view || !service || !state.config) throw new HallqError('INTERNAL', 'issued ticket missing from the replica', { ticketId: outcome.ticketId });
    const base = { ticketId: view.ticketId, number: view.number, position: view.position ?? 1, windows: view.windows, ...(statusToken ? { statusToken } : {}) };
    if (!print || !this.printer) return { ok: true, ...base, printed: false };
    try {
      await this.printer.print(
        ticketDocument({
          hallName: state.config.name,
          number: view.number,
          serviceName: service.name,
          position: base.position,
          ...(view.estimatedWaitMinutes === undefined ? {} : { estimatedWaitMinutes: view.estimatedWaitMinutes }),
          windows: base.windows,
          issuedAt: now,
          utcOffsetMinutes: state.config.utcOffsetMinutes,
          ...(statusToken ? { statusUrl: statusUrlOf(this.opts.statusBaseUrl, statusToken) } : {}),
          ...(phoneMasked ? { phoneMasked } : {}),
          noShow: state.config.policy.noShow,
        }),
      );
    } catch (e) {
      const code = e instanceof HallqError ? e.code : 'INTERNAL';
      this.opts.logger.warn({ ticketId: view.ticketId, code }, 'print failed; voiding the number');
      await this.link.send({ type: 'PrintFailed', ticketId: view.ticketId, reason: code, source: 'kiosk' });
      return { ok: false, code: 'printer-unavailable', message: printerDown };
    }
    await this.link.send({ type: 'PrintConfirmed', ticketId: view.ticketId, source: 'kiosk' });
    return { ok: true, ...base, printed: true };
  }

  /** A number the server cannot take costs the citizen the SMS, not the ticket. */
  private async sendContact(ticketId: string, phone: string): Promise<void> {
    try {
      if (!(await this.link.sendContact(ticketId, phone))) this.opts.logger.warn({ ticketId }, 'server keeps no contact (SMS off); no SMS for this ticket');
    } catch (e) {
      this.opts.logger.warn({ ticketId, code: e instanceof HallqError ? (e.details?.['code'] ?? e.code) : 'INTERNAL' }, 'contact refused; no SMS for this ticket');
    }
  }
}

function refused(o: Outcome): KioskResult {
  return o.ok ? { ok: false, code: 'invalid-command', message: { zh: '取号失败', en: 'No ticket' } } : { ok: false, code: o.code, message: o.message };
}
