import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from '../../src/bus/messages.js';
import { T, fuzzServer, type ServerUnderTest } from '../fuzz/mqtt-fuzz.js';

const zh = /[\u4e00-\u9fff]/;

/** Every MQTT error answer carries messageZh (issue 13: FORBIDDEN answers had none, PAYLOAD_INVALID did). */
describe('MQTT error answers: English and Chinese, whatever the code', () => {
  let s: ServerUnderTest;
  beforeAll(() => {
    s = fuzzServer(4096);
  });
  afterAll(() => s.close());

  const ask = (client: string, body: unknown): Response => {
    const a = s.server.handleRequest(T.request(client), Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
    if (!a) throw new Error('no answer');
    return a.response;
  };
  const cases: [string, string, unknown][] = [
    ['FORBIDDEN', 'fuzzer', { id: 'a', type: 'command', command: { id: 'c1', type: 'FollowUp', ratingId: 'r', note: 'x' } }],
    ['FORBIDDEN', 'kiosk-1', { id: 'b', type: 'command', command: { id: 'c2', type: 'CallNext', window: 1 } }],
    ['FORBIDDEN', 'kiosk-1', { id: 'c', type: 'command', command: { id: 'c3', type: 'Rate', window: 1, grade: 'satisfied' } }],
    ['FORBIDDEN', 'intruder', { id: 'd', type: 'state' }],
    ['FORBIDDEN', 'kiosk-1', { id: 'e', type: 'island', command: { id: 'c4', type: 'CallNext', window: 1 }, for: 'intruder' }],
    ['PAYLOAD_INVALID', 'fuzzer', '{not json'],
    ['PAYLOAD_INVALID', 'fuzzer', { id: 'f', type: 'command', command: { id: 'c5', type: 'CallNxt' } }],
    ['PAYLOAD_INVALID', 'fuzzer', 'x'.repeat(5000)],
    ['STATE_MOVED', 'fuzzer', { id: 'g', type: 'state', part: 7, seq: 1 }],
    ['ISLAND_OFF', 'fuzzer', { id: 'h', type: 'island', command: { id: 'c6', type: 'CallNext', window: 1 } }],
  ];
  it.each(cases)('%s (%s) has messageZh', (code, client, body) => {
    const r = ask(client, body);
    expect(r.status).toBe('error');
    if (r.status !== 'error') return;
    expect(r.error.code).toBe(code);
    expect(r.error.message.length).toBeGreaterThan(0);
    expect(r.error.messageZh, JSON.stringify(r.error)).toMatch(zh);
  });
});
