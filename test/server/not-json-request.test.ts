/**
 * issue 13: a request on MQTT that is not JSON is answered as an HTTP body is: where it broke, in
 * English and Chinese, and never a slice of the payload (which may carry a phone number).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzServer, T } from '../fuzz/mqtt-fuzz.js';

describe('an MQTT request that is not JSON', () => {
  const s = fuzzServer();
  afterAll(() => s.close());

  it('PAYLOAD_INVALID naming line and column; the answer and the log hold none of the payload', () => {
    const r = s.server.handleRequest(T.request('fuzzer'), Buffer.from('{"id": "r1", "phone": 13912345678,\n "type": command}'));
    expect(r?.response).toEqual({
      id: '',
      status: 'error',
      error: { code: 'PAYLOAD_INVALID', message: 'the payload is not valid JSON: line 2, column 10: found "c", expected a value ({…}, […], "text", a number, true, false or null) (text goes in double quotes: "…")', messageZh: expect.stringMatching(/^消息不是有效的 JSON：第 2 行第 10 列：/) as string },
    });
    expect(JSON.stringify(s.logs)).not.toContain('13912345678');
  });
});
