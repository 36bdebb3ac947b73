import type { HallEvent } from '../../core/index.js';

/** What the MQTT server calls into when SMS is on (MqttServer.sms); absent when it is off. */
export interface SmsHook {
  /**
   * A `contact` request from `agent` (the authenticated sender): true when this number is held for the
   * ticket (now or from before), false for an unknown ticket or when another number was given first.
   * Throws PAYLOAD_INVALID for a bad number, FORBIDDEN for a ticket another kiosk's agent issued.
   */
  contact(ticketId: string, phone: string, agent?: string): boolean;
  /** After each durable append, with its events. Never throws. */
  afterAppend(events: readonly HallEvent[]): void;
  /** Outbox rows by state, for /metrics (hallq_sms_outbox_messages). */
  outboxCounts?(): Readonly<Record<string, number>>;
  /** With a GSM modem: its port and whether it is initialised (PDU mode) with its link open, for /metrics (hallq_sms_modem_ready); undefined with a gateway. */
  modemStatus?(): { port: string; ready: boolean } | undefined;
}
