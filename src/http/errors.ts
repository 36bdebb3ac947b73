import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { InvalidText } from '../../drivers/common/invalid-text.js';

/**
 * The one error shape of every HTTP answer that is not a success, on the server, the kiosk listener
 * and the city service alike: `{ error: { code, message, messageZh } }`. Codes are lower-case kebab
 * (`payload-invalid`, `not-found`, the core's rejection codes …); `message` is English, `messageZh`
 * the Chinese text a citizen or staff member reads: both always there, never empty. Invalid input is
 * worded by drivers/common/invalid-text.ts (key path, what was found, what was expected).
 */
export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
      message: z.string().min(1),
      messageZh: z.string().min(1),
    }),
  })
  .meta({ id: 'Error', description: 'Every error: a lower-case kebab code, the English message and the Chinese messageZh' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(code: string, message: string, messageZh: string): ErrorBody {
  return { error: { code, message, messageZh } };
}

/** Sends the error shape with `status` (4xx or 5xx) and no caching. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, messageZh: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(errorBody(code, message, messageZh));
}

/** 400 payload-invalid with the words of drivers/common/invalid-text.ts. */
export function sendInvalid(reply: FastifyReply, text: Pick<InvalidText, 'message' | 'messageZh'>): FastifyReply {
  return sendError(reply, 400, 'payload-invalid', text.message, text.messageZh);
}
