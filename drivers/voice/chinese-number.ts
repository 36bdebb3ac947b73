/**
 * Reading numbers aloud in Mandarin, as clip tokens. Pure.
 * Window numbers are read as numbers (12 → 十二, the way staff and citizens say them); ticket numbers are read
 * digit by digit (A012 → A 零 一 二), because the leading zeros are part of the printed number.
 */

/** The digit tokens, indexed by value. 0 is 零 (not 〇) and 1 is 一 (not the phone-style 幺). */
export const DIGIT_TOKENS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;
export const UNIT_TOKENS = ['', '十', '百', '千'] as const;

/** The largest number readNumber reads: windows and counters never reach 万. */
export const MAX_READ_NUMBER = 9999;

/**
 * 0 → 零, 3 → 三, 10 → 十, 12 → 十二, 20 → 二十, 101 → 一百零一, 110 → 一百一十, 1001 → 一千零一.
 * Returns undefined for anything that is not an integer in 0..9999.
 */
export function readNumber(n: number): string[] | undefined {
  if (!Number.isInteger(n) || n < 0 || n > MAX_READ_NUMBER) return undefined;
  if (n === 0) return [DIGIT_TOKENS[0]];
  const digits = String(n).split('').map(Number);
  const out: string[] = [];
  let pendingZero = false;
  digits.forEach((d, i) => {
    const place = digits.length - 1 - i;
    if (d === 0) {
      // A run of zeros inside the number is read as one 零, and only if something non-zero follows.
      pendingZero = out.length > 0;
      return;
    }
    if (pendingZero) out.push(DIGIT_TOKENS[0]);
    pendingZero = false;
    // 十二, not 一十二, when 十 leads; but 一百一十 inside a larger number.
    if (!(d === 1 && place === 1 && out.length === 0)) out.push(DIGIT_TOKENS[d] ?? '');
    const unit = UNIT_TOKENS[place] ?? '';
    if (unit !== '') out.push(unit);
  });
  return out;
}
