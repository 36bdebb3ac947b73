/**
 * SMS on the hall server: contacts, outbox, delivery and retention around one database connection.
 * `startSms` builds it from `server.sms` and hooks it into the MQTT server (contact requests, and the
 * events of every durable append); with provider 'none' nothing starts and no number is stored.
 */
import type Database from 'better-sqlite3';
import { HallqError } from '../../../drivers/common/error.js';
import type { Logger } from '../../../drivers/common/logger.js';
import type { SmsConfig } from '../../config/schema.js';
import { own, type HallEvent, type HallState } from '../../core/index.js';
import type { HallEngine } from '../engine.js';
import type { MqttServer } from '../mqtt-server.js';
import { Contacts } from './contacts.js';
import { SmsDelivery } from './delivery.js';
import type { SmsHook } from './hook.js';
import { loadOrCreateKey } from './key-file.js';
import { Outbox } from './outbox.js';
import { RetentionJob } from './retention.js';
import { createSmsSender, type SenderHandle } from './sender-config.js';
import { openSmsDb } from './sms-db.js';
import { ratingLinkPlanner } from './rating-link.js';
import { RatingTokens, ratingKey } from '../auth/rating-token.js';
import { StatusTokens, statusKey } from '../auth/status-token.js';

export interface SmsServiceOptions {
  config: SmsConfig;
  /** The hall database (server.database); the key file defaults to `<database>.sms-key`. */
  database: string;
  engine: HallEngine;
  clock: () => number;
  logger: Logger;
  /** Instead of the configured provider (tests, rehearsals). */
  sender?: SenderHandle;
  /** The status page's base URL (the kiosks' `statusBaseUrl`): the issued texts link the same page as the printed QR code. */
  statusBaseUrl?: string;
}

export class SmsService implements SmsHook {
  readonly contacts: Contacts;
  readonly outbox: Outbox;
  readonly delivery: SmsDelivery;
  readonly retention: RetentionJob;
  private readonly log: Logger;
  private mqtt: MqttServer | undefined;

  outboxCounts(): Readonly<Record<string, number>> {
    return this.outbox.countByState();
  }

  modemStatus(): { port: string; ready: boolean } | undefined {
    const m = this.handle.modem;
    return m && { port: m.port, ready: m.ready() };
  }

  private constructor(
    private readonly o: SmsServiceOptions,
    private readonly db: Database.Database,
    private readonly handle: SenderHandle,
  ) {
    this.log = o.logger.child({ component: 'sms' });
    // A hall day already run: the database has history its key was made for.
    const key = loadOrCreateKey({ keyFile: o.config.keyFile, database: o.database, logger: this.log, history: o.engine.openedWithHistory });
    this.contacts = new Contacts(db, key, o.clock);
    const rating = o.config.ratingLink;
    const planner = rating ? ratingLinkPlanner(() => o.engine.state, new RatingTokens(ratingKey(o.database, this.log, o.engine.openedWithHistory), o.engine.state.config?.id ?? 'hall'), rating) : undefined;
    this.outbox = new Outbox(db, this.contacts, o.clock, planner);
    this.delivery = new SmsDelivery({
      outbox: this.outbox,
      contacts: this.contacts,
      sender: handle.sender,
      state: () => o.engine.state,
      templates: o.config.templates,
      backoffSeconds: o.config.backoffSeconds,
      maxAttempts: o.config.maxAttempts,
      clock: o.clock,
      logger: this.log,
      ...(handle.prepare ? { prepare: handle.prepare } : {}),
      ...(o.statusBaseUrl === undefined ? {} : { statusUrlOf: statusUrls(o.statusBaseUrl, new StatusTokens(statusKey(o.database, this.log, o.engine.openedWithHistory), o.engine.state.config?.id ?? 'hall'), () => o.engine.state) }),
    });
    this.retention = new RetentionJob({ contacts: this.contacts, outbox: this.outbox, retentionDays: o.config.retentionDays, clock: o.clock, logger: this.log });
  }

  /** undefined when SMS is off (provider 'none' and no sender given). */
  static open(o: SmsServiceOptions): SmsService | undefined {
    const handle = o.sender ?? createSmsSender(o.config, o.logger.child({ component: 'sms-sender' }));
    if (!handle) return undefined;
    const db = openSmsDb(o.database, o.logger);
    try {
      return new SmsService(o, db, handle);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Purges old numbers, settles rows left in flight, catches up on notices owed, starts sending; hooks into `mqtt`. */
  start(mqtt?: MqttServer): void {
    this.retention.start();
    let owed = 0;
    for (const ticketId of this.contacts.ticketIds()) owed += this.outbox.enqueue(this.owedEvents(ticketId));
    if (owed > 0) this.log.info({ rows: owed }, 'sms notices caught up from the event log');
    this.delivery.start();
    if (mqtt) {
      mqtt.sms = this;
      this.mqtt = mqtt;
    }
  }

  /**
   * A kiosk's contact request: the citizen's number for SMS about one ticket. True when the server holds
   * this number for it (stored now, or the same number sent before); false for a ticket it does not
   * know, or when another number was given first (that one stands: a second request never redirects a
   * ticket's SMS). `agent`, the authenticated sender: a ticket issued by another kiosk's agent is refused
   * (HallqError FORBIDDEN), so one kiosk's password cannot attach a number to the hall's other tickets.
   */
  contact(ticketId: string, phone: string, agent?: string): boolean {
    const ticket = own(this.o.engine.state.tickets, ticketId);
    if (ticket === undefined) {
      this.log.warn({ ticketId }, 'contact for an unknown ticket ignored');
      return false;
    }
    if (agent !== undefined && ticket.kioskAgent !== undefined && ticket.kioskAgent !== agent) {
      throw new HallqError('FORBIDDEN', `ticket ${ticketId} was issued by another kiosk: its contact number comes only from that kiosk`, { messageZh: `票号 ${ticketId} 由另一台取号机发出：其联系电话只能来自该取号机` });
    }
    const put = this.contacts.put(ticketId, phone);
    if (put === 'other') {
      this.log.warn({ ticketId }, 'a second, different contact number for a ticket ignored; the first stands');
      return false;
    }
    // Notices already due (an SMS-only ticket is waiting, so told, at issue) are owed now.
    if (this.outbox.enqueue(this.owedEvents(ticketId)) > 0) this.delivery.kick();
    this.log.info({ ticketId, stored: put === 'stored' }, 'sms contact received');
    return true;
  }

  afterAppend(events: readonly HallEvent[]): void {
    try {
      if (this.outbox.enqueue(events) > 0) this.delivery.kick();
    } catch (e) {
      // The notice stays owed: the next start (or a repeated contact) enqueues it from the log.
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'sms enqueue failed');
    }
  }

  async stop(): Promise<void> {
    if (this.mqtt?.sms === this) this.mqtt.sms = undefined;
    this.retention.stop();
    await this.delivery.stop();
    await this.handle.close();
    this.db.close();
  }

  /** The NotificationDue events the core already made for a ticket, read back from the log by their seqs. */
  private owedEvents(ticketId: string): HallEvent[] {
    const t = own(this.o.engine.state.tickets, ticketId);
    if (!t) return [];
    const seqs = new Set(Object.values(t.notified).filter((s): s is number => typeof s === 'number'));
    return [...seqs].flatMap((seq) => this.o.engine.eventsAfter(seq - 1, 1).filter((e) => e.seq === seq && e.type === 'NotificationDue' && e.ticketId === ticketId));
  }
}

/**
 * Opens and starts SMS for a running server, hooked into its MQTT side. Returns undefined when SMS is
 * off; otherwise stop it before the engine closes.
 */
export function startSms(o: SmsServiceOptions & { mqtt: MqttServer }): SmsService | undefined {
  const service = SmsService.open(o);
  service?.start(o.mqtt);
  return service;
}

/** Each ticket's status page URL, as the kiosk prints it in the QR code (src/agent/flows/kiosk.ts statusUrlOf). */
function statusUrls(base: string, tokens: StatusTokens, state: () => HallState): (ticketId: string) => string {
  return (ticketId) => `${base.replace(/\/$/, '')}/s/${encodeURIComponent(tokens.tokenOf(state(), ticketId))}`;
}
