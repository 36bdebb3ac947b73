import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseCityConfig } from '../../src/city/config.js';
import { cityHttp } from '../../src/city/http.js';
import { HallqError } from '../../drivers/common/error.js';
import { silentLogger } from '../../drivers/common/logger.js';

/** The city's HTTP answers that do not need PostgreSQL's data: a pool that knows one service and one hall row. */
const config = parseCityConfig({ city: { id: 'c', name: { zh: '市', en: 'C' } }, broker: { urls: ['mqtt://n1:1883'] }, postgres: { url: 'postgres://x' }, halls: [{ id: 'h', name: { zh: '厅', en: 'H' }, lat: 32, lon: 118 }] });
const pool = {
  query: async (sql: string, params: unknown[] = []) => {
    if (sql.includes('FROM hall_services WHERE service_id = $1 LIMIT 1')) return { rows: params[0] === 'A' ? [{ '?column?': 1 }] : [] };
    if (sql.includes('SELECT h.hall_id, h.online')) return { rows: [{ hall_id: 'h', online: true, day: '2026-12-01', last_seq: '3', hall_seq: '3', open_windows: '1', ratings: '0', good: '0' }] };
    return { rows: [] };
  },
} as unknown as pg.Pool;

async function app(inbox: { connected: boolean; send?: () => Promise<string> }) {
  return cityHttp({
    config,
    pool,
    clock: Date.now,
    token: 't',
    logger: silentLogger,
    inbox: { connected: inbox.connected, send: inbox.send ?? (async () => 'in-x'), message: async () => undefined },
  });
}
const auth = { authorization: 'Bearer t' };

describe('city HTTP status codes', () => {
  it('serves the hall icon as /favicon.ico', async () => {
    const r = await (await app({ connected: true })).inject({ url: '/favicon.ico' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/svg/);
  });

  it('answers 404 for any unknown message id, whatever its shape', async () => {
    const a = await app({ connected: true });
    for (const id of ['nosuch', 'in-00000000-0000-0000-0000-000000000000']) {
      const r = await a.inject({ url: `/api/city/messages/${id}`, headers: auth });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ error: { code: 'not-found' } });
    }
  });

  it('refuses an unknown service on /api/public/nearby as a missing one (400)', async () => {
    const a = await app({ connected: true });
    const bad = await a.inject({ url: '/api/public/nearby?service=nosuch&lat=32&lon=118' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/choose a service from the list/);
    expect((await a.inject({ url: '/api/public/nearby?service=A&lat=32&lon=118' })).statusCode).toBe(200);
    // Spaces around a typed number are not the citizen's fault.
    expect((await a.inject({ url: '/api/public/nearby?service=A&lat=%2032.05%20&lon=118' })).statusCode).toBe(200);
  });

  it('says the data is not live while the city is not connected to the cluster', async () => {
    const live = (await (await app({ connected: true })).inject({ url: '/api/city/halls' })).json();
    expect(live).toMatchObject({ cityConnected: true, halls: [{ hallId: 'h', online: true }] });
    const away = (await (await app({ connected: false })).inject({ url: '/api/city/halls' })).json();
    expect(away).toMatchObject({ cityConnected: false, halls: [{ hallId: 'h', online: null }] });
  });

  it('answers 503 with the message id when the cluster does not confirm a notice, and 400 to a raise saying nothing', async () => {
    const a = await app({ connected: true, send: async () => Promise.reject(new HallqError('REQUEST_TIMEOUT', 'in-11111111-1111-1111-1111-111111111111')) });
    const r = await a.inject({ method: 'POST', url: '/api/city/halls/h/notice', headers: { ...auth, 'content-type': 'application/json' }, payload: { action: 'clear' } });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ id: 'in-11111111-1111-1111-1111-111111111111', error: { code: 'not-confirmed', message: expect.stringMatching(/may still arrive.*\/api\/city\/messages\/in-1111/) } });
    const raise = await a.inject({ method: 'POST', url: '/api/city/halls/h/notice', headers: { ...auth, 'content-type': 'application/json' }, payload: { action: 'raise' } });
    expect(raise.statusCode).toBe(400);
  });
});
