import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { CommandBody } from '../../src/core/index.js';
import { RatingTokens, ratingKeyPath } from '../../src/server/auth/rating-token.js';
import { loadOrCreateSecretFile } from '../../src/server/auth/secret-file.js';
import { httpRig, PIN, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };

describe('emergency notices, follow-up records and the off-site rating over HTTP', () => {
  let h: HttpRig;
  let manager: string;
  const run = (cmd: CommandBody) => h.mqtt.run({ id: randomUUID(), ...cmd } as never);
  /** Window 2 opened by s03, one ticket served there; returns its id. */
  const served = (): string => {
    run({ type: 'OpenWindow', window: 2, staffId: 's03', source: 'caller-keypad' });
    const issued = run({ type: 'IssueTicket', serviceId: 'social', delivery: 'none', source: 'kiosk' });
    if (!issued.ok || !issued.ticketId) throw new Error('not issued');
    expect(run({ type: 'CallNext', window: 2, source: 'caller-keypad' }).ok).toBe(true);
    expect(run({ type: 'Complete', window: 2, source: 'caller-keypad' }).ok).toBe(true);
    return issued.ticketId;
  };
  beforeEach(async () => {
    h = await httpRig();
    manager = await h.signIn('m01', PIN.m01 ?? '');
  });
  afterEach(async () => h.close());

  it('follow-up: a manager records reply then a not-true determination; who did it is the session, never the body', async () => {
    const t = served();
    expect(run({ type: 'Rate', window: 2, grade: 'very-dissatisfied', source: 'rating-device' }).ok).toBe(true);
    const url = `/api/ratings/R-${t}/follow-up`;
    const post = (payload: unknown, cookie = manager) => h.app.inject({ method: 'POST', url, headers: { ...json, cookie }, payload: payload as object });
    expect((await post({ note: 'x', staffId: 's01' })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'POST', url, headers: json, payload: { note: 'x' } })).statusCode).toBe(401);
    expect((await post({ note: 'x' }, await h.signIn('s01', PIN.s01 ?? '', 1))).statusCode).toBe(403);
    expect((await post({ kind: 'untrue', note: '核实' })).json()).toMatchObject({ error: { code: 'payload-invalid' } });
    expect((await post({ kind: 'rectification', note: '整改' })).json()).toMatchObject({ error: { code: 'follow-up-reply-first', messageZh: '请先记录回复，再记录整改或不属实认定' } });
    expect((await post({ note: '已电话回复' })).statusCode).toBe(200);
    expect((await post({ kind: 'untrue', note: '核实不属实', reason: '监控显示按时办理' })).statusCode).toBe(200);
    expect((await post({ kind: 'rectification', note: '整改' })).statusCode).toBe(409);
    const events = h.engine.eventsAfter(0).filter((e) => e.type === 'RatingFollowedUp');
    expect(events).toMatchObject([
      { kind: 'reply', note: '已电话回复', staffId: 'm01' },
      { kind: 'untrue', reason: '监控显示按时办理', staffId: 'm01' },
    ]);
    // The general command route sets the actor the same way, whatever the body says.
    const r2 = served();
    run({ type: 'Rate', window: 2, grade: 'dissatisfied', source: 'rating-device' });
    const viaCommands = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: manager }, payload: { id: 'fu-1', type: 'FollowUp', ratingId: `R-${r2}`, note: '回复' } });
    expect(viaCommands.json()).toMatchObject({ outcome: { ok: true } });
    expect(h.engine.eventsAfter(0).filter((e) => e.type === 'RatingFollowedUp').at(-1)).toMatchObject({ staffId: 'm01' });
  });

  it('emergency: raised by a manager, public on /api/hall, the kiosk refused in Chinese; cleared, tickets again', async () => {
    const staff = await h.signIn('s01', PIN.s01 ?? '', 1);
    expect((await h.app.inject({ method: 'POST', url: '/api/emergency', headers: { ...json, cookie: staff }, payload: { preset: 'fire' } })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/api/emergency', headers: { ...json, cookie: manager }, payload: {} })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'POST', url: '/api/emergency', headers: { ...json, cookie: manager }, payload: { preset: 'nope' } })).json()).toMatchObject({ error: { code: 'unknown-preset' } });
    // A mistyped preset: the presets there are and the close one, in both languages (a tryout's `fier` got a bare 409).
    const fier = await h.app.inject({ method: 'POST', url: '/api/emergency', headers: { ...json, cookie: manager }, payload: { preset: 'fier' } });
    expect(fier.statusCode).toBe(409);
    expect(fier.json()).toMatchObject({
      error: {
        code: 'unknown-preset',
        message: 'No such emergency preset; the presets: fire, evacuate, suspend, power (did you mean fire?)',
        messageZh: '没有该预设紧急通知；预设有：fire、evacuate、suspend、power（是不是 "fire"？）',
      },
    });
    const raised = await h.app.inject({ method: 'POST', url: '/api/emergency', headers: { ...json, cookie: manager }, payload: { preset: 'fire' } });
    expect(raised.statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/hall' })).json().emergency).toMatchObject({ kind: 'evacuation', text: expect.stringContaining('火警') });
    expect(h.engine.eventsAfter(0).find((e) => e.type === 'EmergencyRaised')).toMatchObject({ staffId: 'm01', preset: 'fire' });
    const refused = run({ type: 'IssueTicket', serviceId: 'social', delivery: 'print', source: 'kiosk' });
    expect(refused).toMatchObject({ ok: false, code: 'emergency', message: { zh: '大厅处于紧急状态，暂停取号，请听从工作人员指引' } });
    expect((await h.app.inject({ method: 'POST', url: '/api/emergency/clear', headers: { ...json, cookie: manager }, payload: {} })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/emergency' })).json()).toEqual({ emergency: null });
    expect(run({ type: 'IssueTicket', serviceId: 'social', delivery: 'none', source: 'kiosk' }).ok).toBe(true);
  });

  it('emergency text with a phone split by zero-width spaces (the tryout): the public /api/emergency and the log have it masked', async () => {
    const text = '请张三速到服务台，家属电话138\u200b0013\u200b8000，座机010-66778899';
    expect((await h.app.inject({ method: 'POST', url: '/api/emergency', headers: { ...json, cookie: manager }, payload: { text } })).statusCode).toBe(200);
    const shown = (await h.app.inject({ url: '/api/emergency' })).json() as { emergency: { text: string } };
    expect(shown.emergency.text).toBe('请张三速到服务台，家属电话138****8000，座机010-****8899');
    // The notice as the log keeps it (the whole log's JSON holds times and ids, whose digits may contain 0013).
    const raised = h.engine.eventsAfter(0).filter((e) => e.type === 'EmergencyRaised');
    expect(raised.map((e) => e.text)).toEqual(['请张三速到服务台，家属电话138****8000，座机010-****8899']);
    expect(JSON.stringify(raised)).not.toMatch(/138\u200b?0013|66778899|\u200b/);
    expect((await h.app.inject({ method: 'POST', url: '/api/emergency/clear', headers: { ...json, cookie: manager }, payload: {} })).statusCode).toBe(200);
  });

  it('off-site rating: once, bound to window and staff; an expired, forged or staff-session submission is refused', async () => {
    const t = served();
    const tokens = new RatingTokens(loadOrCreateSecretFile(ratingKeyPath(h.db), 'rating link key', silentLogger), 'demo-hall');
    const token = tokens.tokenOf(t, h.clock() + 3600_000);
    const rate = (tk: string, payload: object, cookie?: string) => h.app.inject({ method: 'POST', url: `/api/rating/${tk}`, headers: { ...json, ...(cookie ? { cookie } : {}) }, payload });
    const info = (await h.app.inject({ url: `/api/rating/${token}` })).json();
    expect(info).toMatchObject({ number: expect.any(String), window: 2, rated: false, expired: false });
    expect(JSON.stringify(info)).not.toMatch(/s03|staff/);
    expect((await rate(token, { grade: 'satisfied' }, manager)).json()).toMatchObject({ error: { code: 'rating-source' } });
    // Staff do not even see it: the page and its info with a session cookie are refused too.
    expect((await h.app.inject({ url: `/api/rating/${token}`, headers: { cookie: manager } })).statusCode).toBe(403);
    expect((await h.app.inject({ url: `/r/${token}`, headers: { cookie: manager } })).statusCode).toBe(403);
    // A link an SMS app cut short still gets the page (which then says 链接已失效), never a raw JSON error.
    const cut = await h.app.inject({ url: '/r/not-a-token' });
    expect(cut.statusCode).toBe(200);
    expect(cut.headers['content-type']).toMatch(/text\/html/);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await rate(forged, { grade: 'satisfied' })).statusCode).toBe(404);
    expect((await rate(tokens.tokenOf(t, h.clock() - 1000), { grade: 'satisfied' })).json()).toMatchObject({ error: { code: 'rating-expired' } });
    expect((await rate(token, { grade: 'dissatisfied', comment: '排队太久' })).statusCode).toBe(200);
    expect((await rate(token, { grade: 'very-satisfied' })).json()).toMatchObject({ error: { code: 'rating-duplicate' } });
    const ratings = h.engine.eventsAfter(0).filter((e) => e.type === 'RatingRecorded');
    expect(ratings).toHaveLength(1);
    expect(ratings[0]).toMatchObject({ rating: { ticketId: t, window: 2, staffId: 's03', grade: 'dissatisfied', channel: 'offsite', comment: '排队太久' } });
    // Never through the command route, whoever asks.
    const viaCommands = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: manager }, payload: { id: 'x', type: 'RateOffsite', ticketId: t, grade: 'satisfied', expiresAt: 1e15 } });
    expect(viaCommands.statusCode).toBe(400);
  });
});
