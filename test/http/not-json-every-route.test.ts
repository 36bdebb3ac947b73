/**
 * issue 13: every route that takes a body, on both listeners, answers a body that is not JSON with
 * where it broke (line and column, in English and Chinese), and the same for a wrong content type:
 * the wording lives in one place (src/http/app.ts, src/http/request-errors.ts), not per route.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocuments } from '../../src/server/openapi-doc.js';
import { kioskForFuzz } from './fuzz-apps.js';
import { httpRig, type HttpRig } from './rig.js';

type Doc = { paths: Record<string, Record<string, unknown>> };
const bodyRoutes = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => m === 'post' || m === 'put' || m === 'patch').map((m) => ({ method: m.toUpperCase() as 'POST', url: path.replace(/\{[^}]+\}/g, 'x') })));

describe('a body that is not JSON, on every route that takes one', () => {
  let h: HttpRig;
  let kiosk: FastifyInstance;
  let routes: { app: () => FastifyInstance; method: 'POST'; url: string; headers: Record<string, string> }[] = [];
  beforeAll(async () => {
    h = await httpRig();
    kiosk = (await kioskForFuzz()).app;
    const docs = (await openApiDocuments()) as unknown as { server: Doc; kiosk: Doc };
    const cli = { authorization: `Bearer ${h.cliToken}` };
    routes = [...bodyRoutes(docs.server).map((r) => ({ ...r, app: () => h.app, headers: r.url.startsWith('/api/rating/') || r.url.startsWith('/api/auth/') ? {} : cli })), ...bodyRoutes(docs.kiosk).map((r) => ({ ...r, app: () => kiosk, headers: {} }))];
  });
  afterAll(async () => {
    await h?.close();
    await kiosk?.close();
  });

  it('there are routes of both listeners to try', () => {
    expect(routes.filter((r) => r.url.startsWith('/kiosk/')).length).toBeGreaterThanOrEqual(3);
    expect(routes.filter((r) => r.url.startsWith('/api/')).length).toBeGreaterThanOrEqual(5);
  });

  it('400 payload-invalid naming line and column, in both languages', async () => {
    for (const r of routes) {
      const res = await r.app().inject({ method: r.method, url: r.url, headers: { ...r.headers, 'content-type': 'application/json' }, payload: '{\n  "a": 1,\n  "b": }' });
      const body = res.json() as { error: { code: string; message: string; messageZh: string } };
      expect(res.statusCode, `${r.method} ${r.url}: ${res.body}`).toBe(400);
      expect(body.error.code).toBe('payload-invalid');
      expect(body.error.message, r.url).toBe('the body is not valid JSON: line 3, column 8: found "}", expected a value ({…}, […], "text", a number, true, false or null)');
      expect(body.error.messageZh, r.url).toMatch(/^请求内容不是有效的 JSON：第 3 行第 8 列：收到"}"，应为一个值/);
    }
  });

  it('415 naming the content type that came', async () => {
    for (const r of routes) {
      const res = await r.app().inject({ method: r.method, url: r.url, headers: { ...r.headers, 'content-type': 'text/plain; charset=utf-8' }, payload: 'hello' });
      expect(res.statusCode, `${r.method} ${r.url}: ${res.body}`).toBe(415);
      expect((res.json() as { error: { message: string; messageZh: string } }).error).toMatchObject({ message: 'send a JSON body (content-type: application/json); found content-type text/plain; charset=utf-8', messageZh: expect.stringMatching(/text\/plain/) as string });
    }
  });

  it('413 naming the limit of the listener (4 KiB on the kiosk)', async () => {
    const res = await kiosk.inject({ method: 'POST', url: '/kiosk/api/issue', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ serviceId: 'x'.repeat(5000) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'payload-too-large', message: 'the body is larger than this address takes: at most 4 KiB (this one says 4.9 KiB)', messageZh: '请求内容过大：此地址最多接受 4 KiB（本请求为 4.9 KiB）' } });
  });
});
