import { describe, expect, it } from 'vitest';
import { displayNotice } from '../../src/core/index.js';

/** Tryout (twentieth session): the display said 过号请到服务台 while the tickets and SMS say the hall's re-queue rule. */
describe("the display's scrolling line", () => {
  const name = { zh: '某某政务服务中心', en: 'Some Service Centre' };
  it('says the no-show rule the hall runs, in Chinese and English', () => {
    expect(displayNotice({ name, policy: { noShow: { requeueAfter: 3, maxRequeues: 1 } } })).toBe(
      '欢迎来到某某政务服务中心 · Welcome to Some Service Centre · 请留意叫号与短信通知，过号顺延 3 位重新排队（限一次） · Please watch for your number and SMS. Missed your call? You rejoin the queue 3 places back (once)',
    );
    expect(displayNotice({ name, policy: { noShow: { requeueAfter: null, maxRequeues: 0 } } })).toContain('过号请重新取号 · Please watch for your number and SMS. Missed your call? Please take a new number');
    expect(displayNotice({ name, policy: { noShow: { requeueAfter: 0, maxRequeues: 2 } } })).toContain('You rejoin the queue next in line (up to 2 times)');
  });
});
