import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMobileNumber, nationalMobile } from '../../src/core/index.js';

/**
 * A mobile number as people write it (3-4-4 with spaces or dashes, with +86, 86 or 0086 before it) is
 * the same 11-digit national number; anything else is no mobile number.
 */
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

  it('is refused when a digit is missing, extra or not a digit, or it is no mainland mobile', () => {
    for (const bad of ['1381234567', '138123456789', '138-1234-567', '1381234567a', '12812345678', '23812345678', '+85 13812345678', '13812345678 ext 1', '138--1234 5678x', '', ' ', '+86', '--13812345678', '138_1234_5678']) {
      expect(nationalMobile(bad), bad).toBeUndefined();
    }
  });
});
