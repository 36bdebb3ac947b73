import { describe, expect, it } from 'vitest';
import { Hall } from './fixtures.js';

describe('off-site rating (离场评价, Songjiang §6.6.1.1)', () => {
  function served() {
    const h = new Hall();
    h.open(2, 's4');
    const t = h.issue('A');
    h.callNext(2);
    h.ok({ type: 'Complete', window: 2 });
    return { h, t, expiresAt: h.now + 3600_000 };
  }

  it('binds to the ticket, the window that served it and its staff, with the comment; once per ticket', () => {
    const { h, t, expiresAt } = served();
    h.advance(10);
    h.ok({ type: 'RateOffsite', ticketId: t, grade: 'dissatisfied', comment: '等候\n太久', expiresAt, source: 'offsite-link' });
    expect(h.events('RatingRecorded')[0]?.rating).toEqual({ id: `R-${t}`, ticketId: t, number: 'A001', serviceId: 'A', window: 2, staffId: 's4', grade: 'dissatisfied', at: h.now, channel: 'offsite', comment: '等候 太久', followUp: undefined });
    // A bad off-site rating is followed up like any other.
    expect(h.state.ratings[`R-${t}`]?.followUp).toEqual({ status: 'open' });
    expect(h.run({ type: 'RateOffsite', ticketId: t, grade: 'satisfied', expiresAt, source: 'offsite-link' }).outcome).toMatchObject({ code: 'rating-duplicate' });
  });

  it('refuses from any other source, after the expiry, for a ticket rated on the keypad or not yet served', () => {
    const { h, t, expiresAt } = served();
    for (const source of ['admin', 'soft-caller', 'rating-device', 'kiosk', undefined] as const) {
      expect(h.run({ type: 'RateOffsite', ticketId: t, grade: 'satisfied', expiresAt, ...(source ? { source } : {}) }).outcome).toMatchObject({ code: 'rating-source' });
    }
    expect(h.run({ type: 'RateOffsite', ticketId: t, grade: 'satisfied', expiresAt: h.now - 1, source: 'offsite-link' }).outcome).toMatchObject({ code: 'rating-expired' });
    const waiting = h.issue('A');
    expect(h.run({ type: 'RateOffsite', ticketId: waiting, grade: 'satisfied', expiresAt, source: 'offsite-link' }).outcome).toMatchObject({ code: 'rating-not-served' });
    const k = served();
    k.h.ok({ type: 'Rate', window: 2, grade: 'satisfied', source: 'rating-device' });
    expect(k.h.run({ type: 'RateOffsite', ticketId: k.t, grade: 'basic', expiresAt: k.expiresAt, source: 'offsite-link' }).outcome).toMatchObject({ code: 'rating-duplicate' });
  });

  it('keeps phone and ID numbers typed in a comment or a follow-up note masked only (DESIGN §8)', () => {
    const { h, t, expiresAt } = served();
    h.ok({ type: 'RateOffsite', ticketId: t, grade: 'very-dissatisfied', comment: '态度差 请回电13912345678 身份证110105194912310027', expiresAt, source: 'offsite-link' });
    const comment = h.events('RatingRecorded')[0]?.rating.comment ?? '';
    expect(comment).toBe('态度差 请回电139****5678 身份证110105********0027');
    h.ok({ type: 'FollowUp', ratingId: `R-${t}`, note: '已致电 139 1234 5678 解释流程', kind: 'reply', source: 'admin' });
    const note = h.events('RatingFollowedUp')[0]?.note ?? '';
    expect(note).not.toMatch(/\d{7,}|1234 5678/);
    expect(JSON.stringify(h.state)).not.toContain('13912345678');
  });

  it('ends with the day at the latest', () => {
    const { h, t } = served();
    h.advance(24 * 60);
    expect(h.run({ type: 'RateOffsite', ticketId: t, grade: 'satisfied', expiresAt: h.now + 1, source: 'offsite-link' }).outcome).toMatchObject({ code: 'rating-expired' });
  });
});
