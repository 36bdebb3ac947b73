/**
 * Security tryout (personal data): refusals echoed an invented key or a found text holding a phone
 * number grouped by underscores (`body.li_138_1234_5678: unknown key`), slashes or parentheses, or typed
 * in full-width digits with such separators (`"１３８/１２３４/５６７８"`), also in the server's warning
 * line. The rule for what may be a personal number is now the one personal-keys.ts gives (7 digits,
 * ASCII or full-width, the separators people group a number by counted), the same the masking of
 * typed text reads by; what the hall reads (dates, times, ticket numbers) is still quoted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { foundWords, invalidText, keyPath, type Issue } from '../../drivers/common/invalid-text.js';

const unknownKeys = (keys: string[]): Issue => ({ code: 'unrecognized_keys', keys, path: [], message: '' }) as unknown as Issue;
// Any digit, ASCII or full-width, in a refusal (no digit of the personal numbers below may be echoed).
const DIGITS_OF = (n: string) => new RegExp(n.split('').join('[^0-9\\uff10-\\uff19]{0,3}'));
const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

describe('refusals: invented keys and found texts with a phone or ID grouped or in full-width digits', () => {
  it('says `li_138_1234_5678` and a key with full-width digits as `?`', () => {
    expect(keyPath(['li_138_1234_5678'], 'body')).toBe('body.?');
    expect(keyPath(['zhang_110105_19491231_002X'], 'body')).toBe('body.?');
    expect(keyPath(['li__138__1234__5678'], 'command')).toBe('command.?');
    expect(keyPath(['x_1_2_3_4_5_6_7'], 'body')).toBe('body.?');
    // Full-width digits are no field name's: said `?` (as before this change, FIELD being ASCII).
    expect(keyPath(['li_１３８１２３４５６７８'], 'body')).toBe('body.?');
    expect(keyPath(['li_１３８_１２３４_５６７８'], 'body')).toBe('body.?');
    const t = invalidText([unknownKeys(['li_138_1234_5678', 'li_１３８１２３４５６７８', 'secrte'])], { where: 'body' });
    expect(t.message).toBe('body.?: unknown key (check the spelling); body.?: unknown key (check the spelling); body.secrte: unknown key (check the spelling)');
    for (const text of [t.message, t.messageZh]) expect(text).not.toMatch(DIGITS_OF('13812345678'));
    // Field-like keys with a few digits are still named.
    expect(keyPath(['tier_123456', 'window_2026_12'], 'body')).toBe('body.tier_123456.window_2026_12');
  });

  it('never quotes a found text with a phone or ID grouped by slashes, underscores or parentheses, or in full-width digits so grouped', () => {
    for (const v of ['138_1234_5678', '138/1234/5678', '(138) 1234 5678', '１３８/１２３４/５６７８', '（１３８）１２３４＿５６７８', '310104/19900307/2312', '１３８——１２３４——５６７８', 'tel 138 - 1234 - 5678']) {
      const t = invalidText([{ code: 'invalid_value', values: ['a', 'b'], path: ['kind'], message: '' } as unknown as Issue], { input: { kind: v } });
      expect(t.message, v).toBe(`kind: found text of ${Array.from(v).length} characters, expected one of a, b`);
      expect(foundWords(v).en, v).not.toContain(v);
    }
  });

  it('never quotes a found text or a key with a landline or a mobile in Chinese numerals (the masking reads both: personal-keys.ts)', () => {
    for (const v of ['010-66778899', '(010)66778899', '0571-87654321', '021 6123 4567', '010-66778899-123', '+86 10 6677 8899', 'tel 66778899', '电话66778899', '一三八零零一三八零零零', '138零零13八000', '幺三八〇〇幺三八〇〇〇']) {
      const t = invalidText([{ code: 'invalid_value', values: ['a', 'b'], path: ['kind'], message: '' } as unknown as Issue], { input: { kind: v } });
      expect(t.message, v).toBe(`kind: found text of ${Array.from(v).length} characters, expected one of a, b`);
      expect(t.messageZh, v).not.toContain(v);
    }
    for (const key of ['li_010_6677_8899', 'tel_66778899', 'x0571-87654321', '张一三八零零一三八零零零']) expect(keyPath([key], 'body'), key).toBe('body.?');
  });

  it('still quotes what the hall reads: dates (also YYYY/MM/DD), times, ticket numbers', () => {
    for (const v of ['2026-12-03', '2026/12/03', '2026-12-03 09:30', '09:30', 'A003', 'CallNxt', 'v1.2.3']) expect(foundWords(v).en, v).toBe(JSON.stringify(v));
  });

  it('property: a key or a text holding a mobile in any mix of ASCII and full-width digits, grouped by any separators, is never echoed', () => {
    const separators = ['', '', ' ', '.', '-', '_', '/', '(', ')', '（', '）', '\u3000', '－', '—', '／', '＿'];
    const phone = fc
      .tuple(fc.constantFrom(...'3456789'), fc.stringMatching(/^[0-9]{9}$/), fc.array(fc.boolean(), { minLength: 11, maxLength: 11 }), fc.array(fc.constantFrom(...separators), { minLength: 11, maxLength: 11 }))
      .map(([second, rest, wide, seps]) => [...`1${second}${rest}`].map((d, i) => `${i === 0 ? '' : (seps[i] ?? '')}${wide[i] === true ? fullWidth(d) : d}`).join(''));
    const word = fc.stringMatching(/^[a-z_]{0,8}$/);
    fc.assert(
      fc.property(word, phone, word, (before, middle, after) => {
        const key = `k${before}${middle}${after}`;
        expect(keyPath([key], 'body')).toBe('body.?');
        const t = invalidText([unknownKeys([key])], { where: 'body' });
        const kind = z.object({ kind: z.enum(['a', 'b']) }).safeParse({ kind: key });
        const found = kind.success ? '' : invalidText(kind.error.issues, { input: { kind: key } }).message;
        for (const said of [t.message, t.messageZh, found]) expect(said).not.toContain(middle);
        expect(found).toMatch(/^kind: found text of \d+ characters/);
      }),
      { numRuns: 2000 },
    );
  });
});
