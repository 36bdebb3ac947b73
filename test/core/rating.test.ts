import { describe, expect, it } from 'vitest';
import { Hall } from './fixtures.js';

describe('ratings (好差评)', () => {
  function served() {
    const h = new Hall();
    h.open(1);
    const t = h.issue('A');
    h.callNext(1);
    return { h, t };
  }

  it('accepts a grade from the rating device during or just after the service, attached to ticket, window and staff', () => {
    const { h, t } = served();
    h.ok({ type: 'RequestRating', window: 1 });
    h.ok({ type: 'Complete', window: 1 });
    h.advance(1);
    h.ok({ type: 'Rate', window: 1, grade: 'satisfied', source: 'rating-device' });
    expect(h.events('RatingRecorded')[0]?.rating).toMatchObject({ ticketId: t, number: 'A001', window: 1, staffId: 's1', grade: 'satisfied' });
    expect(h.run({ type: 'Rate', window: 1, grade: 'basic', source: 'rating-device' }).outcome).toMatchObject({ code: 'rating-duplicate' });
  });

  it('refuses a rating from any staff-side source', () => {
    for (const source of ['caller-keypad', 'soft-caller', 'admin', 'kiosk', undefined] as const) {
      const { h } = served();
      const r = h.run({ type: 'Rate', window: 1, grade: 'very-satisfied', ...(source ? { source } : {}) });
      expect(r.outcome).toMatchObject({ ok: false, code: 'rating-source' });
    }
  });

  it('refuses a rating after the time limit or with nothing served', () => {
    const { h } = served();
    // Nothing served: an open window says so; a closed one is worded as every key on a closed window is.
    const open = new Hall();
    open.open(1);
    expect(open.run({ type: 'Rate', window: 1, grade: 'satisfied', source: 'rating-device' }).outcome).toMatchObject({ code: 'rating-nothing' });
    expect(open.run({ type: 'RequestRating', window: 1 }).outcome).toMatchObject({ code: 'rating-nothing' });
    expect(new Hall().run({ type: 'Rate', window: 1, grade: 'satisfied', source: 'rating-device' }).outcome).toMatchObject({ code: 'window-closed' });
    expect(new Hall().run({ type: 'RequestRating', window: 1 }).outcome).toMatchObject({ code: 'window-closed' });
    h.ok({ type: 'Complete', window: 1 });
    h.advance(3); // limit 120 s
    expect(h.run({ type: 'Rate', window: 1, grade: 'satisfied', source: 'rating-device' }).outcome).toMatchObject({ code: 'rating-expired' });
  });

  it('takes the rating of a window closed right after its service, within the time limit', () => {
    const { h } = served();
    h.ok({ type: 'Complete', window: 1 });
    h.ok({ type: 'CloseWindow', window: 1 });
    h.ok({ type: 'Rate', window: 1, grade: 'satisfied', source: 'rating-device' });
  });

  it('opens a follow-up record for every bad rating and closes it once', () => {
    const { h } = served();
    h.ok({ type: 'Rate', window: 1, grade: 'very-dissatisfied', source: 'rating-device' });
    const r = Object.values(h.state.ratings)[0]!;
    expect(r.followUp).toEqual({ status: 'open' });
    h.ok({ type: 'FollowUp', ratingId: r.id, note: '已电话回访' });
    expect(h.state.ratings[r.id]?.followUp).toMatchObject({ status: 'closed', note: '已电话回访' });
    expect(h.run({ type: 'FollowUp', ratingId: r.id, note: 'again' }).outcome).toMatchObject({ code: 'follow-up-closed' });
    const good = served();
    good.h.ok({ type: 'Rate', window: 1, grade: 'satisfied', source: 'rating-device' });
    expect(Object.values(good.h.state.ratings)[0]?.followUp).toBeUndefined();
  });
});
