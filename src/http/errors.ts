import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/**
 * The one error shape of every HTTP answer that is not a success, on the server and the kiosk
 * listener alike: `{ error: { code, message, messageZh? } }`. Codes are lower-case kebab
 * (`payload-invalid`, `not-found`, the core's rejection codes …); `message` is English, `messageZh`
 * the Chinese text where a citizen or staff member reads it.
 */
export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
      message: z.string(),
      messageZh: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(code: string, message: string, messageZh?: string): ErrorBody {
  return { error: { code, message, ...(messageZh === undefined ? {} : { messageZh }) } };
}

/** Sends the error shape with `status` (4xx or 5xx) and no caching. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, messageZh?: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(errorBody(code, message, messageZh));
}
