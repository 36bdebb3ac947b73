/**
 * Tryout (personal data): refusals echoed invented keys holding an ID or a phone number
 * (`body.zhang_11010519491231002X: unknown key`, `body.li_138-1234-5678: unknown key`) over the server's
 * HTTP, the kiosk's HTTP and MQTT, where the server's own log line already said `zhang_[redacted]`.
 * The README: refusals say an invented odd key as `?`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fuzzServer, T } from '../fuzz/mqtt-fuzz.js';
import { kioskForFuzz } from './fuzz-apps.js';
import { httpRig, PIN, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };
// The README's rule: 7 digits in a row, a space, dot or dash between them counted too.
const SEVEN_DIGITS = /(?:\d[\s.-]?){6}\d/;
// The same rule as it reads typed digits now: full-width digits too, and up to three separators between
// them (spaces, dots, dashes, slashes, underscores, parentheses, ASCII or full-width).
const TYPED_SEVEN_DIGITS = /[0-9\uff10-\uff19](?:[\s._/()\uff08\uff09\uff0d\uff0e\uff0f\uff3f\u2010-\u2015\u2212-]{0,3}[0-9\uff10-\uff19]){6}/u;
const RAW = ['11010519491231002X', '138-1234-5678', '1234'];

describe('refusals never echo an invented key holding a personal number', () => {
  let h: HttpRig;
  let manager: string;
  beforeEach(async () => {
    h = await httpRig();
    manager = await h.signIn('m01', PIN.m01 ?? '');
  });
  afterEach(async () => h.close());

  const refusedClean = (message: string, messageZh: string) => {
    for (const text of [message, messageZh]) {
      for (const raw of RAW) expect(text).not.toContain(raw);
      expect(text).not.toMatch(SEVEN_DIGITS);
    }
  };

  it('POST /api/commands: invented keys holding an ID or a phone number are said as `?`; a field-like one as written', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: manager }, payload: { id: 'h-p2', type: 'CallNext', window: 3, zhang_11010519491231002X: 1, 'li_138-1234-5678': 2, secrte: 3 } });
    expect(r.statusCode).toBe(400);
    const e = r.json<{ error: { code: string; message: string; messageZh: string } }>().error;
    expect(e.code).toBe('payload-invalid');
    expect(e.message).toBe('body.?: unknown key (check the spelling); body.?: unknown key (check the spelling); body.secrte: unknown key (check the spelling)');
    expect(e.messageZh).toContain('body.?：未知的项');
    refusedClean(e.message, e.messageZh);
  });

  it("the kiosk's POST /kiosk/api/check-in says them as `?` too", async () => {
    const { app } = await kioskForFuzz();
    try {
      const r = await app.inject({ method: 'POST', url: '/kiosk/api/check-in', headers: json, payload: { code: 'QX7K2M', zhang_11010519491231002X: 1, 'li_138-1234-5678': 2 } });
      expect(r.statusCode).toBe(400);
      const e = r.json<{ error: { message: string; messageZh: string } }>().error;
      expect(e.message).toBe('body.?: unknown key (check the spelling); body.?: unknown key (check the spelling)');
      refusedClean(e.message, e.messageZh);
    } finally {
      await app.close();
    }
  });

  it('keys with a phone grouped by underscores (`li_138_1234_5678`) or in full-width digits: `?` over HTTP and MQTT, and not in the server\'s warning line', async () => {
    const keys = { li_138_1234_5678: 1, 'li_１３８１２３４５６７８': 2, 'li_１３８_１２３４_５６７８': 3 };
    const typed = ['138_1234_5678', '１３８１２３４５６７８', '１３８_１２３４_５６７８'];
    const r = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: manager }, payload: { id: 'h-p3', type: 'CallNext', window: 3, ...keys } });
    expect(r.statusCode).toBe(400);
    const e = r.json<{ error: { message: string; messageZh: string } }>().error;
    expect(e.message).toBe('body.?: unknown key (check the spelling); body.?: unknown key (check the spelling); body.?: unknown key (check the spelling)');
    const s = fuzzServer();
    try {
      const m = s.server.handleRequest(T.request('kiosk-1'), Buffer.from(JSON.stringify({ id: 'r2', type: 'command', command: { id: 'h-p3', type: 'CallNext', window: 1, ...keys } })));
      const error = (m?.response as { error: { code: string; message: string; messageZh: string } }).error;
      expect(error.code).toBe('PAYLOAD_INVALID');
      expect(error.message).toContain('command.?: unknown key');
      const warned = s.logs.filter((l) => l.msg === 'invalid request payload');
      expect(warned).toHaveLength(1);
      for (const text of [e.message, e.messageZh, error.message, error.messageZh, JSON.stringify(warned)]) {
        for (const raw of typed) expect(text).not.toContain(raw);
        expect(text).not.toMatch(TYPED_SEVEN_DIGITS);
      }
    } finally {
      s.close();
    }
  });

  it('over MQTT: a command with such keys is refused naming `command.?`', () => {
    const s = fuzzServer();
    try {
      const r = s.server.handleRequest(T.request('kiosk-1'), Buffer.from(JSON.stringify({ id: 'r1', type: 'command', command: { id: 'h-p2', type: 'CallNext', window: 1, zhang_11010519491231002X: 1, 'li_138-1234-5678': 2 } })));
      const error = (r?.response as { status: string; error: { code: string; message: string; messageZh: string } }).error;
      expect(r?.response.status).toBe('error');
      expect(error.code).toBe('PAYLOAD_INVALID');
      expect(error.message).toContain('command.?: unknown key');
      refusedClean(error.message, error.messageZh);
    } finally {
      s.close();
    }
  });
});
