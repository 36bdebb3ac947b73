/**
 * A refusal's `detail` repeats what was sent (a service id, a staff id, a ticket id): where it leaves
 * the server (HTTP /api/commands, MQTT answers to agents, the CLI's output) it is worded as every
 * refused value is (drivers/common/invalid-text.ts): quoted only when it cannot be personal data,
 * control and direction characters escaped, at most 40 characters.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publicOutcome } from '../../src/bus/public-outcome.js';
import { commandCommand } from '../../src/cli/client.js';
import { rejected } from '../../src/core/outcome.js';
import { fuzzServer, T } from '../fuzz/mqtt-fuzz.js';
import { httpRig, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };

describe('publicOutcome: the detail as it leaves the server', () => {
  it.each([
    ['张三13812345678', 'text of 13 characters'],
    ['110101199003071234', 'text of 18 characters'],
    ['someone@example.com', 'text of 19 characters'],
    ['X9', '"X9"'],
    ['ab\u202Ecd', '"ab\\u202ecd"'],
    ['a\u0007b', '"a\\u0007b"'],
    ['x'.repeat(100), `"${'x'.repeat(40)}"… (text of 100 characters)`],
  ])('%j → %s', (detail, shown) => {
    expect(publicOutcome(rejected('unknown-service', detail))).toEqual({ ...rejected('unknown-service'), detail: shown });
  });

  it('an outcome without a detail, and an accepted one, pass as they are', () => {
    expect(publicOutcome(rejected('no-window'))).toEqual(rejected('no-window'));
    expect(publicOutcome({ ok: true, ticketId: 't1' })).toEqual({ ok: true, ticketId: 't1' });
  });
});

describe('the servers and the CLI never echo personal data or raw direction characters in detail', () => {
  let h: HttpRig;
  const cli: Record<string, string> = {};
  beforeAll(async () => {
    h = await httpRig();
    cli['authorization'] = `Bearer ${h.cliToken}`;
  });
  afterAll(async () => {
    await h.close();
  });

  it('HTTP /api/commands: a name and phone as serviceId is named by its kind', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...cli }, payload: { id: 'c6', type: 'IssueTicket', serviceId: '张三13812345678' } });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('13812345678');
    expect(r.body).not.toContain('张三');
    expect((r.json() as { outcome: unknown }).outcome).toMatchObject({ ok: false, code: 'unknown-service', detail: 'text of 13 characters' });
  });

  it('HTTP /api/commands: a right-to-left override is escaped', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...cli }, payload: { id: 'c7', type: 'IssueTicket', serviceId: 'A\u202Eevil' } });
    expect(r.body).not.toContain('\u202E');
    expect((r.json() as { outcome: { detail: string } }).outcome.detail).toBe('"A\\u202eevil"');
  });

  it('the CLI --json output (hallq issue 110101199003071234 --json)', async () => {
    const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      await commandCommand(base, { type: 'IssueTicket', serviceId: '110101199003071234' }, true, h.cliToken);
    } finally {
      spy.mockRestore();
    }
    expect(out.join('')).not.toContain('110101199003071234');
    expect(out.join('')).toContain('"detail":"text of 18 characters"');
  });
});

describe('MQTT answers to agents', () => {
  const s = fuzzServer();
  afterAll(() => s.close());

  it('an unknown service holding an ID number is answered with its kind only', () => {
    const a = s.server.handleRequest(T.request('fuzzer'), Buffer.from(JSON.stringify({ id: 'r1', type: 'command', command: { id: 'c1', type: 'IssueTicket', serviceId: '110101199003071234', delivery: 'none' } })));
    expect(JSON.stringify(a?.response)).not.toContain('110101199003071234');
    expect(a?.response).toMatchObject({ status: 'ok', data: { outcome: { ok: false, code: 'unknown-service', detail: 'text of 18 characters' } } });
  });
});
