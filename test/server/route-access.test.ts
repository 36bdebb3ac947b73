import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { collectRoutesFor, guardOf, opensFor, rolesOf } from '../../src/server/route-access.js';

const guard = (roles: Parameters<typeof guardOf>[0]) => guardOf(roles, async () => {});

/** The refused page's technician links come from the routes' own guards as they register (src/server/route-access.ts). */
describe('routes a role may open, collected as they register', () => {
  it('lists a GET whose guard admits the role, registered at the root or in a plugin; no POST, parameter, stream, other role or public route', async () => {
    const app = Fastify();
    const links = collectRoutesFor(app, 'technician');
    const diagnostics = guard(['manager', 'technician']);
    const ok = () => ({ ok: true });
    app.get('/metrics', { onRequest: diagnostics }, ok);
    app.post('/api/state', { onRequest: diagnostics }, ok);
    app.get('/api/tickets/:id', { onRequest: diagnostics }, ok);
    app.get('/api/stream/staff', { onRequest: diagnostics, config: { eventStream: true } }, ok);
    app.get('/admin', { onRequest: guard(['manager']) }, ok);
    app.get('/api/hall', ok);
    app.get('/api/mixed', { onRequest: [diagnostics, guard(['staff', 'manager'])] }, ok);
    await app.register(async (scope) => {
      scope.get('/api/island', { onRequest: [async () => {}, diagnostics] }, ok);
    });
    await app.ready();
    expect(links).toEqual(['/metrics', '/api/island']);
    await app.close();
  });

  it('admits what every marked guard admits; an unmarked hook says nothing', () => {
    const plain = async () => {};
    expect(rolesOf({ onRequest: plain })).toBeUndefined();
    expect(rolesOf({ onRequest: [guard(['staff', 'technician']), plain, guard(['technician', 'manager'])] })).toEqual(['technician']);
    expect(opensFor({ method: ['GET', 'HEAD'], url: '/x', onRequest: guard(['technician']) }, 'technician')).toBe(true);
    expect(opensFor({ method: 'HEAD', url: '/x', onRequest: guard(['technician']) }, 'technician')).toBe(false);
  });
});
