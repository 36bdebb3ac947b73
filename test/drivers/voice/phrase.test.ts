import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIGIT_TOKENS, readNumber } from '../../../drivers/voice/chinese-number.js';
import { callPhrase, parseTemplate, readTicket } from '../../../drivers/voice/phrase.js';

/** An independent reader of Chinese numerals, to check readNumber against. */
function valueOf(tokens: string[]): number {
  const units: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
  let total = 0;
  let digit: number | undefined;
  for (const t of tokens) {
    const d = (DIGIT_TOKENS as readonly string[]).indexOf(t);
    if (d >= 0) digit = d;
    else {
      const u = units[t];
      if (u === undefined) throw new Error(`not a numeral: ${t}`);
      total += (digit ?? 1) * u;
      digit = undefined;
    }
  }
  return total + (digit ?? 0);
}

describe('readNumber', () => {
  it.each([
    [1, '一'],
    [3, '三'],
    [10, '十'],
    [12, '十二'],
    [20, '二十'],
    [21, '二十一'],
    [100, '一百'],
    [101, '一百零一'],
    [110, '一百一十'],
    [1001, '一千零一'],
    [1010, '一千零一十'],
    [1100, '一千一百'],
    [9999, '九千九百九十九'],
    [0, '零'],
  ])('reads %i as %s', (n, spoken) => {
    expect(readNumber(n)?.join('')).toBe(spoken);
  });

  it('reads every number 1…9999 back to itself, never with a doubled, leading or trailing 零', () => {
    const wrong: string[] = [];
    for (let n = 1; n <= 9999; n++) {
      const t = readNumber(n) ?? [];
      if (valueOf(t) !== n || /零零|^零|零$/.test(t.join(''))) wrong.push(`${n}: ${t.join('')}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each([-1, 1.5, 10000, Number.NaN])('refuses %d', (n) => {
    expect(readNumber(n)).toBeUndefined();
  });
});

describe('callPhrase', () => {
  it('composes 请 A012 号 到 3 号窗口 办理 with the ticket read digit by digit', () => {
    expect(callPhrase({ ticket: 'A012', window: 3 })).toEqual({ ok: true, tokens: ['请', 'A', '零', '一', '二', '号', '到', '三', '号', '窗口', '办理'] });
  });

  it('reads window 12 as 十二 but ticket digits 1 2 as 一 二', () => {
    const r = callPhrase({ ticket: 'b12', window: 12 });
    expect(r.ok && r.tokens.join(' ')).toBe('请 B 一 二 号 到 十 二 号 窗口 办理');
  });

  it('follows a custom template', () => {
    expect(callPhrase({ ticket: 'C7', window: 105 }, '{ticket} 号 请到 {window} 号 窗口')).toEqual({
      ok: true,
      tokens: ['C', '七', '号', '请到', '一', '百', '零', '五', '号', '窗口'],
    });
  });

  it('reports every unreadable ticket character', () => {
    const r = callPhrase({ ticket: 'A-0#1', window: 1 });
    expect(r).toMatchObject({ ok: false, error: { type: 'TICKET_UNREADABLE', chars: ['-', '#'] } });
  });

  it('refuses window 0 and non-integers', () => {
    expect(callPhrase({ ticket: 'A1', window: 0 })).toMatchObject({ ok: false, error: { type: 'WINDOW_INVALID' } });
    expect(callPhrase({ ticket: 'A1', window: 2.5 })).toMatchObject({ ok: false, error: { type: 'WINDOW_INVALID' } });
  });

  it('refuses unknown placeholders and empty templates', () => {
    expect(parseTemplate('请 {tiket} 号')).toMatchObject({ ok: false, error: { type: 'TEMPLATE_INVALID' } });
    expect(parseTemplate('请{ticket}号')).toMatchObject({ ok: false, error: { type: 'TEMPLATE_INVALID' } });
    expect(parseTemplate('  ')).toMatchObject({ ok: false, error: { type: 'TEMPLATE_INVALID' } });
  });

  it('reads any letters-and-digits ticket one token per character (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), (ticket) => {
        const r = readTicket(ticket);
        expect(r.ok && r.tokens.length).toBe(ticket.length);
      }),
    );
  });
});
