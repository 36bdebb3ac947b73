/**
 * The log's last-line scrub reads landlines and mobiles in Chinese numerals too (tryout: a cancel
 * reason with `010-66778899` or `一三八零零一三八零零零` reached the journal as typed), by the one definition
 * in drivers/common/personal-keys.ts: landlines in their plain forms (`010-66778899`, `(010)66778899`,
 * `0571 8765 4321`, `+86 10 6677 8899`), a local number after a word saying it is a phone
 * (`电话66778899`), a mobile in numerals, mixed with digits or not. The server's own ids, dates and
 * times are left as they were.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMERAL_DIGITS } from '../../drivers/common/personal-keys.js';
import { createLogger, REDACTED } from '../../src/log/logger.js';
import { scrubString } from '../../src/log/scrub.js';

const fullWidth = (d: string) => String.fromCharCode(d.charCodeAt(0) + 0xfee0);

describe('scrubString: landlines and numeral mobiles', () => {
  it('redacts landlines in their plain forms, a local number after its word, numeral mobiles', () => {
    const cases: [string, string][] = [
      ['回电 010-66778899', `回电 ${REDACTED}`],
      ['回电 (010)66778899，谢谢', `回电 ${REDACTED}，谢谢`],
      ['回电 0571-87654321', `回电 ${REDACTED}`],
      ['回电 021 6123 4567', `回电 ${REDACTED}`],
      ['回电 010-66778899-123', `回电 ${REDACTED}-123`],
      ['回电 +86 10 6677 8899', `回电 ${REDACTED}`],
      ['回电 ０１０－６６７７８８９９', `回电 ${REDACTED}`],
      ['电话66778899', `电话${REDACTED}`],
      ['座机：6677 8899', `座机：${REDACTED}`],
      ['回电 一三八零零一三八零零零', `回电 ${REDACTED}`],
      ['回电 幺三八〇〇幺三八〇〇〇。', `回电 ${REDACTED}。`],
      ['回电 138零零13八000', `回电 ${REDACTED}`],
      ['回电 一三八 零零一三 八零零零', `回电 ${REDACTED}`],
    ];
    for (const [text, scrubbed] of cases) expect(scrubString(text), text).toBe(scrubbed);
  });

  it('leaves the server ids, dates, times, ticket numbers and short numerals', () => {
    for (const text of ['tick-h1-1764739200000-12', '2026-12-03T09:30:00.000+08:00', 'A003 10:30 3号窗口 前面还有12人', '三号窗口 第十二号 二〇二六年十一月二十三日', 'hotel66778899', '{"time":1764739200000,"pid":4321,"seq":1024}'])
      expect(scrubString(text), text).toBe(text);
  });

  it('property: a landline in a plain form, or a mobile in numerals, in any widths, never reaches a log line', () => {
    const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const wide = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((w) => [...s].map((c, i) => (w[i] === true && /[0-9]/.test(c) ? fullWidth(c) : c)).join(''));
    const landline = fc
      .oneof(
        fc.tuple(fc.constantFrom('10', '20', '21', '29'), fc.constant(7)),
        fc.tuple(fc.tuple(fc.constantFrom(...'3456789'), digits(2)).map(([a, b]) => a + b), fc.constantFrom(6, 7)),
      )
      .chain(([code, rest]) => fc.tuple(fc.constant(code), fc.constantFrom(...'2345678'), digits(rest), fc.constantFrom('national', 'paren', 'spaced', 'plus', 'compact')))
      .chain(([code, first, rest, form]) => {
        const local = first + rest;
        const split = `${local.slice(0, local.length - 4)} ${local.slice(-4)}`;
        const text = { national: `0${code}-${local}`, paren: `(0${code})${local}`, spaced: `0${code} ${split}`, plus: `+86 ${code} ${split}`, compact: `0${code}${local}` }[form];
        return wide(text);
      });
    const numeralMobile = fc
      .tuple(fc.constantFrom(...'3456789'), digits(9))
      .chain(([second, rest]) => fc.tuple(...[...`1${second}${rest}`].map((d) => fc.constantFrom(d, fullWidth(d), ...Object.keys(NUMERAL_DIGITS).filter((c) => NUMERAL_DIGITS[c] === d)))))
      .map((chars) => chars.join(''))
      .filter((t) => /[^0-9\uff10-\uff19]/.test(t));
    fc.assert(
      fc.property(fc.oneof(landline, numeralMobile), (typed) => {
        const lines: string[] = [];
        createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } }).info({ note: `回访 ${typed} 已联系` }, `callback ${typed}`);
        expect(lines.join('')).not.toContain(typed);
        expect(scrubString(`回访 ${typed}。`)).toBe(`回访 ${REDACTED}。`);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads long adversarial strings in linear time', () => {
    for (const text of ['0'.repeat(200_000), '010-'.repeat(50_000), '电话 '.repeat(50_000), '一三'.repeat(100_000), '(0 '.repeat(60_000), '+86 '.repeat(50_000)]) {
      const started = performance.now();
      scrubString(text);
      // Generous for a shared machine; a backtracking pattern takes minutes here.
      expect(performance.now() - started, text.slice(0, 8)).toBeLessThan(3_000);
    }
  });
});
