/**
 * Security tryout (personal data): landline numbers (`010-66778899`, `(010)66778899`, `021 6123 4567`,
 * `+86 10 6677 8899`, `电话66778899`) and mobiles written in Chinese numerals (`一三八零零一三八零零零`,
 * `138零零13八000`) stayed in full in a cancel reason, and so on the public pages, the screens, the voice,
 * the reports and the log. They are masked as mobiles are (010-****8899, 电话****8899, 138****8000), by
 * the one definition in drivers/common/personal-keys.ts; what the hall reads (ticket and window numbers,
 * times, dates, counts, amounts, durations, short numerals) is left as written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMERAL_DIGITS, plainDigits } from '../../drivers/common/personal-keys.js';
import { maskNumbersInText } from '../../src/core/index.js';

const fullWidth = (d: string) => String.fromCharCode(d.charCodeAt(0) + 0xfee0);
/** The digits of a text, in any form, as ASCII, everything else dropped (what a reader could piece together). */
const digitsOf = (s: string) => plainDigits(s).replace(/[^0-9]/g, '');

/** The best of 5 runs of masking `text` (ms). */
function bestOf5(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    maskNumbersInText(text);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/**
 * How the cost of masking grows when the text is 4 times as long (each the best of 10 runs, interleaved):
 * about 4 for a linear reading, 16 for a quadratic one, whatever the machine's load (it slows both alike).
 */
function growth(text: string): number {
  const long = text.repeat(4);
  let short = Infinity;
  let four = Infinity;
  for (let i = 0; i < 2; i++) {
    short = Math.min(short, bestOf5(text));
    four = Math.min(four, bestOf5(long));
  }
  return four / Math.max(short, 0.05);
}

describe('maskNumbersInText: invisible characters and interpuncts between digits', () => {
  const invisible = ['\u00ad', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202e', '\u2060', '\u2066', '\u2069', '\ufeff'];
  it('property: any mobile with any of them between any of its digits is masked, and no invisible character is left', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('3', '5', '7', '8', '9'),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
        fc.array(fc.option(fc.constantFrom(...invisible, '·', '・', '•'), { nil: undefined }), { minLength: 10, maxLength: 10 }),
        fc.constantFrom('', '请回电', '家属电话：', 'A001 '),
        (second, rest, gaps, before) => {
          const digits = `1${second}${rest.join('')}`;
          const typed = [...digits].map((d, i) => d + (gaps[i] ?? '')).join('');
          const masked = maskNumbersInText(`${before}${typed}，谢谢`);
          expect(masked).toBe(`${before}${digits.slice(0, 3)}****${digits.slice(7)}，谢谢`);
        },
      ),
    );
  });

  it('text without numbers only loses its invisible characters', () => {
    expect(maskNumbersInText('请\u200b到\u00ad服务台\ufeff')).toBe('请到服务台');
    expect(maskNumbersInText('A003、A004 · 10·30 张·三')).toBe('A003、A004 · 10·30 张·三');
  });
});

describe('maskNumbersInText: landlines', () => {
  it('masks a landline with its area code, in every way it is written; the area code and an extension stay', () => {
    const cases: [string, string][] = [
      ['取消原因：市民来电010-66778899', '取消原因：市民来电010-****8899'],
      ['电话(010)66778899', '电话010-****8899'],
      ['电话（010）66778899，上午', '电话010-****8899，上午'],
      ['联系 0571-87654321。', '联系 0571-****4321。'],
      ['联系 021 6123 4567', '联系 021-****4567'],
      ['分机 010-66778899-123', '分机 010-****8899-123'],
      ['座机 010-66778899转123', '座机 010-****8899转123'],
      ['call +86 10 6677 8899', 'call 010-****8899'],
      ['call +86-571-8765-4321', 'call 0571-****4321'],
      ['call 0086 10 66778899', 'call 010-****8899'],
      ['电话 +86 010 6677 8899', '电话 010-****8899'],
      ['电话 01066778899', '电话 010-****8899'],
      ['七位 0571-8765432', '七位 0571-***5432'],
      ['全角 ０１０－６６７７８８９９', '全角 010-****8899'],
      ['全角 （０２１）６１２３　４５６７', '全角 021-****4567'],
    ];
    for (const [text, masked] of cases) expect(maskNumbersInText(text), text).toBe(masked);
  });

  it('masks a local number alone only right after a word saying it is a phone', () => {
    const cases: [string, string][] = [
      ['电话66778899', '电话****8899'],
      ['座机：6677 8899', '座机：****8899'],
      ['联系电话是 66778899', '联系电话是 ****8899'],
      ['固话号码 8765432', '固话号码 ***5432'],
      ['tel: 6677-8899', 'tel: ****8899'],
      ['Tel.66778899', 'Tel.****8899'],
      ['phone 66778899 ext 12', 'phone ****8899 ext 12'],
      ['电话６６７７８８９９', '电话****8899'],
    ];
    for (const [text, masked] of cases) expect(maskNumbersInText(text), text).toBe(masked);
    // Without the word, 8 digits are as likely an amount or a number of the hall's.
    for (const text of ['编号 66778899', 'hotel66778899', '电话 2026-11-23', '电话 10:30', '电话 12345', '拨打 12345 热线']) expect(maskNumbersInText(text), text).toBe(text);
  });
});

describe('maskNumbersInText: mobiles in Chinese numerals', () => {
  it('masks a mobile in numerals, spoken forms, 〇, capital forms, mixed with digits, full-width, spaced', () => {
    const cases: [string, string][] = [
      ['请回电一三八零零一三八零零零', '请回电138****8000'],
      ['请回电幺三八零零幺三八零零零', '请回电138****8000'],
      ['请回电一三八〇〇一三八〇〇〇。', '请回电138****8000。'],
      ['请回电壹叁捌零零壹叁捌零零零', '请回电138****8000'],
      ['手机138零零13八000', '手机138****8000'],
      ['手机１３８零零１３八０００', '手机138****8000'],
      ['手机 一 三 八 零 零 一 三 八 零 零 零，谢谢', '手机 138****8000，谢谢'],
      ['手机 一三八-零零一三-八零零零', '手机 138****8000'],
      ['手机 一三八　零零一三　八零零零', '手机 138****8000'],
      ['张三一三八零零一三八零零零', '张三138****8000'],
      ['第一 一三八零零一三八零零零', '第一 138****8000'],
    ];
    for (const [text, masked] of cases) expect(maskNumbersInText(text), text).toBe(masked);
  });

  it('two in a row: the middle of each is starred', () => {
    const out = maskNumbersInText('一三八零零一三八零零零一三九一二三四五六七八');
    expect(digitsOf(out)).not.toContain('0013');
    expect(digitsOf(out)).not.toContain('1234');
  });
});

describe('maskNumbersInText: what the hall reads is left alone', () => {
  it('ticket and window numbers, times, dates, counts, money, durations, short numerals', () => {
    for (const text of [
      '请 A001 到 3号窗口，B123 稍候',
      '10:30 开始，10：30 结束，10:30:00',
      '2026-11-23、2026/11/23、2026.11.23、2026年11月23日、二〇二六年十一月二十三日',
      '2026-12-04 2026-12-05 2026-12-06',
      '2026-03-05 2026-03-05',
      '前面还有12人，收费200元，超过2小时，等候 15 分钟',
      '请到三号窗口，第十二号，一楼，两位市民，一二三楼',
      'A021 23456789',
      '窗口 3 号，票号 20261123-A012',
    ])
      expect(maskNumbersInText(text), text).toBe(text);
  });
});

// What a person types between digits (drivers/common/personal-keys.ts), one to three of them.
const SEPARATORS = [' ', '.', '-', '/', '_', '\u3000', '\uff0d', '\u2014', '\uff0e', '\uff0f', '\uff3f'];
const digit = fc.constantFrom(...'0123456789');
const digitsN = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
const gap = fc.array(fc.constantFrom(...SEPARATORS), { minLength: 1, maxLength: 3 }).map((s) => s.join(''));
/** Each digit ASCII or full-width. */
const widths = (digits: string) => fc.array(fc.boolean(), { minLength: digits.length, maxLength: digits.length }).map((w) => [...digits].map((d, i) => (w[i] === true ? fullWidth(d) : d)).join(''));
/** A local number as typed: whole, or in two groups of 3 digits or more. */
const typedLocal = (local: string) =>
  fc.tuple(widths(local), fc.option(fc.integer({ min: 3, max: local.length - 3 }), { nil: undefined }), gap).map(([l, at, g]) => (at === undefined ? l : `${l.slice(0, at)}${g}${l.slice(at)}`));

/** A mainland landline: its area code (without 0) and a local number of the length the plan gives it. */
const landline = fc.oneof(
  fc.tuple(fc.oneof(fc.constant('10'), digitsN(1).map((d) => `2${d}`)), fc.constant(8)),
  fc.tuple(fc.tuple(fc.constantFrom(...'3456789'), digitsN(2)).map(([a, b]) => a + b), fc.constantFrom(7, 8)),
).chain(([code, length]) => fc.tuple(fc.constantFrom(...'2345678'), digitsN(length - 1)).map(([first, rest]) => ({ code, local: first + rest })));

/** A landline as typed: national, in parentheses, after +86 / 0086, compact or grouped, any widths, maybe with an extension. */
const typedLandline = landline.chain(({ code, local }) =>
  fc
    .tuple(
      fc.constantFrom('national', 'compact', 'paren', 'fullParen', 'plus', 'plusZero', '0086'),
      widths(`0${code}`),
      widths(code),
      typedLocal(local),
      widths(local),
      gap,
      // 1–3 digits (with 0086, 1–2: 4 + 3 + 8 + 3 digits would be read as an ID's 18, masked so, the local still starred).
      fc.option(fc.tuple(fc.constantFrom('-', '转', ' ext '), fc.integer({ min: 1, max: 3 }).chain(digitsN)).map(([s, d]) => s + d), { nil: '' }),
    )
    .map(([form, area0, area, grouped, whole, g, typedExtension]) => {
      const extension = form === '0086' ? typedExtension.replace(/(?<=\D\d\d)\d$/, '') : typedExtension;
      const text = {
        national: `${area0}${g}${grouped}`,
        compact: `${area0}${whole}`,
        paren: `(${area0})${grouped}`,
        fullParen: `（${area0}）${grouped}`,
        plus: `+86${g}${area}${g}${grouped}`,
        plusZero: `+86 ${area0}${g}${grouped}`,
        '0086': `0086${g}${area}${g}${grouped}`,
      }[form];
      return { text: text + extension, masked: `0${code}-${'*'.repeat(local.length - 4)}${local.slice(-4)}`, rest: extension, secret: local.slice(0, -4), local };
    }),
);

/** A local number after a word saying it is a phone. */
const typedWordLocal = fc
  .tuple(fc.constantFrom('电话', '座机', '固话', '联系电话：', '电话号码是 ', 'tel ', 'Tel:', 'phone: '), fc.constantFrom(7, 8))
  .chain(([word, length]) =>
    fc.tuple(fc.constantFrom(...'2345678'), digitsN(length - 1)).chain(([first, rest]) => {
      const local = first + rest;
      return typedLocal(local).map((text) => ({ text: word + text, masked: `${word}${'*'.repeat(local.length - 4)}${local.slice(-4)}`, rest: '', secret: local.slice(0, -4), local }));
    }),
  );

/** Each digit's forms: ASCII, full-width, each Chinese numeral for it. */
const FORMS: Record<string, string[]> = {};
for (const d of '0123456789') FORMS[d] = [d, fullWidth(d), ...Object.keys(NUMERAL_DIGITS).filter((c) => NUMERAL_DIGITS[c] === d)];
/** A mobile with at least one digit in Chinese numerals, every digit in any form, maybe separators between. */
const typedNumeralMobile = fc
  .tuple(fc.constantFrom(...'3456789'), digitsN(9))
  .map(([second, rest]) => `1${second}${rest}`)
  .chain((plain) =>
    fc
      .tuple(
        fc.tuple(...[...plain].map((d) => fc.constantFrom(...(FORMS[d] ?? [d])))),
        fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: gap }), { minLength: 11, maxLength: 11 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 2 }),
      )
      .map(([forms, gaps, at, which]) => {
        const chars = [...forms];
        // At least one numeral.
        const numerals = Object.keys(NUMERAL_DIGITS).filter((c) => NUMERAL_DIGITS[c] === plain[at]);
        chars[at] = numerals[which % numerals.length] ?? chars[at] ?? '';
        return { text: chars.map((c, i) => `${i === 0 ? '' : (gaps[i] ?? '')}${c}`).join(''), masked: `${plain.slice(0, 3)}****${plain.slice(-4)}`, rest: '', secret: plain.slice(3, 7), local: plain };
      }),
  );

/** Text around: Chinese and English words, numerals, the hall's numbers; never a digit or numeral right at the number's edges. */
const WORDS = ['请', '市民', '来电', '回访', '已联系', '取消', '重复取号', 'please', 'call back', 'window', '张三', '李四', '三号窗口', '第十二号', 'A001', 'B123', '10:30', '10：30', '2026-11-23', '2026年11月23日', '前面还有12人', '200元', '超过2小时', '电话'];
const words = fc.array(fc.constantFrom(...WORDS), { maxLength: 6 }).map((w) => w.join(' '));
const EDGES = ['，', '。', '：', '；', '、', '！', '?'];
const around = fc.tuple(words, fc.constantFrom(...EDGES), fc.constantFrom(...EDGES), words);

describe('maskNumbersInText: properties', () => {
  it('property: any landline, local number after its word, or mobile in numerals, in any supported form inside text, is masked and its secret digits are gone', () => {
    fc.assert(
      fc.property(fc.oneof(typedLandline, typedWordLocal, typedNumeralMobile), around, ({ text, masked, rest, secret }, [before, e1, e2, after]) => {
        const out = maskNumbersInText(`${before}${e1}${text}${e2}${after}`);
        // Exactly so: the secret digits starred, only the area code and the last 4 kept.
        expect(out).toBe(`${before}${e1}${masked}${rest}${e2}${after}`);
        expect((masked.match(/\*/g) ?? []).length).toBe(secret.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: beside other numbers (a separator between), the secret digits of a landline or a numeral mobile are still gone', () => {
    const other = fc.oneof(fc.stringMatching(/^[0-9]{1,8}$/), fc.constantFrom('A003', '2026-12-03', '09:30', '三号', '一二'));
    const sep = fc.constantFrom(' ', '-', '_', '/', '\u3000');
    fc.assert(
      fc.property(other, sep, fc.oneof(typedLandline, typedNumeralMobile), sep, other, (head, s1, { text, secret, local }, s2, tail) => {
        // Unless the other numbers, with the number's own kept digits beside them, hold those digits.
        const kept = [digitsOf(head) + local.slice(0, 6), local.slice(-6) + digitsOf(tail)];
        fc.pre(!kept.some((k) => k.includes(secret)) && !digitsOf(`${head}${tail}`).includes(secret));
        const out = maskNumbersInText(`号 ${head}${s1}${text}${s2}${tail} 号`);
        expect(digitsOf(out)).not.toContain(local);
        expect(digitsOf(out.replace(/0(?:10|2\d|[3-9]\d\d)-/g, ''))).not.toContain(secret + local.slice(-4));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: dates, times, ticket and window numbers, counts, amounts and short numerals in random text are never changed', () => {
    const date = fc.tuple(fc.integer({ min: 1990, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.constantFrom('-', '/', '.', '年')).map(([y, m, d, s]) => {
      const mm = String(m).padStart(2, '0');
      const dd = String(d).padStart(2, '0');
      return s === '年' ? `${y}年${m}月${d}日` : `${y}${s}${mm}${s}${dd}`;
    });
    const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom(':', '：')).map(([h, m, s]) => `${String(h).padStart(2, '0')}${s}${String(m).padStart(2, '0')}`);
    const ticket = fc.tuple(fc.constantFrom(...'ABCDEFGHJK'), fc.integer({ min: 0, max: 999 })).map(([l, n]) => `${l}${String(n).padStart(3, '0')}`);
    const count = fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('人', '元', '号窗口', '小时', '分钟', '位', '号')).map(([n, u]) => `${n}${u}`);
    const numeral = fc.constantFrom('三号窗口', '第十二号', '一楼', '两位', '二〇二六年', '十一月', '二十三日', '一二三楼', '第五号');
    const word = fc.constantFrom('请', '到', '办理', '市民', '电话', '座机', 'tel', 'window', 'please', '前面还有', '超过', '收费', '，', '。', ' ');
    const text = fc.array(fc.tuple(fc.oneof(date, time, ticket, count, numeral), word), { maxLength: 12 }).map((parts) => parts.map(([t, w]) => `${t} ${w} `).join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(maskNumbersInText(t)).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: long adversarial text (digit runs, separators, numerals, phone words) is read in linear time (its cost grows with its length, measured as a ratio, not a time)', () => {
    const piece = fc.constantFrom('1', '3', '0', '8', '2', ' ', '-', '(', ')', '（', '+', '电话', '一', '三', '零', '幺', 'X', '2026-03-05 ', '010', '86', '\u3000', '——', '：');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1_000, maxLength: 3_000 }), (pieces) => {
        // Four times the text costs about four times as much (a quadratic reading: sixteen), not a time bound.
        expect(growth(pieces.join(''))).toBeLessThan(10);
      }),
      { numRuns: 10 },
    );
    // Long uniform inputs (×4: runs of 50,000 digit-likes, and of separators).
    for (const text of ['1 '.repeat(6_250), '一三'.repeat(6_250), '-'.repeat(12_500) + '1', '电话 '.repeat(4_000), '2026-03-05 '.repeat(1_250)]) {
      expect(growth(text), text.slice(0, 10)).toBeLessThan(10);
    }
  });
});
