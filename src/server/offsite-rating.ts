import { zhText } from '../../drivers/common/invalid-text.js';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RATING_COMMENT_MAX, own, type Command, type Grade, type Outcome } from '../core/index.js';
import { sendError } from '../http/errors.js';
import { sendPage } from '../web/routes.js';
import { RATING_TOKEN_PATTERN, type RatingTokens } from './auth/rating-token.js';
import { SESSION_COOKIE } from './auth/sessions.js';
import type { HallEngine } from './engine.js';

export const ratingTokenParam = z.strictObject({ token: z.string().regex(RATING_TOKEN_PATTERN, zhText('an off-site rating token', '离场评价链接的令牌')) });
export const offsiteRatingBody = z
  .strictObject({
    grade: z.enum(['very-satisfied', 'satisfied', 'basic', 'dissatisfied', 'very-dissatisfied']) satisfies z.ZodType<Grade>,
    comment: z.string().max(RATING_COMMENT_MAX).optional(),
  })
  .meta({ id: 'OffsiteRating' });

/**
 * 离场评价 (Songjiang §6.6.1.1): the page behind the link in the SMS and its two API calls. Public,
 * but only with a genuine token; no personal data (the ticket number, the service and the window).
 * Staff can never rate: a request carrying a staff session cookie is refused, and the command's
 * source 'offsite-link' is set only here.
 */
export function registerOffsiteRating(app: FastifyInstance, c: { engine: HallEngine; tokens: RatingTokens; run: (cmd: Command) => Outcome; clock: () => number }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const hide = { hide: true };
  // Any path under /r/ gets the page: a link an SMS app cut short then says 链接已失效 there, not a JSON error.
  r.get('/r/:token', { schema: { ...hide, params: z.strictObject({ token: z.string() }) } }, (req, reply) => {
    if (req.cookies[SESSION_COOKIE] !== undefined) return staffRefused(reply);
    return sendPage(reply, 'rating.html');
  });
  r.get('/api/rating/:token', { schema: { tags: ['public'], summary: 'What the off-site rating link is for: ticket number, service, window, expiry, whether rated (no personal data); refused with a staff session', params: ratingTokenParam } }, (req, reply) => {
    if (req.cookies[SESSION_COOKIE] !== undefined) return staffRefused(reply);
    const claim = c.tokens.verify(req.params.token);
    const state = c.engine.state;
    const t = claim ? own(state.tickets, claim.ticketId) : undefined;
    if (!claim || !t) return sendError(reply, 404, 'rating-expired', 'this link is not valid (any more)', '评价链接已失效');
    const service = state.config?.services.find((s) => s.id === t.serviceId);
    return reply.header('cache-control', 'no-store').send({
      number: t.number,
      service: service?.name ?? { zh: t.serviceId, en: t.serviceId },
      window: t.window ?? null,
      expiresAt: claim.expiresAt,
      expired: c.clock() > claim.expiresAt,
      rated: own(state.ratings, `R-${t.id}`) !== undefined,
    });
  });
  r.post(
    '/api/rating/:token',
    { schema: { tags: ['public'], summary: 'Submit the off-site rating once (five grades, optional comment); refused with a staff session', params: ratingTokenParam, body: offsiteRatingBody }, config: { rateLimit: { max: 20, timeWindow: 60_000 } } },
    (req, reply) => {
      if (req.cookies[SESSION_COOKIE] !== undefined) return staffRefused(reply);
      const claim = c.tokens.verify(req.params.token);
      if (!claim) return sendError(reply, 404, 'rating-expired', 'this link is not valid (any more)', '评价链接已失效');
      const b = req.body;
      const outcome = c.run({
        id: `rate-offsite-${randomUUID()}`,
        type: 'RateOffsite',
        source: 'offsite-link',
        ticketId: claim.ticketId,
        grade: b.grade,
        expiresAt: claim.expiresAt,
        ...(b.comment === undefined ? {} : { comment: b.comment }),
      });
      if (!outcome.ok) return sendError(reply, outcome.code === 'rating-duplicate' ? 409 : 410, outcome.code, outcome.message.en, outcome.message.zh);
      return reply.header('cache-control', 'no-store').send({ ok: true });
    },
  );
}

/** Staff never see nor submit a citizen's rating link: any request with a staff session cookie. */
function staffRefused(reply: FastifyReply) {
  return sendError(reply, 403, 'rating-source', 'staff may never rate for a citizen: sign out first', '工作人员不能代替办事群众评价');
}
