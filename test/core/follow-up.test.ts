import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState, grades, isBadGrade, replayInto, type FollowUpKind, type Grade } from '../../src/core/index.js';
import { Hall } from './fixtures.js';

/** A hall with one served ticket rated `grade` on the keypad; returns the rating id. */
function rated(grade: Grade): { h: Hall; ratingId: string } {
  const h = new Hall();
  h.open(1);
  h.issue('A');
  h.callNext(1);
  h.ok({ type: 'Complete', window: 1 });
  h.ok({ type: 'Rate', window: 1, grade, source: 'rating-device' });
  return { h, ratingId: Object.keys(h.state.ratings)[0]! };
}

describe('follow-up records of bad ratings (Songjiang §6.6.1.3)', () => {
  it('a reply closes it; then a rectification, or a not-true determination with its reason, at most one', () => {
    const { h, ratingId } = rated('dissatisfied');
    expect(h.run({ type: 'FollowUp', ratingId, note: '已整改', kind: 'rectification' }).outcome).toMatchObject({ code: 'follow-up-reply-first' });
    h.ok({ type: 'FollowUp', ratingId, note: '已电话回复', staffId: 'm1' });
    expect(h.events('RatingFollowedUp')[0]).toMatchObject({ ratingId, note: '已电话回复', kind: 'reply', staffId: 'm1' });
    expect(h.run({ type: 'FollowUp', ratingId, note: '不属实', kind: 'untrue' }).outcome).toMatchObject({ code: 'follow-up-reason' });
    h.ok({ type: 'FollowUp', ratingId, note: '核实不属实', kind: 'untrue', reason: '监控显示已按时办理' });
    expect(h.state.ratings[ratingId]?.followUp).toMatchObject({
      status: 'closed',
      note: '已电话回复',
      reply: { note: '已电话回复', staffId: 'm1' },
      untrue: { note: '核实不属实', reason: '监控显示已按时办理' },
    });
    expect(h.run({ type: 'FollowUp', ratingId, note: '整改', kind: 'rectification' }).outcome).toMatchObject({ code: 'follow-up-determined' });
  });

  it('a good rating has nothing to follow up; an empty note is refused', () => {
    expect(rated('satisfied').h.run({ type: 'FollowUp', ratingId: rated('satisfied').ratingId, note: 'x' }).outcome).toMatchObject({ code: 'follow-up-not-bad' });
    const { h, ratingId } = rated('very-dissatisfied');
    expect(h.run({ type: 'FollowUp', ratingId, note: '   ' }).outcome).toMatchObject({ code: 'follow-up-note' });
  });

  it('a log from before the records (RatingFollowedUp without kind) replays as a reply', () => {
    const { h, ratingId } = rated('dissatisfied');
    const old = [...h.log, { type: 'RatingFollowedUp' as const, ratingId, note: '旧回访', seq: h.state.seq + 1, at: h.now, commandId: 'old' }];
    const s = replayInto(emptyState(), old);
    expect(s.ratings[ratingId]?.followUp).toMatchObject({ status: 'closed', note: '旧回访', reply: { note: '旧回访' } });
  });

  it('a replied rating awaits its determination across days; a determined one leaves the state', () => {
    const { h, ratingId } = rated('dissatisfied');
    h.ok({ type: 'FollowUp', ratingId, note: '已回复' });
    h.advance(24 * 60);
    h.ok({ type: 'FollowUp', ratingId, note: '已整改：窗口增加引导', kind: 'rectification' });
    h.advance(24 * 60);
    h.ok({ type: 'Tick' });
    expect(h.state.ratings[ratingId]).toBeUndefined();
  });

  it('property: whatever records are tried in whatever order, the log and the state agree with the rules', () => {
    const attempt = fc.record({ kind: fc.constantFrom<FollowUpKind | undefined>('reply', 'rectification', 'untrue', undefined), note: fc.constantFrom('', ' ', '处理'), reason: fc.option(fc.constantFrom('', '理由'), { nil: undefined }) });
    fc.assert(
      fc.property(fc.constantFrom(...grades), fc.array(attempt, { maxLength: 8 }), (grade, tries) => {
        const { h, ratingId } = rated(grade);
        for (const t of tries) h.run({ type: 'FollowUp', ratingId, note: t.note, ...(t.kind ? { kind: t.kind } : {}), ...(t.reason === undefined ? {} : { reason: t.reason }) });
        const events = h.events('RatingFollowedUp');
        const f = h.state.ratings[ratingId]?.followUp;
        if (!isBadGrade(grade)) return events.length === 0 && f === undefined;
        const kinds = events.map((e) => e.kind);
        // At most one reply, first; at most one determination, after it; a not-true always has a reason; no empty notes.
        expect(kinds.filter((k) => k === 'reply').length).toBeLessThanOrEqual(1);
        if (kinds.length > 0) expect(kinds[0]).toBe('reply');
        expect(kinds.filter((k) => k !== 'reply').length).toBeLessThanOrEqual(1);
        for (const e of events) {
          expect(e.note.trim()).not.toBe('');
          if (e.kind === 'untrue') expect(e.reason?.trim()).toBeTruthy();
        }
        // The state says what the log says, and a replay rebuilds it.
        expect(f?.status).toBe(kinds.length > 0 ? 'closed' : 'open');
        expect(f?.rectification !== undefined).toBe(kinds.includes('rectification'));
        expect(f?.untrue !== undefined).toBe(kinds.includes('untrue'));
        expect(replayInto(emptyState(), h.log).ratings[ratingId]).toEqual(h.state.ratings[ratingId]);
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
