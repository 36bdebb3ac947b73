/**
 * The platform link's HTTP routes on the hall server (docs/platform.md):
 * - POST /api/platform/appointments — the platform pushes appointments; authenticated by the
 *   request signature (the shared secret), never by a session; answers each appointment's result.
 * - GET /api/admin/platform — the export backlog and the import's state, for managers and technicians.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidText } from '../../../drivers/common/invalid-text.js';
import { sendError, sendInvalid } from '../../http/errors.js';
import { appointmentBatch } from './appointment-input.js';
import type { PlatformService } from './platform-service.js';
import { verifySignature } from './signature.js';
import { notJsonWords } from '../../http/request-errors.js';

/** A push of 2000 appointments fits. */
const PUSH_BODY_LIMIT = 2 * 1024 * 1024;

export async function registerPlatformRoutes(app: FastifyInstance, platform: PlatformService, staffGuard: (req: FastifyRequest, reply: FastifyReply) => Promise<void>): Promise<void> {
  app.get('/api/admin/platform', { schema: { hide: true }, onRequest: staffGuard }, (_req, reply) => reply.header('cache-control', 'no-store').send(platform.status()));
  const cfg = platform.o.config.appointments;
  if (!cfg?.push || !platform.appointments) return;
  const appointments = platform.appointments;
  await app.register(async (scope) => {
    // The signature covers the bytes as sent: keep them as the raw string and parse after checking.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: PUSH_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post('/api/platform/appointments', { schema: { hide: true }, bodyLimit: PUSH_BODY_LIMIT }, (req, reply) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      const check = verifySignature(platform.secret, req.headers, raw, platform.o.clock(), platform.o.config.toleranceSeconds);
      if (!check.ok) return sendError(reply, 401, check.code, 'the request signature is missing, stale or wrong (docs/platform.md)', '请求签名缺失、过期或不正确');
      let json: unknown;
      try {
        // A leading BOM is read as the app's own JSON parser reads it (skipped).
        json = JSON.parse(raw.replace(/^\uFEFF/, ''));
      } catch {
        const w = notJsonWords(raw);
        return sendError(reply, w.status, w.code, w.message, w.messageZh);
      }
      const parsed = appointmentBatch.safeParse(json);
      // Paths and expectations; a found value only where it cannot be personal (never an ID number or a phone).
      if (!parsed.success) return sendInvalid(reply, invalidText(parsed.error.issues, { where: 'body', input: json }));
      return reply.header('cache-control', 'no-store').send({ results: appointments.applyAll(parsed.data.appointments) });
    });
  });
}
