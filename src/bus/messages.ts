import { z } from 'zod';
import { invalidText, zhText, type InvalidText } from '../../drivers/common/invalid-text.js';
import { wireCommandSchema } from './command-schema.js';
import type { DeviceReason } from './device-reasons.js';

/** Request and response payloads, and the retained status documents. */

export const requestSchema = z.discriminatedUnion('type', [
  /** Run a command; answered with its outcome (the first answer again for a repeated command id). */
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('command'), command: wireCommandSchema }),
  /**
   * The events after a seq, for an agent that saw a gap or came back: at most `limit`, and no more
   * than fit in one message (docs/mqtt.md, "Paging").
   */
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('events'), after: z.number().int().min(0), limit: z.number().int().min(1).max(5000).optional() }),
  /**
   * The whole current state with its seq, for a replica starting from nothing, in parts below the
   * message cap: part 0 (no seq) names the seq and the number of parts; parts 1… name that seq.
   */
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('state'), seq: z.number().int().min(0).optional(), part: z.number().int().min(0).max(100_000).optional() }),
  /**
   * A citizen's mobile number for SMS about one ticket, kiosk → server once; stored encrypted, never
   * in an event or the log (src/server/sms/README.md). Mainland mobiles only, optionally +86.
   */
  /**
   * Island mode's return (README "Island mode"): one action of the agent's outbox, replayed in order
   * with its command id. `leasedNumber` is the number the island issued from the agent's lease (the
   * agent is the topic's, never a field); `last` marks the outbox's end (deferred SMS are then sent
   * if they still make sense). Answered like a command, plus the conflict the rule found, if any.
   */
  z.strictObject({
    id: z.string().min(1).max(100),
    type: z.literal('island'),
    command: wireCommandSchema,
    leasedNumber: z.number().int().min(1).max(999).optional(),
    /**
     * The agent whose device the action came from, when the hall's acting agent decided it for another
     * agent (island mode with the broker up): the action is allowed as that agent's, and a leased
     * number is that agent's. Absent: the sending agent's own device.
     */
    for: z.string().min(1).max(100).optional(),
    /**
     * When the island decided it (epoch ms, the agent's clock): the server runs the command at this time,
     * bounded by its own now and the log's last event (src/server/island-return.ts islandTime).
     */
    at: z.number().finite().optional(),
    last: z.boolean().optional(),
  }),
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('contact'), ticketId: z.string().min(1).max(100), phone: z.string().regex(/^(\+86)?1[3-9]\d{9}$/, zhText('a mainland mobile number', '中国大陆手机号码')) }),
]);
export type Request = z.infer<typeof requestSchema>;

export interface ErrorBody {
  code: string;
  message: string;
  /** The Chinese text: every error answer carries it (a person may read any of them: the CLI, a log, a technician). */
  messageZh: string;
}

export type Response<T = unknown> = { id: string; status: 'ok'; data: T } | { id: string; status: 'error'; error: ErrorBody };

export interface ServerStatus {
  online: boolean;
  seq?: number;
  at?: number;
  /** The server's database instance id (src/server/instance-probe.ts); absent from servers before it. */
  instance?: string;
  /** The host name the server runs on, for the error a second server gives. */
  host?: string;
  /** The identity of the log's event at `seq` (src/bus/log-head.ts); absent from servers before it and for an empty log. */
  head?: string;
}

export interface AgentStatus {
  online: boolean;
  /** Island mode (README "Island mode"): absent or 'online' when the agent works through the server. */
  island?: 'online' | 'island' | 'returning';
  /** In island mode with the broker up: this agent's role and the agent acting for the hall (README "Island mode"). */
  role?: 'electing' | 'leader' | 'follower' | 'alone';
  acting?: string;
  seq?: number;
  at?: number;
}

export interface DeviceHealth {
  name: string;
  kind: string;
  state: 'ok' | 'degraded' | 'offline' | 'unknown';
  /** Why it is not ok, as a code (src/bus/device-reasons.ts); absent when ok, unknown, or not told (older agents). */
  reason?: DeviceReason;
  detail?: string;
}

/**
 * Parses JSON without throwing: a malformed payload is a value, never an exception. The error
 * names neither the bytes nor their position (JSON.parse's message quotes the text, which may be
 * a citizen's name or number), only what kind of input it was.
 */
export function parseJson(payload: Buffer | string): { ok: true; value: unknown } | { ok: false; error: string } {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (text.trim() === '') return { ok: false, error: 'empty payload' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: 'not valid JSON' };
  }
}

/**
 * A refused payload in words (drivers/common/invalid-text.ts): up to three issues as "path: found
 * X, expected Y", in English and Chinese. Safe to log and to send back: key names the schema knows,
 * and a found value quoted only when it cannot be personal data (never under idNumber, phone, name,
 * person …: drivers/common/personal-keys.ts), else its kind.
 */
export function describeInvalid(error: z.ZodError, input: unknown): InvalidText {
  return invalidText(error.issues, { input, max: 3 });
}
