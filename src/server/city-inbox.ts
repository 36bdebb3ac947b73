import { zhText } from '../../drivers/common/invalid-text.js';
import { z } from 'zod';
import type { Logger } from '../../drivers/common/logger.js';
import { describeInvalid, parseJson, type Response } from '../bus/messages.js';
import { EMERGENCY_TEXT_MAX, type Command, type Outcome } from '../core/index.js';
import { platformAppointment, type ImportResult } from './platform/appointment-input.js';

/**
 * What the city sends a hall (docs/city.md, "City → hall"): appointments and notices, on
 * `hallq/v1/<hall>/city/in/appointments` and `…/city/in/notice`, carried by the hall's bridge from
 * `city/<hall>/in/…` on the city cluster.
 *
 * Trust by identity: on the hall broker only the user `city` (the bridge's local user) may publish
 * under `city/in/` (src/bus/acl.ts), so a message on these topics came from the city cluster, where
 * only the city service may publish `city/<hall>/in/…` (src/city/nats-config.ts). Nothing in the
 * payload is trusted for who sent it.
 *
 * Appointments go through the platform's appointment import (src/server/platform/appointment-import.ts):
 * idempotent by the platform id, a change or cancellation of a known one changes it. Notices are the
 * hall's emergency notices (src/core/emergency.ts): raise (preset or text) or clear, each a command
 * whose id derives from the message id, so a redelivered message changes nothing; a notice past its
 * `until` is not applied (side effects follow what is current, not a message that waited out a WAN cut).
 *
 * Every message is answered on `res/city` (bridged back to `city/<hall>/res/city`) with its id.
 */
const messageId = z.string().regex(/^[\w.:-]{1,80}$/, zhText('letters, digits and _ . : - (at most 80)', '字母、数字及 _ . : -（最多 80 个）'));

/** The bodies the city's API takes (src/city/http.ts); the messages add the id. */
export const cityAppointmentsBody = z.strictObject({ appointments: z.array(platformAppointment).min(1).max(500) });
/** ISO 8601 with offset: not applied after this (a notice that waited out a WAN cut). */
const until = z.iso.datetime({ offset: true }).optional();
const raise = z.strictObject({
  action: z.literal('raise'),
  /** One of the hall's emergency presets (src/core/emergency.ts), or… */
  preset: z.string().max(40).optional(),
  /** …a text of its own (screens show it, the voice reads it). */
  text: z.string().trim().min(1).max(EMERGENCY_TEXT_MAX).optional(),
  kind: z.enum(['emergency', 'evacuation']).optional(),
  until,
});
const clear = z.strictObject({ action: z.literal('clear'), until });
/** A raise says what: a preset or a text (a raise of neither would show nothing). */
const raiseSaysWhat = (n: { action: string; preset?: string | undefined; text?: string | undefined }) => n.action !== 'raise' || n.preset !== undefined || n.text !== undefined;
const saysWhat = { message: zhText('a raise needs preset (one of the hall\'s) or text', '发布通知须有 preset（本大厅的预设之一）或 text'), path: ['preset'] };
export const cityNoticeBody = z.discriminatedUnion('action', [raise, clear]).refine(raiseSaysWhat, saysWhat);

export const cityAppointmentsMessage = cityAppointmentsBody.extend({ id: messageId });
export const cityNoticeMessage = z.discriminatedUnion('action', [raise.extend({ id: messageId }), clear.extend({ id: messageId })]).refine(raiseSaysWhat, saysWhat);

export type CityAppointmentsMessage = z.infer<typeof cityAppointmentsMessage>;
export type CityNoticeMessage = z.infer<typeof cityNoticeMessage>;

/** What the inbox needs from the server. */
export interface CityInboxOptions {
  /** The hall topic root, hallq/v1/<hall>. */
  root: string;
  run: (cmd: Command) => Outcome;
  /** The platform's appointment import; undefined when `platform.appointments` is not configured. */
  importAppointments: ((list: CityAppointmentsMessage['appointments']) => ImportResult[]) | undefined;
  clock: () => number;
  logger: Logger;
  maxBytes: number;
}

export interface CityInboxMetrics {
  appointments: number;
  notices: number;
  refused: number;
}

/** The hall server's side of city → hall (MqttServer routes `<root>/city/in/#` here and publishes the answer to res/city). */
export class CityInbox {
  readonly metrics: CityInboxMetrics = { appointments: 0, notices: 0, refused: 0 };
  readonly topic: string;

  constructor(private readonly o: CityInboxOptions) {
    this.topic = `${o.root}/city/in/#`;
  }

  /** Whether `topic` is one of the inbox's. */
  owns(topic: string): boolean {
    return topic.startsWith(`${this.o.root}/city/in/`);
  }

  /** Applies one message; the answer for res/city (undefined when there is no id to answer to). Never throws. */
  handle(topic: string, payload: Buffer): Response | undefined {
    const kind = topic.slice(`${this.o.root}/city/in/`.length);
    const json = payload.length > this.o.maxBytes ? { ok: false as const, error: 'too large' } : parseJson(payload);
    const raw = json.ok && typeof json.value === 'object' && json.value !== null ? (json.value as { id?: unknown }).id : undefined;
    const id = typeof raw === 'string' && messageId.safeParse(raw).success ? raw : '';
    // Every refusal: status 'error', a kebab-case code (docs/city.md) and its English and Chinese text.
    const refuse = (code: string, message: string, messageZh: string): Response => {
      this.metrics.refused += 1;
      // Kind, id and code only: an appointment carries personal data.
      this.o.logger.warn({ kind: kind.slice(0, 40), messageId: id, code }, 'city message refused');
      return { id, status: 'error', error: { code, message, messageZh } };
    };
    const invalid = (e: z.ZodError): Response => {
      const t = describeInvalid(e, json.ok ? json.value : undefined);
      return refuse('payload-invalid', t.message, t.messageZh);
    };
    if (!json.ok) return refuse('payload-invalid', json.error, '消息不是有效的 JSON');
    try {
      switch (kind) {
        case 'appointments': {
          const m = cityAppointmentsMessage.safeParse(json.value);
          if (!m.success) return invalid(m.error);
          if (!this.o.importAppointments) return refuse('appointments-off', 'this hall takes no appointments (platform.appointments is not configured)', '本大厅未开通预约导入');
          const results = this.o.importAppointments(m.data.appointments);
          this.metrics.appointments += m.data.appointments.length;
          this.o.logger.info({ messageId: m.data.id, count: results.length }, 'city appointments applied');
          return { id: m.data.id, status: 'ok', data: { results } };
        }
        case 'notice': {
          const m = cityNoticeMessage.safeParse(json.value);
          if (!m.success) return invalid(m.error);
          if (m.data.until !== undefined && Date.parse(m.data.until) <= this.o.clock()) return refuse('expired', `the notice was valid until ${m.data.until}`, `该通知有效期至 ${m.data.until}，已过期，未执行`);
          const n = m.data;
          const cmd: Command =
            n.action === 'raise'
              ? { id: `city-notice-${n.id}`, source: 'system', type: 'RaiseEmergency', ...(n.preset === undefined ? {} : { preset: n.preset }), ...(n.text === undefined ? {} : { text: n.text }), ...(n.kind === undefined ? {} : { kind: n.kind }) }
              : { id: `city-notice-${n.id}`, source: 'system', type: 'ClearEmergency' };
          const outcome = this.o.run(cmd);
          this.metrics.notices += 1;
          this.o.logger.info({ messageId: n.id, action: n.action, ok: outcome.ok }, 'city notice applied');
          // The core refused it (an unknown preset, nothing to clear …): an error with the core's code and texts.
          if (!outcome.ok) return refuse(outcome.code, outcome.message.en, outcome.message.zh);
          return { id: n.id, status: 'ok', data: { outcome } };
        }
        default:
          return refuse('unknown-kind', 'city/in/ takes appointments and notice', '未知的消息类型');
      }
    } catch (e) {
      this.o.logger.error({ messageId: id, err: e instanceof Error ? e.message : String(e) }, 'city message failed');
      return { id, status: 'error', error: { code: 'internal', message: 'the hall could not apply the message', messageZh: '大厅未能执行该消息' } };
    }
  }
}
