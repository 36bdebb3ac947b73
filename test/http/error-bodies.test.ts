/**
 * issue 13: every HTTP error body, whatever went wrong, is `{ error: { code, message, messageZh } }`
 * with a Chinese messageZh a citizen or staff member can read, and invalid input worded as
 * "path: found X, expected Y" — never zod's own text. The OpenAPI documents say so for every route.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_ZOD_TEXT } from '../../drivers/common/invalid-text.js';
import { openApiDocuments } from '../../src/server/openapi-doc.js';
import { httpRig, PIN, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };
const han = /[\u4e00-\u9fff]/;

interface Case {
  name: string;
  status: number;
  code?: string;
  /** What the English message must say (the key path of invalid input). */
  says?: RegExp;
  ask: (h: HttpRig, auth: Record<string, Record<string, string>>) => Promise<LightMyRequestResponse>;
}

const cases: Case[] = [
  { name: 'a body that is not JSON', status: 400, code: 'payload-invalid', says: /^the body is not valid JSON: line 1, column 10: found the end of the body, expected a value/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: '{"type": ' }) },
  { name: 'single quotes on the second line', status: 400, code: 'payload-invalid', says: /^the body is not valid JSON: line 2, column 3: found "'", expected a key in double quotes or \} \(JSON needs double quotes/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: "{\n  'type': 'CallNext'\n}" }) },
  { name: 'a body with a prototype key', status: 400, code: 'payload-invalid', says: /__proto__/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: '{"__proto__": {"admin": true}}' }) },
  { name: 'an empty JSON body', status: 400, code: 'payload-invalid', says: /^the body is empty: send a JSON object$/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: '' }) },
  { name: 'a body of blanks only', status: 400, code: 'payload-invalid', says: /^the body is empty: send a JSON object$/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: ' \n ' }) },
  { name: 'a form post', status: 415, code: 'unsupported-media-type', says: /; found content-type application\/x-www-form-urlencoded$/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { 'content-type': 'application/x-www-form-urlencoded', ...a['cli'] }, payload: 'type=CallNext' }) },
  { name: 'a post without a content type', status: 415, code: 'unsupported-media-type', says: /; found no content-type header$/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...a['cli'] }, payload: Buffer.from('{}') }) },
  { name: 'a body shorter than its content-length', status: 400, code: 'payload-invalid', says: /content-length/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'], 'content-length': '50' }, payload: '{"id": "c1"}' }) },
  { name: 'an address with a broken %-escape', status: 400, code: 'bad-url', says: /^the address is not valid/, ask: (h) => h.app.inject({ method: 'GET', url: '/api/status/%E0%A4%A' }) },
  { name: 'an address with an overlong part', status: 414, code: 'uri-too-long', says: /at most 200 characters/, ask: (h) => h.app.inject({ method: 'GET', url: `/api/status/${'a'.repeat(300)}` }) },
  { name: 'a window below 1', status: 400, code: 'payload-invalid', says: /^body\.window: found 0, expected a number of at least 1$/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: { id: 'c1', type: 'CallNext', window: 0 } }) },
  { name: 'a window that is text', status: 400, code: 'payload-invalid', says: /^body\.window: found "three", expected a number/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: { id: 'c1', type: 'CallNext', window: 'three' } }) },
  { name: 'a missing key', status: 400, code: 'payload-invalid', says: /body\.window: found nothing \(the key is missing\), expected a number/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: { id: 'c1', type: 'CallNext' } }) },
  { name: 'an unknown command type', status: 400, code: 'payload-invalid', says: /^body\.type: found "Nope", expected one of .*\bCallNext\b/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: { id: 'c1', type: 'Nope', window: 1 } }) },
  { name: 'a PIN of the wrong kind (never echoed: a secret)', status: 400, code: 'payload-invalid', says: /^body\.secret: found a number of 6 characters, expected text/, ask: (h) => h.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 's01', secret: 123456, window: 1 } }) },
  { name: 'an unknown key', status: 400, code: 'payload-invalid', says: /^body\.secrte: unknown key \(check the spelling\)/, ask: (h) => h.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 's01', secret: '1111', window: 1, secrte: 'x' } }) },
  { name: 'a bad path parameter', status: 400, code: 'payload-invalid', says: /^params\.token: found text of 5 characters, expected a status page token/, ask: (h) => h.app.inject({ method: 'GET', url: '/api/status/short' }) },
  { name: 'a bad query', status: 400, code: 'payload-invalid', says: /^query\.from: /, ask: (h, a) => h.app.inject({ method: 'GET', url: '/api/reports?from=yesterday&to=2026-11-23', headers: a['manager'] }) },
  { name: 'an unknown window at sign-in', status: 400, code: 'unknown-window', ask: (h) => h.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 's01', secret: '1111', window: 99 } }) },
  { name: 'an unknown emergency preset', status: 409, code: 'unknown-preset', ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/emergency', headers: { ...json, ...a['manager'] }, payload: { preset: 'nope' } }) },
  { name: 'a wrong PIN', status: 401, code: 'bad-credentials', ask: (h) => h.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 's01', secret: '0000', window: 1 } }) },
  { name: 'not signed in', status: 401, code: 'unauthorized', ask: (h) => h.app.inject({ method: 'GET', url: '/api/queue' }) },
  { name: 'a wrong CLI token', status: 401, code: 'unauthorized', ask: (h) => h.app.inject({ method: 'GET', url: '/api/state', headers: { authorization: 'Bearer nope' } }) },
  { name: 'the wrong role (staff reading the whole state)', status: 403, code: 'forbidden', ask: (h, a) => h.app.inject({ method: 'GET', url: '/api/state', headers: a['staff'] }) },
  { name: 'staff commanding another window', status: 403, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['staff'] }, payload: { id: 'c2', type: 'PauseWindow', window: 5, reason: 'x' } }) },
  { name: 'a cross-site post', status: 403, code: 'cross-site', ask: (h) => h.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: { ...json, 'sec-fetch-site': 'cross-site' }, payload: {} }) },
  { name: 'an unknown ticket', status: 404, code: 'unknown-ticket', ask: (h, a) => h.app.inject({ method: 'GET', url: '/api/tickets/20261123-Z999', headers: a['cli'] }) },
  { name: 'an unknown address', status: 404, code: 'not-found', ask: (h) => h.app.inject({ method: 'GET', url: '/no/such/page' }) },
  { name: 'a malformed rating link', status: 400, code: 'payload-invalid', says: /^params\.token: /, ask: (h) => h.app.inject({ method: 'GET', url: '/api/rating/not-a-token' }) },
  { name: 'a body above the limit', status: 413, code: 'payload-too-large', says: /^the body is larger than this address takes: at most 64 KiB \(this one says 1\.9 MiB\)$/, ask: (h, a) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...a['cli'] }, payload: JSON.stringify({ id: 'c3', type: 'CallNext', window: 1, pad: 'x'.repeat(2_000_000) }) }) },
];

/** The one error shape, with Chinese, and no validator wording. */
function expectErrorBody(r: LightMyRequestResponse, c: Case): void {
  expect(r.statusCode, `${c.name}: ${r.body}`).toBe(c.status);
  const body = r.json() as { error?: Record<string, unknown> };
  expect(Object.keys(body), c.name).toEqual(['error']);
  const e = body.error ?? {};
  expect(Object.keys(e).sort(), c.name).toEqual(['code', 'message', 'messageZh']);
  expect(e['code'], c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  if (c.code) expect(e['code'], c.name).toBe(c.code);
  expect(typeof e['message'] === 'string' && e['message'].length > 0, c.name).toBe(true);
  expect(e['messageZh'], c.name).toMatch(han);
  expect(String(e['message']), c.name).not.toMatch(RAW_ZOD_TEXT);
  expect(String(e['messageZh']), c.name).not.toMatch(RAW_ZOD_TEXT);
  if (c.says) expect(e['message'], c.name).toMatch(c.says);
}

describe('every HTTP error body has code, message and a Chinese messageZh', () => {
  let h: HttpRig;
  const auth: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    h = await httpRig();
    auth['cli'] = { authorization: `Bearer ${h.cliToken}` };
    auth['manager'] = { cookie: await h.signIn('m01', PIN['m01'] ?? '') };
    auth['staff'] = { cookie: await h.signIn('s03', PIN['s03'] ?? '', 3) };
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expectErrorBody(await c.ask(h, auth), c);
  });

  it('a request that arrives while the server is closing: 503 closing, in the same shape', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let closingStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (closingStarted = resolve));
    // A slow part of the shutdown (a stream draining): requests keep coming meanwhile.
    const rig = await httpRig({
      beforeReady: (app) =>
        app.addHook('preClose', async () => {
          closingStarted();
          await held;
        }),
    });
    const base = await rig.app.listen({ host: '127.0.0.1', port: 0 });
    const closed = rig.close();
    await started;
    const r = await fetch(`${base}/api/hall`);
    const body = (await r.json()) as { error: Record<string, unknown> };
    release();
    await closed;
    expect(r.status).toBe(503);
    expect(body).toEqual({ error: { code: 'closing', message: expect.any(String) as string, messageZh: expect.stringMatching(han) as string } });
  });
});

describe('OpenAPI: the error shape on every route', () => {
  it('Error requires messageZh, and every operation of both listeners answers 4XX and 5XX with it', async () => {
    const docs = await openApiDocuments();
    for (const doc of [docs.server, docs.kiosk] as { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>; components: { schemas: Record<string, { properties?: { error?: { required?: string[] } } }> } }[]) {
      expect(doc.components.schemas['Error']?.properties?.error?.required).toEqual(['code', 'message', 'messageZh']);
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ at: `${method} ${path}`, op })));
      expect(operations.length).toBeGreaterThan(3);
      for (const { at, op } of operations) {
        for (const status of ['4XX', '5XX']) expect(op.responses?.[status]?.content?.['application/json']?.schema?.$ref, `${at} ${status}`).toBe('#/components/schemas/Error');
      }
    }
  });
});
