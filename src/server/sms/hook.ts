import type { HallEvent } from '../../core/index.js';

/** What the MQTT server calls into when SMS is on (MqttServer.sms); absent when it is off. */
export interface SmsHook {
  /** A `contact` request: true when a number is held for the ticket (now or from before). Throws PAYLOAD_INVALID for a bad number. */
  contact(ticketId: string, phone: string): boolean;
  /** After each durable append, with its events. Never throws. */
  afterAppend(events: readonly HallEvent[]): void;
  /** Outbox rows by state, for /metrics (hallq_sms_outbox_messages). */
  outboxCounts?(): Readonly<Record<string, number>>;
  /** With a GSM modem: its port and whether it is initialised (PDU mode) with its link open, for /metrics (hallq_sms_modem_ready); undefined with a gateway. */
  modemStatus?(): { port: string; ready: boolean } | undefined;
}
