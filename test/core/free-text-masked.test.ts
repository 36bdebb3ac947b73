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

  it('a landline and a mobile in Chinese numerals: masked in a cancel reason, a pause reason and an emergency notice', () => {
    const h = new Hall();
    h.open(1);
    const t = h.issue('A');
    h.ok({ type: 'Cancel', ticketId: t, reason: '市民来电010-66778899，另留手机一三八零零一三八零零零，A001 于 10:30 取号' });
    h.ok({ type: 'PauseWindow', window: 1, reason: '回电座机(0571)87654321，或电话66778899' });
    h.ok({ type: 'RaiseEmergency', text: '请市民张三（电话138零零13八000，座机 +86 10 6677 8899）到3号窗口', staffId: 'm1' });
    expect(h.events('TicketCancelled')[0]).toMatchObject({ reason: '市民来电010-****8899，另留手机138****8000，A001 于 10:30 取号' });
    expect(h.state.windows['1']?.pauseReason).toBe('回电座机0571-****4321，或电话****8899');
    // The emergency notice is public: every screen, the display, the kiosk, the voice read it from here.
    expect(h.state.emergency?.text).toBe('请市民张三（电话138****8000，座机 010-****8899）到3号窗口');
    const kept = JSON.stringify([h.events('TicketCancelled'), h.events('WindowPaused'), h.events('EmergencyRaised'), h.state]);
    expect(kept).not.toMatch(/66778899|87654321|一三八零零一三八零零零|138零零13八000|6677 8899/);
  });

  it('a number split by invisible characters or interpuncts (the tryout: 138\\u200b0013\\u200b8000 reached every screen whole): masked, the invisibles dropped', () => {
    const h = new Hall();
    h.open(1);
    const t = h.issue('A');
    h.ok({ type: 'RaiseEmergency', text: '请张三速到服务台，家属电话138\u200b0013\u200b8000，座机010-66778899', staffId: 'm1' });
    expect(h.state.emergency?.text).toBe('请张三速到服务台，家属电话138****8000，座机010-****8899');
    h.ok({ type: 'PauseWindow', window: 1, reason: '回电138\u00ad0013\u00ad8000或138·0013·8000\u2060' });
    expect(h.state.windows['1']?.pauseReason).toBe('回电138****8000或138****8000');
    h.ok({ type: 'Cancel', ticketId: t, reason: '\ufeff重复取号 138・0013・8000，139•0013•9000' });
    expect(h.events('TicketCancelled')[0]).toMatchObject({ reason: '重复取号 138****8000，139****9000' });
    const kept = JSON.stringify([h.events('EmergencyRaised'), h.events('WindowPaused'), h.events('TicketCancelled'), h.state]);
    expect(kept).not.toMatch(/[\u00ad\u200b\u2060\ufeff]|0013/);
    // An ideographic comma still separates what it lists: ticket numbers are not joined into a phone.
    h.ok({ type: 'ResumeWindow', window: 1 });
    h.ok({ type: 'PauseWindow', window: 1, reason: 'A003、A004、A005 已叫' });
    expect(h.state.windows['1']?.pauseReason).toBe('A003、A004、A005 已叫');
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
