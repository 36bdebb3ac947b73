import { describe, expect, it } from 'vitest';
import { ticketNotice, WAIT_TOLD_MAX_MINUTES, waitFigure, waitText, waitWords } from '../../src/core/index.js';

/** The display rule of an estimated wait (src/core/wait-words.ts), at and around its bound of two hours. */
describe('how an estimated wait is told', () => {
  it('the bound is two hours', () => expect(WAIT_TOLD_MAX_MINUTES).toBe(120));

  it.each([
    [undefined, '暂无开放窗口，开放后计算', 'No window open yet', '暂无开放窗口，开放后计算', '—'],
    [0, '即将叫号', 'Any moment now', '即将叫号', '0'],
    [1, '约 1 分钟', 'about 1 min', '预计等候约 1 分钟', '1'],
    [119, '约 119 分钟', 'about 119 min', '预计等候约 119 分钟', '119'],
    [120, '约 120 分钟', 'about 120 min', '预计等候约 120 分钟', '120'],
    [121, '超过2小时', 'over 2 h', '预计等候超过2小时', '超过120'],
    [5827, '超过2小时', 'over 2 h', '预计等候超过2小时', '超过120'],
  ])('%s minutes: %s / %s, %s, {wait} %s', (minutes, zh, en, sentence, bare) => {
    expect(waitWords(minutes)).toEqual({ zh, en });
    expect(waitText(minutes)).toBe(sentence);
    expect(waitFigure(minutes)).toBe(bare);
    expect(ticketNotice({ number: 'A001', service: { zh: '社保', en: 'Social' }, position: 1, estimatedWaitMinutes: minutes, windows: [1] }).waitText).toBe(sentence);
  });
});
