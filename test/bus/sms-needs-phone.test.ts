/**
 * issue 13: an IssueTicket with `delivery: sms` and no mobile number is refused at the schema
 * boundary (the one wire schema, src/bus/command-schema.ts), over HTTP and over MQTT alike, in
 * English and Chinese: an SMS-only ticket without a number would never reach its citizen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireCommandSchema } from '../../src/bus/command-schema.js';
import { fuzzServer, T } from '../fuzz/mqtt-fuzz.js';
import { httpRig, type HttpRig } from '../http/rig.js';

const han = /[\u4e00-\u9fff]/;
const issue = (over: Record<string, unknown>) => ({ id: 'sms-1', type: 'IssueTicket', serviceId: 'A', delivery: 'sms', ...over });

describe('an SMS ticket needs a mobile number', () => {
  it('the wire schema: refused without one (or with an empty mask), taken with one; other deliveries need none', () => {
    for (const c of [issue({}), issue({ phoneMasked: '' }), issue({ phoneMasked: '***' })]) {
      const r = wireCommandSchema.safeParse(c);
      expect(r.success, JSON.stringify(c)).toBe(false);
      expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['phoneMasked']);
    }
    expect(wireCommandSchema.safeParse(issue({ phoneMasked: '139****5678' })).success).toBe(true);
    for (const delivery of ['print', 'none', undefined]) expect(wireCommandSchema.safeParse(issue({ delivery })).success, String(delivery)).toBe(true);
  });

  it('over MQTT: PAYLOAD_INVALID naming phoneMasked and the delivery, in English and Chinese; no ticket made', () => {
    const s = fuzzServer();
    try {
      const before = Object.keys(s.engine.state.tickets).length;
      const r = s.server.handleRequest(T.request('kiosk-1'), Buffer.from(JSON.stringify({ id: 'r1', type: 'command', command: issue({}) })));
      const error = (r?.response as { status: string; error: { code: string; message: string; messageZh: string } }).error;
      expect(r?.response.status).toBe('error');
      expect(error.code).toBe('PAYLOAD_INVALID');
      expect(error.message).toContain('command.phoneMasked: found nothing (the key is missing), expected a masked mobile number like 139****5678: an SMS ticket (delivery sms) is sent to it');
      expect(error.messageZh).toMatch(han);
      expect(error.messageZh).toContain('短信取号（delivery 为 sms）须有手机号码');
      expect(Object.keys(s.engine.state.tickets)).toHaveLength(before);
    } finally {
      s.close();
    }
  });

  describe('over HTTP', () => {
    let h: HttpRig;
    beforeAll(async () => {
      h = await httpRig();
    });
    afterAll(() => h.close());

    it('400 payload-invalid naming body.phoneMasked, in English and Chinese', async () => {
      const r = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.cliToken}` }, payload: issue({ serviceId: 'social' }) });
      expect(r.statusCode).toBe(400);
      const e = r.json<{ error: { code: string; message: string; messageZh: string } }>().error;
      expect(e.code).toBe('payload-invalid');
      expect(e.message).toBe('body.phoneMasked: found nothing (the key is missing), expected a masked mobile number like 139****5678: an SMS ticket (delivery sms) is sent to it');
      expect(e.messageZh).toContain('短信取号（delivery 为 sms）须有手机号码');
    });
  });
});
