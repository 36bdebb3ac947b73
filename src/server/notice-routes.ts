import { closest } from '../../drivers/common/did-you-mean.js';
import { zhText } from '../../drivers/common/invalid-text.js';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EMERGENCY_TEXT_MAX, emergencyPresets, type Command, type Outcome } from '../core/index.js';
import { sendError } from '../http/errors.js';
import type { Principal } from './auth/sessions.js';
import type { HallEngine } from './engine.js';

/** What the notice and follow-up routes need from the server (src/server/http.ts). */
export interface NoticeRouteContext {
  engine: HallEngine;
  run: (cmd: Command) => Outcome;
  /** The managers' guard (401 / 403). */
  managers: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export const ratingIdParam = z.strictObject({ ratingId: z.string().regex(/^R-\d{8}-[A-Z]{1,2}\d{3,4}$/, zhText('a rating id like R-20261123-A001', '评价编号，如 R-20261123-A001')) });
export const followUpBody = z
  .strictObject({
    /** 回复 reply (first, closes it) · 整改 rectification · 不属实 untrue (needs `reason`). Default reply. */
    kind: z.enum(['reply', 'rectification', 'untrue']).default('reply'),
    note: z.string().trim().min(1).max(1000),
    reason: z.string().trim().min(1).max(1000).optional(),
  })
  .refine((b) => b.kind !== 'untrue' || b.reason !== undefined, { message: zhText('a not-true determination (untrue) needs its reason', '不属实认定（untrue）须填写理由'), path: ['reason'] })
  .meta({ id: 'FollowUp' });
export const emergencyBody = z
  .strictObject({
    /** One of GET /api/emergency/presets; its text unless `text` is given. */
    preset: z.string().max(40).optional(),
    text: z.string().trim().min(1).max(EMERGENCY_TEXT_MAX).optional(),
    kind: z.enum(['emergency', 'evacuation']).optional(),
  })
  .refine((b) => b.preset !== undefined || b.text !== undefined, { message: zhText('a preset or a text', '预设内容或通知文字'), path: ['text'] })
  .meta({ id: 'RaiseEmergency' });

const actor = (who: Principal | undefined) => (who?.kind === 'session' ? { staffId: who.staffId } : {});

function answer(reply: FastifyReply, outcome: Outcome, seq: number): FastifyReply {
  if (!outcome.ok) {
    const status = outcome.code === 'unknown-rating' ? 404 : 409;
    return sendError(reply, status, outcome.code, outcome.message.en, outcome.message.zh);
  }
  return reply.header('cache-control', 'no-store').send({ outcome, seq });
}

/**
 * Managers' routes for emergency notices (DB22/T 2871.4 §11.6) and the follow-up records of bad
 * ratings (Songjiang §6.6.1.3). Who acted is the session's staff member, never a body field.
 */
export function registerNoticeRoutes(app: FastifyInstance, c: NoticeRouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const seq = () => c.engine.state.seq;
  r.get('/api/emergency', { schema: { tags: ['public'], summary: 'The emergency notice in force ({ emergency: null } when none): kind and text only' } }, (_req, reply) => {
    const e = c.engine.state.emergency;
    return reply.header('cache-control', 'no-store').send({ emergency: e ? { kind: e.kind, text: e.text, raisedAt: e.raisedAt } : null });
  });
  r.get('/api/emergency/presets', { schema: { tags: ['staff'], summary: 'The preset emergency notices: id, kind, text' }, onRequest: c.managers }, (_req, reply) =>
    reply.send(Object.entries(emergencyPresets).map(([id, p]) => ({ id, kind: p.kind, zh: p.text.zh, en: p.text.en }))),
  );
  r.post('/api/emergency', { schema: { tags: ['staff'], summary: 'Raise (or replace) the emergency notice: screens, display, kiosk and voice show it; the kiosk stops issuing', body: emergencyBody }, onRequest: c.managers }, (req, reply) => {
    const b = req.body;
    const outcome = c.run({ id: `emergency-${randomUUID()}`, type: 'RaiseEmergency', source: 'admin', ...(b.preset === undefined ? {} : { preset: b.preset }), ...(b.text === undefined ? {} : { text: b.text }), ...(b.kind === undefined ? {} : { kind: b.kind }), ...actor(req.principal) });
    if (!outcome.ok && outcome.code === 'unknown-preset' && b.preset !== undefined) {
      // Which presets there are and the close one; the typed value itself is not echoed.
      const ids = Object.keys(emergencyPresets);
      const guess = closest(b.preset, ids);
      const en = `${outcome.message.en}; the presets: ${ids.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`;
      const zh = `${outcome.message.zh}；预设有：${ids.join('、')}${guess ? `（是不是 "${guess}"？）` : ''}`;
      return sendError(reply, 409, outcome.code, en, zh);
    }
    return answer(reply, outcome, seq());
  });
  r.post('/api/emergency/clear', { schema: { tags: ['staff'], summary: 'Clear the emergency notice: the hall runs as before', body: z.strictObject({}).optional() }, onRequest: c.managers }, (req, reply) =>
    answer(reply, c.run({ id: `emergency-clear-${randomUUID()}`, type: 'ClearEmergency', source: 'admin', ...actor(req.principal) }), seq()),
  );
  r.get('/api/ratings', { schema: { tags: ['staff'], summary: 'Ratings in the state (today’s, and bad ones whose follow-up is unfinished) with their follow-up records' }, onRequest: c.managers }, (_req, reply) =>
    reply.header('cache-control', 'no-store').send(Object.values(c.engine.state.ratings)),
  );
  r.post(
    '/api/ratings/:ratingId/follow-up',
    { schema: { tags: ['staff'], summary: 'Record a follow-up of a bad rating: reply first, then a rectification or a not-true determination with its reason', params: ratingIdParam, body: followUpBody }, onRequest: c.managers },
    (req, reply) => {
      const b = req.body;
      const outcome = c.run({ id: `follow-up-${randomUUID()}`, type: 'FollowUp', source: 'admin', ratingId: req.params.ratingId, note: b.note, kind: b.kind, ...(b.reason === undefined ? {} : { reason: b.reason }), ...actor(req.principal) });
      return answer(reply, outcome, seq());
    },
  );
}
