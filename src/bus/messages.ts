import { z } from 'zod';
import { wireCommandSchema } from './command-schema.js';

/** Request and response payloads, and the retained status documents. */

export const requestSchema = z.discriminatedUnion('type', [
  /** Run a command; answered with its outcome (the first answer again for a repeated command id). */
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('command'), command: wireCommandSchema }),
  /** The events after a seq, for an agent that saw a gap or came back. */
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('events'), after: z.number().int().min(0), limit: z.number().int().min(1).max(5000).optional() }),
  /** The whole current state with its seq, for a replica starting from nothing. */
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('state') }),
  /**
   * A citizen's mobile number for SMS about one ticket, kiosk → server once; stored encrypted, never
   * in an event or the log (src/server/sms/README.md). Mainland mobiles only, optionally +86.
   */
  z.strictObject({ id: z.string().min(1).max(100), type: z.literal('contact'), ticketId: z.string().min(1).max(100), phone: z.string().regex(/^(\+86)?1[3-9]\d{9}$/, 'a mainland mobile number') }),
]);
export type Request = z.infer<typeof requestSchema>;

export interface ErrorBody {
  code: string;
  message: string;
}

export type Response<T = unknown> = { id: string; status: 'ok'; data: T } | { id: string; status: 'error'; error: ErrorBody };

export interface ServerStatus {
  online: boolean;
  seq?: number;
  at?: number;
}

export interface AgentStatus {
  online: boolean;
  seq?: number;
  at?: number;
}

export interface DeviceHealth {
  name: string;
  kind: string;
  state: 'ok' | 'degraded' | 'offline' | 'unknown';
  detail?: string;
}

/** Parses JSON without throwing: a malformed payload is a value, never an exception. */
export function parseJson(payload: Buffer | string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(payload.toString()) as unknown };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** A readable one-line reason from a zod error: the first issue's path and message. */
export function describeInvalid(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
    .join('; ');
}
