/**
 * Resident ID numbers typed with separators into free text (a follow-up note, an off-site comment) are
 * masked like the plain form (tryout: `310104-19900307-2312`, `310104.1990.0307.2312`,
 * `3101 0419 9003 0723 12` were kept as typed). Ordinary text is left alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskNumbersInText } from '../../src/core/index.js';

// The README's rule for text that may be personal data: 7 digits in a row, ASCII or full-width, up to
// three separators between them counted too (spaces, dots, dashes, slashes, underscores, parentheses,
// ASCII or full-width: drivers/common/personal-keys.ts). Before full-width digits and these separators
// were masked, this was a space, dot or dash only, and `138/1234/5678` counted as ordinary text.
const SEVEN_DIGITS = /[0-9\uff10-\uff19](?:[\s._/()\uff08\uff09\uff0d\uff0e\uff0f\uff3f\u2010-\u2015\u2212-]{0,3}[0-9\uff10-\uff19]){6}/u;

describe('maskNumbersInText: resident IDs typed with separators', () => {
  it('masks the tryout note: IDs with dashes, dots and spaces, in the plain masked form; the phone as before', () => {
    const note = '证号 310104-19900307-2312；证号 310104.1990.0307.2312；证号 3101 0419 9003 0723 12；证号 310104 19900307 2312；手机 138 1234 5678';
    expect(maskNumbersInText(note)).toBe('证号 310104********2312；证号 310104********2312；证号 310104********2312；证号 310104********2312；手机 138****5678');
    expect(maskNumbersInText('身份证 11010519491231002X 与 110105-19491231-002x')).toBe('身份证 110105********002X 与 110105********002x');
    // A separator before the check character, a separated ID right after a ticket number, in Latin text.
    expect(maskNumbersInText('id 11010519491231002 X.')).toBe('id 110105********002X.');
    expect(maskNumbersInText('A003 310104-19900307-2312')).toBe('A003 310104********2312');
  });

  it('leaves ordinary text alone: dates, times, ticket numbers, amounts, two dates side by side', () => {
    for (const text of [
      '2026-12-04 10:30 A003 在 3 号窗口办理，收费 1,234.50 元（12.5 元/页）',
      '2026-12-04 至 2026-12-05',
      '2026.12.04 14:30:00',
      '2026-12-04T10:30:00+08:00',
      '2026-12-04 2026-12-05',
      '回访于 2026-12-04，B012、A003 已办结',
    ])
      expect(maskNumbersInText(text)).toBe(text);
  });

  const digit = fc.constantFrom(...'0123456789');
  const separator = fc.constantFrom('', '', '', ' ', '-', '.', '\u3000');
  /** 17 digits and a check character, with a random separator (or none) between any two of them. */
  const typedId = fc.tuple(fc.array(digit, { minLength: 17, maxLength: 17 }), fc.constantFrom(...'0123456789Xx'), fc.array(separator, { minLength: 17, maxLength: 17 })).map(([first, check, seps]) => {
    const chars = [...first, check];
    return { plain: chars.join(''), typed: chars.map((c, i) => (i === 0 ? c : `${seps[i - 1] ?? ''}${c}`)).join('') };
  });
  /** Text around it that does not run into its digits (no digit or separator-and-digit at its edges). */
  const edge = fc.constantFrom('', '证号', '证号 ', 'id:', '（', '），', 'A003，', '\n');

  it('property: any ID with random separators is masked, in the plain masked form', () => {
    fc.assert(
      fc.property(edge, typedId, edge, (before, { plain, typed }, after) => {
        const suffix = after.startsWith('A') ? `，${after}` : after;
        const out = maskNumbersInText(`${before}${typed}${suffix}`);
        expect(out).toBe(`${before}${plain.slice(0, 6)}********${plain.slice(-4)}${suffix}`);
      }),
      { numRuns: 500 },
    );
  });

  it('property: an ID next to another number (one separator between) still has its middle 8 digits starred', () => {
    const number = fc.stringMatching(/^\d{1,8}$/);
    const sep = fc.constantFrom(' ', '-', '.');
    fc.assert(
      fc.property(fc.option(fc.tuple(number, sep)), typedId, fc.option(fc.tuple(sep, number)), (before, { plain, typed }, after) => {
        const head = before ? before.join('') : '';
        const tail = after ? after.join('') : '';
        const out = maskNumbersInText(`号 ${head}${typed}${tail} 号`);
        // The ID's middle is gone: its 8 middle digits are not left in what is kept (unless the other number has them).
        fc.pre(!`${head}${tail}`.replace(/[\s.-]/g, '').includes(plain.slice(6, 14)));
        expect(out.replace(/[\s.-]/g, '')).not.toContain(plain.slice(6, 14));
        expect((out.match(/\*/g) ?? []).length).toBeGreaterThanOrEqual(8);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the plain forms as before: an ID after a ticket number, two IDs side by side, a stray X, long order numbers', () => {
    expect(maskNumbersInText('A003 310104199003072312')).toBe('A003 310104********2312');
    expect(maskNumbersInText('310104199003072312 11010519491231002X')).toBe('310104********2312 110105********002X');
    expect(maskNumbersInText('110105194912310027X')).toBe('110105********0027X');
    expect(maskNumbersInText('订单 20241122153000123456789')).toBe('订单 20241122153000123456789');
    // Which 18 is the ID cannot be told: the middles of both are starred.
    expect(maskNumbersInText('1234 310104-19900307-2312')).not.toMatch(/19900307|1990-?0307/);
  });

  it('property: text without 7 digits in a row (separators counted as the README counts them) is unchanged', () => {
    const char = fc.constantFrom(...'0123456789', ' ', '-', '.', ':', '/', '_', '(', ')', ',', '\u3000', 'A', 'B', 'x', 'X', '\uff38', '号', '证', '元', '，', '（', '）', '\uff11', '\uff18', '\uff0d', '+');
    const text = fc.array(char, { maxLength: 60 }).map((cs) => cs.join('')).filter((t) => !SEVEN_DIGITS.test(t));
    fc.assert(
      fc.property(text, (t) => {
        expect(maskNumbersInText(t)).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });
});
