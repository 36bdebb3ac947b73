/**
 * Tryout (personal data): resident ID numbers typed with separators into a follow-up note
 * (`310104-19900307-2312`, `310104.1990.0307.2312`, `3101 0419 9003 0723 12`) were kept as typed in
 * /api/ratings and the event log. The README: numbers typed into a note are kept masked only.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandBody } from '../../src/core/index.js';
import { httpRig, PIN, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };

describe('a follow-up note with ID numbers typed with separators, through the server', () => {
  let h: HttpRig;
  let manager: string;
  const run = (cmd: CommandBody) => h.mqtt.run({ id: randomUUID(), ...cmd } as never);
  beforeEach(async () => {
    h = await httpRig();
    manager = await h.signIn('m01', PIN.m01 ?? '');
  });
  afterEach(async () => h.close());

  /** A ticket served at window 2 and rated 非常不满意 on its keypad; `post` records a follow-up of that rating as the manager. */
  const badRating = () => {
    run({ type: 'OpenWindow', window: 2, staffId: 's03', source: 'caller-keypad' });
    const issued = run({ type: 'IssueTicket', serviceId: 'social', delivery: 'none', source: 'kiosk' });
    if (!issued.ok || !issued.ticketId) throw new Error('not issued');
    run({ type: 'CallNext', window: 2, source: 'caller-keypad' });
    run({ type: 'Complete', window: 2, source: 'caller-keypad' });
    expect(run({ type: 'Rate', window: 2, grade: 'very-dissatisfied', source: 'rating-device' }).ok).toBe(true);
    return { post: (payload: object) => h.app.inject({ method: 'POST', url: `/api/ratings/R-${issued.ticketId}/follow-up`, headers: { ...json, cookie: manager }, payload }) };
  };

  it('a follow-up note with ID numbers typed with dashes, dots and spaces is kept masked in /api/ratings and the log', async () => {
    const { post } = badRating();
    const note = '证号 310104-19900307-2312；证号 310104.1990.0307.2312；证号 3101 0419 9003 0723 12；证号 310104 19900307 2312；手机 138 1234 5678';
    const masked = '证号 310104********2312；证号 310104********2312；证号 310104********2312；证号 310104********2312；手机 138****5678';
    expect((await post({ kind: 'reply', note: '已回复' })).statusCode).toBe(200);
    expect((await post({ kind: 'rectification', note })).statusCode).toBe(200);

    const ratings = await h.app.inject({ method: 'GET', url: '/api/ratings', headers: { cookie: manager } });
    expect(ratings.statusCode).toBe(200);
    expect(ratings.body).toContain(masked);
    const events = h.engine.eventsAfter(0).filter((e) => e.type === 'RatingFollowedUp');
    expect(events.at(-1)).toMatchObject({ kind: 'rectification', note: masked });
    for (const text of [ratings.body, JSON.stringify(h.engine.eventsAfter(0))]) for (const raw of ['19900307', '1990.0307', '0419 9003', '1234 5678']) expect(text).not.toContain(raw);
  });

  it('a note with numbers in full-width digits or grouped by parentheses, slashes or underscores is kept masked too', async () => {
    const { post } = badRating();
    const note = '手机１３８１２３４５６７８；（139）8765-4321；137/1111/2222；136_3333_4444；证号１１０１０５１９４９１２３１００２Ｘ；310104/19900307/2312；A003 于 2026-12-03 09:30';
    const masked = '手机138****5678；139****4321；137****2222；136****4444；证号110105********002X；310104********2312；A003 于 2026-12-03 09:30';
    expect((await post({ kind: 'reply', note })).statusCode).toBe(200);
    const ratings = await h.app.inject({ method: 'GET', url: '/api/ratings', headers: { cookie: manager } });
    expect(ratings.body).toContain(masked);
    expect(h.engine.eventsAfter(0).filter((e) => e.type === 'RatingFollowedUp').at(-1)).toMatchObject({ kind: 'reply', note: masked });
    for (const text of [ratings.body, JSON.stringify(h.engine.eventsAfter(0))]) for (const raw of ['１２３４', '8765-4321', '1111/2222', '3333_4444', '１９４９１２３１', '19900307']) expect(text).not.toContain(raw);
  });
});
