import { describe, expect, it } from 'vitest';
import { Hall } from './fixtures.js';

/**
 * Tryout (hall-floor technician, twentieth session): the free texts staff type were masked in follow-up
 * notes only. An emergency notice typed with a citizen's phone and ID number showed both in full on the
 * public /api/emergency, the kiosk, every LED screen and the display, and was read aloud; a pause reason
 * showed them on the caller and admin pages, /api/state and the reports. Every staff-typed text the core
 * keeps is masked as follow-up notes are (core/mask.ts maskNumbersInText), before it enters an event.
 */
const PHONE = '13812345678';
const ID = '110105194912310021';
const typed = `请市民王五（电话${PHONE}，身份证${ID}）到服务台`;
const raw = new RegExp(`${PHONE}|${ID}|12345678|19491231`);

describe('staff-typed free text', () => {
  it('an emergency notice: masked in its event and in the state every screen and public page reads', () => {
    const h = new Hall();
    h.ok({ type: 'RaiseEmergency', text: typed, staffId: 'm1' });
    expect(h.state.emergency?.text).toBe('请市民王五（电话138****5678，身份证110105********0021）到服务台');
    expect(JSON.stringify(h.events('EmergencyRaised'))).not.toMatch(raw);
  });

  it('a pause reason and a cancel reason: masked in their events and the state', () => {
    const h = new Hall();
    h.open(1);
    const t = h.issue('A');
    h.ok({ type: 'PauseWindow', window: 1, reason: `市民李四 ${PHONE} 身份证 ${ID}` });
    expect(h.state.windows['1']?.pauseReason).toBe('市民李四 138****5678 身份证 110105********0021');
    h.ok({ type: 'Cancel', ticketId: t, reason: `重复取号 ${PHONE}` });
    expect(JSON.stringify([h.events('WindowPaused'), h.events('TicketCancelled'), h.state])).not.toMatch(raw);
  });

  it("a not-true determination's reason: masked as its note is", () => {
    const h = new Hall();
    h.open(1);
    h.issue('A');
    h.callNext(1);
    h.ok({ type: 'Complete', window: 1 });
    h.ok({ type: 'Rate', window: 1, grade: 'dissatisfied', source: 'rating-device' });
    const ratingId = Object.keys(h.state.ratings)[0] ?? '';
    h.ok({ type: 'FollowUp', ratingId, note: '已电话回复', staffId: 'm1' });
    h.ok({ type: 'FollowUp', ratingId, note: '核实不属实', kind: 'untrue', reason: `监控显示已办理，市民电话 ${PHONE}` });
    expect(h.state.ratings[ratingId]?.followUp?.untrue?.reason).toBe('监控显示已办理，市民电话 138****5678');
    expect(JSON.stringify(h.state.ratings)).not.toMatch(raw);
  });
});
