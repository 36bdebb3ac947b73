import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMobileNumber, nationalMobile } from '../../src/core/index.js';

/**
 * A mobile number as people write it (3-4-4 with spaces or dashes, with +86, 86 or 0086 before it) is
 * the same 11-digit national number; anything else is no mobile number.
 */
/** A character as a person may type it: an ASCII digit, or its full-width form (U+FF10–FF19) from a Chinese IME. */
const widths = (text: string) => fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((wide) => [...text].map((c, i) => (wide[i] && /\d/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join(''));
/** Spaces (ASCII, the ideographic U+3000) and dashes (ASCII, full-width －, the IME's —, hyphens U+2010) between groups. */
const anySep = fc.constantFrom('', ' ', '-', '  ', ' - ', '\u3000', '\uff0d', '\u2014', '\u2010', '\u3000\uff0d\u3000');
const anyPrefix = fc.constantFrom('', '+86', '86', '0086', '+86 ', '+86-', '0086 ', '\uff0b86', '\uff0b86\u3000', '\uff0b\uff18\uff16 ');
const national = fc.tuple(fc.integer({ min: 3, max: 9 }), fc.stringMatching(/^\d{9}$/)).map(([second, rest]) => `1${second}${rest}`);
const sep = fc.constantFrom('', ' ', '-', '  ', ' - ');
const prefix = fc.constantFrom('', '+86', '86', '0086', '+86 ', '+86-', '0086 ');

describe('a mobile number as typed', () => {
  it('in any of its written forms is its national number', () => {
    fc.assert(
      fc.property(national, prefix, sep, sep, fc.constantFrom('', ' '), (n, p, s1, s2, pad) => {
        const typed = `${pad}${p}${n.slice(0, 3)}${s1}${n.slice(3, 7)}${s2}${n.slice(7)}${pad}`;
        expect(nationalMobile(typed)).toBe(n);
        expect(isMobileNumber(typed)).toBe(true);
      }),
    );
  });

  it('in full-width digits, any mix of widths, with full-width spaces and dashes, is its national number (ASCII)', () => {
    fc.assert(
      fc.property(
        fc.tuple(national, anyPrefix, anySep, anySep, fc.constantFrom('', ' ', '\u3000')).chain(([n, p, s1, s2, pad]) => fc.tuple(fc.constant(n), widths(`${pad}${p}${n.slice(0, 3)}${s1}${n.slice(3, 7)}${s2}${n.slice(7)}${pad}`))),
        ([n, typed]) => {
          expect(nationalMobile(typed)).toBe(n);
        },
      ),
    );
    expect(nationalMobile('１３８００１３８０００')).toBe('13800138000');
    expect(nationalMobile('１３８ ００１３ ８０００')).toBe('13800138000');
    expect(nationalMobile('＋８６　１３８－００１３－８０００')).toBe('13800138000');
  });

  it('nothing else becomes one: whatever is accepted holds the national number\'s digits (maybe after 86 or 0086) and only spaces, dashes or a leading +', () => {
    const alphabet = fc.constantFrom(...'0123456789０１３８６９ -－\u3000+＋.,/()xX_a'.split(''), '1', '3', '8', '0');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 20 }).map((cs) => cs.join('')), (typed) => {
        const n = nationalMobile(typed);
        if (n === undefined) return;
        expect(n).toMatch(/^1[3-9]\d{9}$/);
        const digits = [...typed].map((c) => (/[\uff10-\uff19]/.test(c) ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c)).join('').replace(/\D/g, '');
        expect([n, `86${n}`, `0086${n}`]).toContain(digits);
        expect(typed).toMatch(/^[\s\d\uff10-\uff19+\uff0b\-\uff0d\u2010-\u2015\u2212]*$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('a valid number typed with a digit dropped or added, or a letter or other mark inside, is refused', () => {
    fc.assert(
      fc.property(national, anySep, fc.nat(), fc.constantFrom('drop', 'add', 'mark'), fc.constantFrom('a', 'X', '.', '/', '_', '#', '０', '5'), (n, s1, at, how, mark) => {
        const i = 1 + (at % 10);
        const typed = how === 'drop' ? `${n.slice(0, i)}${s1}${n.slice(i + 1)}` : how === 'add' ? `${n.slice(0, i)}${/\d|０/.test(mark) ? mark : '7'}${s1}${n.slice(i)}` : `${n.slice(0, i)}${/\d|０/.test(mark) ? 'a' : mark}${n.slice(i)}`;
        expect(nationalMobile(typed)).toBeUndefined();
      }),
    );
  });

  it('is refused when a digit is missing, extra or not a digit, or it is no mainland mobile', () => {
    for (const bad of ['1381234567', '138123456789', '138-1234-567', '1381234567a', '12812345678', '23812345678', '+85 13812345678', '13812345678 ext 1', '138--1234 5678x', '', ' ', '+86', '--13812345678', '138_1234_5678']) {
      expect(nationalMobile(bad), bad).toBeUndefined();
    }
  });
});
