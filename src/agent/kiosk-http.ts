import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from '../../drivers/common/logger.js';
import { isHallqError } from '../../drivers/common/error.js';
import { isStoreFailure, storeError } from '../store/errors.js';
import { zhText } from '../../drivers/common/invalid-text.js';
import { emergencyPresetOf, maskPhone, nationalMobile, openStatuses, own, rejectionMessages, type HallState, type PersonInput } from '../core/index.js';
import { createHttpApp, listen, type HttpOptions } from '../http/app.js';
import { sendError } from '../http/errors.js';
import { registerStatic, sendPage, sseStream } from '../web/routes.js';
import { findAppointment, findCheckedIn, type CheckInBy } from './flows/appointment-lookup.js';
import { statusUrlOf, type KioskFlow } from './flows/kiosk.js';
import type { AgentLink } from './link.js';

/**
 * How long a card read and not used is held without a sign of its citizen (the read, a touch on the
 * kiosk page): the page's own idle reset (30 s without a touch), so a card the page did not cancel (the
 * page closed or restarting, a touch screen left alone) is not there for the next citizen either.
 */
export const CARD_HOLD_MS = 30_000;

/**
 * The card on the reader, held for one ticket: taken by the first issue or check-in that uses it,
 * forgotten when it is taken off the reader (hardware.ts: the reader's `removed`), when the page cancels
 * it, and `holdMs` after the read or the page's last touch. `clock` decides the expiry (tests inject one);
 * a timer only tells the page in time.
 */
export class CardSlot {
  private person: PersonInput | undefined;
  /** When the card was read or the page last touched while it was held (clock ms). */
  private since = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly holdMs: number;
  private readonly clock: () => number;
  constructor(o: { holdMs?: number; clock?: () => number } = {}) {
    this.holdMs = o.holdMs ?? CARD_HOLD_MS;
    this.clock = o.clock ?? Date.now;
  }
  put(person: PersonInput): void {
    this.person = person;
    this.hold();
    this.changed();
  }
  /** The citizen is still at the kiosk (the page was touched): a card held is kept `holdMs` from now. */
  touch(): void {
    if (this.current()) this.hold();
  }
  take(): PersonInput | undefined {
    const p = this.current();
    this.clear();
    return p;
  }
  peek(): PersonInput | undefined {
    return this.current();
  }
  /** Forgets the card; true when one was held. */
  clear(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.person) return false;
    this.person = undefined;
    this.changed();
    return true;
  }
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** The card held, unless its time is up (then forgotten now). */
  private current(): PersonInput | undefined {
    if (this.person && this.clock() - this.since >= this.holdMs) this.clear();
    return this.person;
  }
  private hold(): void {
    this.since = this.clock();
    this.arm(this.holdMs);
  }
  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Expired by the clock: forgotten (and the page told); a timer early by the clock waits the rest.
      if (this.current()) this.arm(Math.max(1, this.since + this.holdMs - this.clock()));
    }, ms);
    this.timer.unref();
  }
  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

/** What the kiosk page posts. Strict: unknown keys are refused. */
export const kioskSchemas = {
  issue: z.strictObject({ serviceId: z.string().min(1).max(40), phone: z.string().max(32).optional(), smsOnly: z.boolean().optional() }),
  wedge: z.strictObject({ idNumber: z.string().max(32) }),
  /**
   * Appointment check-in by the code or the mobile number given to the platform; neither: the card on the
   * reader. `card: true` looks up by the card even with a `phone`, which is then only where the SMS ticket
   * goes (the printer out).
   */
  checkIn: z.strictObject({ code: z.string().regex(/^[A-Za-z0-9]{4,32}$/, zhText('an appointment code: 4 to 32 letters and digits', '预约码：4 至 32 位字母或数字')).optional(), card: z.literal(true).optional(), phone: z.string().max(32).optional(), smsOnly: z.boolean().optional() }),
  empty: z.strictObject({}),
};

export interface KioskHttpOptions {
  host: string;
  port: number;
  /** The server's address as citizens' phones reach it (the status page's QR). */
  statusBaseUrl: string;
  /** A keyboard-wedge reader typed an ID number into the page. */
  wedge?: (idNumber: string) => boolean;
  /** The hall's ID hash key (agent.idHashKeyFile): appointment check-in by phone or code hashes with it. */
  idHashKey?: Buffer;
  http?: Omit<HttpOptions, 'logger'>;
  /** More routes on the same listener: the agent's /livez, /readyz and /metrics (health-http.ts). */
  extraRoutes?: KioskExtraRoutes;
  /** The config key named when the port cannot be bound (`agents[<id>].kiosk.port`). */
  key?: string;
  /** Collect the routes for the OpenAPI document (`npm run openapi`); the running agent never loads @fastify/swagger. */
  openapi?: boolean;
  /** The stream's snapshot besides those sent on a change, ms (default 2000). */
  snapshotEveryMs?: number;
}

export type KioskExtraRoutes = (app: FastifyInstance) => void;

/**
 * The kiosk page the agent serves to the touch screen beside it (Chromium in kiosk mode): the service
 * menu, the card on the reader, the printer's state, and taking a number through the kiosk flow.
 * The same Fastify setup as the server (src/http): JSON only, one error shape, zod-validated bodies.
 */
/**
 * The emergency notice for the kiosk page: its text as raised, and the preset's English when it was
 * raised from a preset without an own text (the page in English shows that; a manager's own words as written).
 */
function noticeOf(state: HallState): { kind: string; text: string; textEn?: string } | null {
  const e = state.emergency;
  if (!e) return null;
  const preset = e.preset === undefined ? undefined : emergencyPresetOf(e.preset);
  return { kind: e.kind, text: e.text, ...(preset && preset.text.zh === e.text ? { textEn: preset.text.en } : {}) };
}

export async function buildKioskApp(link: AgentLink, kiosk: KioskFlow, card: CardSlot, opts: KioskHttpOptions, logger: Logger): Promise<FastifyInstance> {
  const app = createHttpApp({ ...opts.http, bodyLimit: opts.http?.bodyLimit ?? 4 * 1024, logger });
  if (opts.openapi) {
    const { kioskApi, registerOpenApi } = await import('../http/openapi.js');
    await registerOpenApi(app, kioskApi);
  }
  await registerStatic(app);
  opts.extraRoutes?.(app);
  const info = () => {
    const c = link.replica.state.config;
    const person = card.peek();
    return {
      hall: c?.name ?? { zh: '', en: '' },
      services: (c?.services ?? []).map((s) => ({ id: s.id, zh: s.name.zh, en: s.name.en, idRequired: s.idRequired })),
      canPrint: kiosk.canPrint(),
      // Whether the hall sends SMS (the server's config, HallConfigured) and a phone given is taken for them now
      // (in island mode kept until the server is back): false, the page asks for no phone and offers no SMS ticket.
      sms: kiosk.smsEnabled(),
      // Whether an SMS-only ticket is offered when the printer is out (not in island mode: its number would wait for the server).
      smsOnly: kiosk.smsOnlyOffered(),
      card: person ? { nameMasked: person.nameMasked ?? '', idMasked: person.idMasked } : null,
      // The emergency notice in force (the kiosk shows it and issues nothing), from the replica.
      emergency: noticeOf(link.replica.state),
    };
  };
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/', { schema: { hide: true } }, (_req, reply) => sendPage(reply, 'kiosk.html'));
  r.get('/kiosk', { schema: { hide: true } }, (_req, reply) => sendPage(reply, 'kiosk.html'));
  r.get('/kiosk/api/info', { schema: { summary: 'The service menu, the card on the reader (masked), whether the printer can print and whether the hall sends SMS' } }, (_req, reply) => reply.header('cache-control', 'no-store').send(info()));
  r.get('/kiosk/api/stream', { schema: { summary: 'The same as /kiosk/api/info as server-sent events (event: snapshot)' } }, (_req, reply) => {
    // A snapshot on every change it hears of (the card, the notice, the printer's health: a roll back is
    // offered at once, issue after the tryout's 3.9 s), and every 2 s as well for what it does not.
    sseStream(reply, () => JSON.stringify(info()), (fn) => {
      const off = card.onChange(fn);
      const offPrinter = kiosk.onPrinterChange(fn);
      const offNotice = link.onEvent((e) => {
        if (e.type === 'EmergencyRaised' || e.type === 'EmergencyCleared') fn();
      });
      const timer = setInterval(fn, opts.snapshotEveryMs ?? 2000);
      return () => {
        off();
        offPrinter();
        offNotice();
        clearInterval(timer);
      };
    }, undefined, 0);
  });
  r.post('/kiosk/api/wedge', { schema: { body: kioskSchemas.wedge, summary: 'An ID number typed by a keyboard-wedge reader (hashed and masked at once, never kept)' } }, (req, reply) => {
    const ok = opts.wedge !== undefined && opts.wedge(req.body.idNumber);
    return ok ? reply.send({ ok: true }) : sendError(reply, 400, 'id-invalid', 'The ID number is not valid', '身份证号码无效');
  });
  r.post('/kiosk/api/cancel-card', { schema: { body: kioskSchemas.empty.optional(), summary: 'Forget the card on the reader' } }, (_req, reply) => {
    card.clear();
    return reply.send({ ok: true });
  });
  r.post('/kiosk/api/touch', { schema: { body: kioskSchemas.empty.optional(), summary: 'The citizen touched the page: a card read is held 30 s from now (unused and untouched, it is forgotten)' } }, (_req, reply) => {
    card.touch();
    return reply.send({ ok: true });
  });
  // The server could not save (a full disk: its answer STORE_IO): no ticket now, nor on a retry until the
  // technician frees space, so the citizen is sent to the desk, not told to try again; warned once per episode.
  let storeFailing = false;
  const failed = (reply: FastifyReply, e: unknown, what: string) => {
    // The server's disk (its answer), or this kiosk's own (the island file or the print journal, written
    // before a ticket is printed: a full agent disk in an island): either way no ticket until someone frees space.
    const server = isHallqError(e, 'SERVER_CANNOT_SAVE');
    if (server || isStoreFailure(e)) {
      const whose = server ? 'the hall server cannot save (its disk full or failing)' : `this kiosk cannot save to its own disk (its island file or print journal: ${storeReason(e)})`;
      if (!storeFailing) logger.warn(server ? { code: e.details?.['code'] } : { code: isHallqError(e) ? e.code : 'STORE_IO' }, `${what}: ${whose}; citizens are sent to the desk (said once until it works again)`);
      storeFailing = true;
      return sendError(reply, 503, 'store-failing', 'Tickets cannot be issued just now; please ask the staff at the desk', '暂时无法取号，请咨询导办人员');
    }
    logger.error({ err: String(e) }, what);
    return sendError(reply, 500, 'internal', 'The system is busy, please try again', '系统繁忙，请稍后再试');
  };
  const worked = () => {
    if (storeFailing) logger.info({}, 'the hall server saves again: kiosk tickets issue');
    storeFailing = false;
  };
  r.post('/kiosk/api/issue', { schema: { body: kioskSchemas.issue, summary: 'Take a number: issue, print (or SMS only), answer with the number, position and the status page URL' } }, async (req, reply) => {
    const body = req.body;
    const phone = phoneIn(body);
    const refused = phoneRefusal(body, phone, kiosk) ?? smsWithoutPhone(body, phone);
    if (refused) return sendError(reply, ...refused);
    const person = card.take();
    try {
      const r = await kiosk.issue({ serviceId: body.serviceId, ...(person ? { person } : {}), ...(phone ? { phoneMasked: maskPhone(phone), phone } : {}), ...(body.smsOnly === true ? { smsOnly: true } : {}) });
      worked();
      if (!r.ok) return sendError(reply, refusalStatus(r.code), r.code, r.message.en, r.message.zh);
      const { statusToken, ...rest } = r;
      return reply.header('cache-control', 'no-store').send({ ...rest, ...(statusToken ? { statusUrl: statusUrlOf(opts.statusBaseUrl, statusToken) } : {}) });
    } catch (e) {
      return failed(reply, e, 'kiosk issue failed');
    }
  });
  r.post('/kiosk/api/check-in', { schema: { body: kioskSchemas.checkIn, summary: "Check in today's appointment by its code, the mobile number given when booking, or the ID card on the reader; the existing on-time rules apply" } }, async (req, reply) => {
    const body = req.body;
    const phone = phoneIn(body);
    const refused = phoneRefusal(body, phone, kiosk);
    if (refused) return sendError(reply, ...refused);
    const person = card.peek();
    if (body.card === true && !person) return sendError(reply, 400, 'no-card', 'Place your ID card on the reader', '请将身份证放在读卡器上');
    // By the card when asked: a phone given with it is the SMS ticket's, not the booking's (the printer out).
    const by: CheckInBy | undefined = body.code ? { code: body.code } : body.card === true && person ? { idHash: person.idHash } : phone ? { phone } : person ? { idHash: person.idHash } : undefined;
    if (!by) return sendError(reply, 400, 'check-in-how', 'Enter the appointment code or mobile number, or place your ID card on the reader', '请输入预约码或手机号，或将身份证放在读卡器上');
    const state = link.replica.state;
    // A code or phone is looked up by its keyed hash: without the key only the card can be.
    const canLook = opts.idHashKey !== undefined || 'idHash' in by;
    const a = canLook ? findAppointment(state, opts.idHashKey ?? '', by) : undefined;
    // Checked in before (a second tap, a retry): its number, not "no appointment".
    const used = a || !canLook ? undefined : findCheckedIn(state, opts.idHashKey ?? '', by);
    const held = used?.ticketId === undefined ? undefined : own(state.tickets, used.ticketId);
    if (held) return sendError(reply, 409, 'appointment-checked-in', ...alreadyCheckedIn(held.number, openStatuses.has(held.status)));
    // Looked up by the card: words for a card (the citizen typed nothing there is to check).
    if (!a && 'idHash' in by) return sendError(reply, 404, 'unknown-appointment-card', 'No appointment today for this ID card', '没有这张身份证今日的预约');
    if (!a) return sendError(reply, 404, 'unknown-appointment', 'No appointment for today', '没有今日的预约');
    // After the lookup: the page asks for the SMS ticket's phone only once a booking is found (a wrong
    // code is told before the citizen types a phone), by sending the check-in without one first.
    const noPhone = smsWithoutPhone(body, phone);
    if (noPhone) return sendError(reply, ...noPhone);
    if ('idHash' in by) card.take();
    try {
      const r = await kiosk.issue({ serviceId: a.serviceId, appointmentId: a.id, ...(phone ? { phoneMasked: maskPhone(phone), phone } : {}), ...(body.smsOnly === true ? { smsOnly: true } : {}) });
      worked();
      if (!r.ok) return sendError(reply, refusalStatus(r.code), r.code, r.message.en, r.message.zh);
      const { statusToken, ...rest } = r;
      return reply.header('cache-control', 'no-store').send({ ...rest, ...(statusToken ? { statusUrl: statusUrlOf(opts.statusBaseUrl, statusToken) } : {}) });
    } catch (e) {
      return failed(reply, e, 'kiosk check-in failed');
    }
  });
  return app;
}

/**
 * The body's mobile number in its national form (`+86 138-1234-5678` → `13812345678`: core/mask.ts
 * nationalMobile), so the SMS, the masked copy and a booking's phone hash all read the same digits;
 * undefined when none was typed or it is no mobile number (phoneRefusal tells the two apart).
 */
function phoneIn(body: { phone?: string | undefined }): string | undefined {
  return body.phone === undefined ? undefined : nationalMobile(body.phone);
}

/** A phone that is no mainland mobile number, in English and Chinese: what is wanted, and an example in the grouping people write. */
const PHONE_INVALID = ['Not a mainland mobile number: enter its 11 digits, e.g. 138 0013 8000', '不是有效的中国大陆手机号码：请输入11位手机号，例如 138 0013 8000'] as const;

/** A refusal as sendError's arguments after the reply: status, code, English, Chinese. */
type Refusal = [400 | 409 | 503, string, string, string];

/**
 * What the issue and check-in routes refuse before a card or a booking is touched: a phone that is no
 * mobile number (400 phone-invalid), an SMS-only ticket in a hall that sends no SMS (409 sms-off).
 */
function phoneRefusal(body: { phone?: string | undefined; smsOnly?: boolean | undefined }, phone: string | undefined, kiosk: Pick<KioskFlow, 'smsEnabled' | 'smsAway'>): Refusal | undefined {
  if (phone === undefined && body.phone !== undefined && body.phone.trim() !== '') return [400, 'phone-invalid', ...PHONE_INVALID];
  // Island mode: no SMS until the server is back (503: try again later, or take a printed ticket).
  if (body.smsOnly === true && kiosk.smsAway()) return [503, 'sms-unavailable', 'SMS tickets are not available just now; please ask the staff at the desk', '暂时无法短信取号，请咨询导办人员'];
  if (body.smsOnly === true && !kiosk.smsEnabled()) return [409, 'sms-off', rejectionMessages['sms-off'].en, rejectionMessages['sms-off'].zh];
  return undefined;
}

/** An SMS-only ticket without a number to send it to (400 phone-required): the issue's before the card, the check-in's after its lookup. */
function smsWithoutPhone(body: { smsOnly?: boolean | undefined }, phone: string | undefined): Refusal | undefined {
  return body.smsOnly === true && phone === undefined ? [400, 'phone-required', 'An SMS ticket needs a mobile number', '短信取号需要手机号码'] : undefined;
}

/** An appointment checked in before, in English and Chinese: its number, and whether to wait for the call or ask at the desk. */
function alreadyCheckedIn(number: string, waiting: boolean): [string, string] {
  return waiting
    ? [`Already checked in: your number is ${number}; please wait for your call`, `该预约已签到，您的号码是 ${number}，请留意叫号`]
    : [`Already checked in today (number ${number}): please ask the staff at the desk`, `该预约今日已签到（号码 ${number}），请咨询导办人员`];
}

/** A kiosk flow's refusal as an HTTP status: 503 when the printer or the server is away (try again), 409 when the hall refuses. */
function refusalStatus(code: string): 409 | 503 {
  return code === 'printer-unavailable' || code === 'server-unavailable' || code === 'sms-unavailable' ? 503 : 409;
}

/** A store failure in words (no path or row in it: SQLite's result code worded, e.g. the disk is full). */
function storeReason(e: unknown): string {
  return storeError(e, { en: 'write failed', zh: '写入失败' }).message;
}

/** Builds the kiosk app and listens; resolves with the Node server. */
export async function startKioskHttp(link: AgentLink, kiosk: KioskFlow, card: CardSlot, opts: KioskHttpOptions, logger: Logger): Promise<FastifyInstance['server']> {
  const app = await buildKioskApp(link, kiosk, card, opts, logger);
  return listen(app, opts.host, opts.port, opts.key ?? 'kiosk.port');
}
