/**
 * Security tryout (personal data): phone and ID numbers typed into free text (a follow-up note, an
 * off-site comment) in full-width digits, as a Chinese IME types them (`１３８１２３４５６７８`,
 * `１１０１０５１９４９１２３１００２Ｘ`), or grouped by parentheses, slashes or underscores
 * (`(138)1234-5678`, `（138）1234-5678`, `138/1234/5678`, `138_1234_5678`, `310104/19900307/2312`) were
 * kept as typed. They are masked like the plain forms, in ASCII digits; what the hall reads (ticket
 * numbers, dates, times, ticket ids, the server's own ids) is left as it is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskNumbersInText } from '../../src/core/index.js';

/** A digit as typed: ASCII or full-width (U+FF10–FF19). */
const fullWidth = (d: string) => String.fromCharCode(d.charCodeAt(0) + 0xfee0);
/** Output read back as ASCII digits with the separators (and the stars' neighbours) left in place. */
const ascii = (s: string) => s.replace(/[\uff10-\uff19\uff38\uff58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
// The separators people group a number by (the README's list), one to three of them between two digits.
const SEPARATORS = [' ', '.', '-', '/', '_', '(', ')', '\uff08', '\uff09', '\u3000', '\uff0d', '\u2014', '\uff0e', '\uff0f', '\uff3f'];
const strip = (s: string) => ascii(s).replace(/[\s._/()\uff08\uff09\uff0d\uff0e\uff0f\uff3f\u2010-\u2015\u2212-]/g, '');

describe('maskNumbersInText: full-width digits and other groupings', () => {
  it('masks mobiles in full-width digits, mixed with ASCII ones, spaced or not', () => {
    expect(maskNumbersInText('请回电１３８１２３４５６７８')).toBe('请回电138****5678');
    expect(maskNumbersInText('手机 １３８ １２３４ ５６７８。')).toBe('手机 138****5678。');
    expect(maskNumbersInText('手机 １３８\u3000１２３４\u3000５６７８')).toBe('手机 138****5678');
    expect(maskNumbersInText('手机１３８1234５６７８，谢谢')).toBe('手机138****5678，谢谢');
    expect(maskNumbersInText('手机 13８－１２34－5678')).toBe('手机 138****5678');
    expect(maskNumbersInText('电话 ＋８６ １３８ １２３４ ５６７８')).toBe('电话 138****5678');
  });

  it('masks resident IDs in full-width digits, with a full-width check character X or x', () => {
    expect(maskNumbersInText('身份证１１０１０５１９４９１２３１００２Ｘ')).toBe('身份证110105********002X');
    expect(maskNumbersInText('身份证 １１０１０５１９４９１２３１００２ｘ。')).toBe('身份证 110105********002x。');
    expect(maskNumbersInText('证号 ３１０１０４１９９００３０７２３１２')).toBe('证号 310104********2312');
    expect(maskNumbersInText('证号 310104１９９００３０７2312')).toBe('证号 310104********2312');
    expect(maskNumbersInText('证号 ３１０１０４－１９９００３０７－２３１２')).toBe('证号 310104********2312');
  });

  it('masks mobiles grouped by parentheses (ASCII or full-width), slashes, underscores, dots', () => {
    expect(maskNumbersInText('电话(138)1234-5678')).toBe('电话138****5678');
    expect(maskNumbersInText('电话（138）1234-5678')).toBe('电话138****5678');
    expect(maskNumbersInText('电话 (138) 1234 5678，上午')).toBe('电话 138****5678，上午');
    expect(maskNumbersInText('电话 138/1234/5678')).toBe('电话 138****5678');
    expect(maskNumbersInText('电话 138_1234_5678')).toBe('电话 138****5678');
    expect(maskNumbersInText('电话 138.1234.5678')).toBe('电话 138****5678');
    expect(maskNumbersInText('电话 138——1234——5678')).toBe('电话 138****5678');
    expect(maskNumbersInText('电话（１３８）１２３４／５６７８')).toBe('电话138****5678');
    // Another grouping than 3-4-4, and a prefix.
    expect(maskNumbersInText('电话 1381-234-5678')).toBe('电话 138****5678');
    expect(maskNumbersInText('电话 0086-138-1234-5678')).toBe('电话 138****5678');
  });

  it('masks IDs grouped by slashes, underscores and parentheses; a parenthesis around one stays', () => {
    expect(maskNumbersInText('证号 310104/19900307/2312')).toBe('证号 310104********2312');
    expect(maskNumbersInText('证号 310104_19900307_2312')).toBe('证号 310104********2312');
    expect(maskNumbersInText('证号 (310104)19900307-2312')).toBe('证号 310104********2312');
    expect(maskNumbersInText('证号（310104199003072312）')).toBe('证号（310104********2312）');
    expect(maskNumbersInText('证号 110105/19491231/002X')).toBe('证号 110105********002X');
  });

  it('leaves what the hall reads alone: ticket numbers, dates, times, ticket ids, the server ids, amounts', () => {
    for (const text of [
      'A003 于 09:30 在 3 号窗口办理',
      '2026-12-03 至 2026-12-05，2026/12/03 09:30',
      '２０２６－１２－０３ ０９：３０ Ａ００３',
      '票号 20261203-A012、20261203-A013 已办结',
      'tick-h1-1764739200000-12 tick-xuhui-1764739200000-3',
      '收费 1,234.50 元（12.5 元/页），第 (3) 号窗口',
      '回访于 2026-12-04，B012、A003 已办结',
    ])
      expect(maskNumbersInText(text)).toBe(text);
  });

  const digit = fc.constantFrom(...'0123456789');
  const width = fc.boolean();
  const gap = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 1, maxLength: 3 }).map((s) => s.join('')) });
  /** Characters typed with each one ASCII or full-width (an X too: U+FF38, U+FF58) and 0–3 separators between any two. */
  const typed = (chars: string[]) =>
    fc.tuple(fc.array(width, { minLength: chars.length, maxLength: chars.length }), fc.array(gap, { minLength: chars.length, maxLength: chars.length })).map(([wide, gaps]) =>
      chars.map((c, i) => `${i === 0 ? '' : (gaps[i] ?? '')}${wide[i] === true ? fullWidth(c) : c}`).join(''),
    );
  const mobile = fc.tuple(fc.constantFrom(...'3456789'), fc.array(digit, { minLength: 9, maxLength: 9 })).map(([second, rest]) => `1${second}${rest.join('')}`);
  const id = fc.tuple(fc.array(digit, { minLength: 17, maxLength: 17 }), fc.constantFrom(...'0123456789Xx')).map(([d, c]) => d.join('') + c);
  const typedMobile = mobile.chain((plain) => typed([...plain]).map((text) => ({ plain, text })));
  const typedId = id.chain((plain) => typed([...plain]).map((text) => ({ plain, text })));
  /** Text around it that does not run into its digits. */
  const before = fc.constantFrom('', '电话', '手机 ', 'tel:', 'A003，', '\n', '，');
  const after = fc.constantFrom('', '。', '，A003', ' 谢谢', '）', '\n');

  it('property: a mobile in any mix of full-width and ASCII digits, any separators between them, is masked in the plain form', () => {
    fc.assert(
      fc.property(before, typedMobile, after, (b, { plain, text }, a) => {
        expect(maskNumbersInText(`${b}${text}${a}`)).toBe(`${b}${plain.slice(0, 3)}****${plain.slice(-4)}${a}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: an ID in any mix of full-width and ASCII digits, any separators between them, is masked in the plain form', () => {
    fc.assert(
      fc.property(before, typedId, after, (b, { plain, text }, a) => {
        expect(maskNumbersInText(`${b}${text}${a}`)).toBe(`${b}${plain.slice(0, 6)}********${plain.slice(-4)}${a}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: typed so, next to other numbers, neither has its middle digits readable', () => {
    const other = fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{1,8}$/), fc.constantFrom('A003', '2026-12-03', '09:30', '(3)'));
    const sep = fc.constantFrom(' ', '-', '_', '/', '\uff09', '\u3000');
    // The middle digits (a mobile's 4, an ID's 8) and the digits that may be kept before and after them
    // (a mobile beside other digits may be read as part of an ID, which keeps its first 6).
    const numbers = fc.oneof(typedMobile.map((m) => ({ ...m, middle: m.plain.slice(3, 7), kept: [m.plain.slice(0, 6), m.plain.slice(5)] })), typedId.map((i) => ({ ...i, middle: i.plain.slice(6, 14), kept: [i.plain.slice(0, 6), i.plain.slice(14)] })));
    fc.assert(
      fc.property(other, sep, numbers, sep, other, (head, s1, { text, middle, kept }, s2, tail) => {
        // Unless the other numbers (or the number's own kept digits beside them) have those digits.
        fc.pre(![`${strip(head)}${kept[0] ?? ''}`, `${kept[1] ?? ''}${strip(tail)}`].some((k) => k.includes(middle)));
        const out = maskNumbersInText(`号 ${head}${s1}${text}${s2}${tail} 号`);
        expect(strip(out)).not.toContain(middle);
      }),
      { numRuns: 2000 },
    );
  });
});
