/**
 * issue 13: the core marks a refusal's detail made of the hall's own values (an existing ticket's id and
 * status) apart from an echo of the sender's input. The own values leave the server as they are (a
 * ticket id's 8-digit date is not taken for a phone number any more); an echo keeps the personal-data rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicOutcome } from '../../src/bus/public-outcome.js';
import { rejected, rejectedOwn } from '../../src/core/outcome.js';
import { fuzzServer, T } from '../fuzz/mqtt-fuzz.js';
import { httpRig, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };
type Answer = { outcome: { ok: boolean; code?: string; detail?: string; detailOwn?: unknown; ticketId?: string } };

describe('publicOutcome: own values as they are, echoes worded', () => {
  it('an own detail is shown verbatim and the mark stays inside; an echo with the same text is worded', () => {
    expect(publicOutcome(rejectedOwn('bad-ticket-state', '20261123-A012 is done'))).toEqual({ ...rejected('bad-ticket-state'), detail: '20261123-A012 is done' });
    expect(publicOutcome(rejected('unknown-ticket', '20261123-A012'))).toEqual({ ...rejected('unknown-ticket'), detail: 'text of 13 characters' });
  });
});

describe('over HTTP /api/commands', () => {
  let h: HttpRig;
  const cli: Record<string, string> = {};
  beforeAll(async () => {
    h = await httpRig();
    cli['authorization'] = `Bearer ${h.cliToken}`;
  });
  afterAll(() => h.close());
  const post = (payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...cli }, payload });

  it('a refusal about an existing ticket names it and where it stands', async () => {
    const issued = (await post({ id: 'o1', type: 'IssueTicket', serviceId: 'social' })).json<Answer>().outcome;
    const ticketId = String(issued.ticketId);
    expect(ticketId).toMatch(/^\d{8}-/);
    expect((await post({ id: 'o2', type: 'Cancel', ticketId, reason: 'left' })).json<Answer>().outcome.ok).toBe(true);
    const again = (await post({ id: 'o3', type: 'Cancel', ticketId, reason: 'left' })).json<Answer>().outcome;
    expect(again).toEqual({ ok: false, code: 'bad-ticket-state', message: expect.anything() as unknown, detail: `${ticketId} is cancelled` });
  });

  it('an echoed serviceId holding a name and a phone still does not come back', async () => {
    const r = await post({ id: 'o4', type: 'IssueTicket', serviceId: '张三13812345678' });
    expect(r.body).not.toContain('13812345678');
    expect(r.body).not.toContain('张三');
    expect(r.json<Answer>().outcome).toMatchObject({ ok: false, code: 'unknown-service', detail: 'text of 13 characters' });
  });
});

describe('over MQTT', () => {
  const s = fuzzServer();
  afterAll(() => s.close());

  it('a call of a ticket already called: the ticket id is named; a made-up id is still only its kind', () => {
    const ask = (id: string, command: Record<string, unknown>) => s.server.handleRequest(T.request('fuzzer'), Buffer.from(JSON.stringify({ id, type: 'command', command })))?.response as { data: Answer };
    const ticketId = Object.values(s.engine.state.tickets).find((t) => t.status === 'called')?.id ?? '';
    expect(ticketId).toMatch(/^\d{8}-/);
    expect(ask('m1', { id: 'k1', type: 'CallTicket', window: 2, ticketId }).data.outcome).toMatchObject({ ok: false, code: 'bad-ticket-state', detail: `${ticketId} is called` });
    expect(ask('m2', { id: 'k2', type: 'CallTicket', window: 2, ticketId: '20261123-Z999' }).data.outcome).toMatchObject({ ok: false, code: 'unknown-ticket', detail: 'text of 13 characters' });
  });
});
