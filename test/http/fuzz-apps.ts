import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../drivers/common/logger.js';
import type { KioskFlow, KioskRequest } from '../../src/agent/flows/kiosk.js';
import { buildKioskApp, CardSlot } from '../../src/agent/kiosk-http.js';
import type { AgentLink } from '../../src/agent/link.js';
import { emptyState } from '../../src/core/index.js';
import { httpRig, type HttpRig } from './rig.js';

/** Every route of the server (pages too), with :params for the fuzzer to fill. */
export const serverRoutes = ['/', '/display', '/sign-in', '/s/:token', '/caller', '/admin', '/api/hall', '/api/stream', '/api/status/:token', '/livez', '/readyz', '/api/auth/sign-in', '/api/auth/sign-out', '/api/auth/me', '/api/hall/staff', '/api/stream/staff', '/api/staff', '/api/queue', '/api/windows', '/api/tickets/:ticketId', '/api/state', '/metrics', '/api/commands', '/web/:file', '/t/:ticketId', '/documentation/json'];
export const serverStreams = ['/api/stream'];
export const kioskRoutes = ['/', '/kiosk', '/kiosk/api/info', '/kiosk/api/stream', '/kiosk/api/wedge', '/kiosk/api/cancel-card', '/kiosk/api/touch', '/kiosk/api/issue', '/web/:file'];
export const kioskStreams = ['/kiosk/api/stream'];

/** No valid credentials among these: a forged cookie or token, a staff cookie from another server, none. */
export const anonymous = fc.constantFrom<Record<string, string>>({}, { cookie: 'hallq_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { authorization: 'Bearer nope' }, { authorization: 'Basic YTpi' }, { cookie: 'hallq_session=' });

export async function serverForFuzz(): Promise<{ rig: HttpRig; seq: () => number }> {
  const rig = await httpRig({ signInThrottle: { pairFree: 1e9, addressFree: 1e9 } });
  return { rig, seq: () => rig.engine.log.lastSeq() };
}

/**
 * The kiosk listener over a stand-in flow that records what reached it (the HTTP layer is under
 * test: only a valid request may reach the flow).
 */
export async function kioskForFuzz(): Promise<{ app: FastifyInstance; issued: KioskRequest[] }> {
  const issued: KioskRequest[] = [];
  const flow = {
    canPrint: () => true,
    smsEnabled: () => true,
    smsAway: () => false,
    smsOnlyOffered: () => true,
    issue: async (req: KioskRequest) => {
      issued.push(req);
      return { ok: false as const, code: 'unknown-service', message: { zh: '没有该业务', en: 'No such service' } };
    },
  } as unknown as KioskFlow;
  const link = { replica: { state: emptyState() } } as unknown as AgentLink;
  const app = await buildKioskApp(link, flow, new CardSlot(), { host: '127.0.0.1', port: 0, statusBaseUrl: 'http://hall.test', wedge: () => false }, silentLogger);
  await app.ready();
  return { app, issued };
}
