/**
 * The log's last-line scrub reads the plain forms of a resident ID and a mobile in full-width digits too
 * (`１３８１２３４５６７８`, `１１０１０５１９４９１２３１００２Ｘ`, mixed with ASCII ones), as a Chinese IME types
 * them; before, `\d` read ASCII digits only and these reached the journal as typed. The server's own
 * ids (ASCII) are left as they were.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../src/log/logger.js';
import { scrubString } from '../../src/log/scrub.js';

const fullWidth = (d: string) => String.fromCharCode(d.charCodeAt(0) + 0xfee0);

describe('scrubString: full-width digits', () => {
  it('redacts a mobile and an ID in full-width digits, mixed or not, with +86 and 3-4-4 spaces or dashes', () => {
    expect(scrubString('回电 １３８１２３４５６７８')).toBe(`回电 ${REDACTED}`);
    expect(scrubString('回电 １３８ １２３４ ５６７８')).toBe(`回电 ${REDACTED}`);
    expect(scrubString('回电 138１２３４5678，谢谢')).toBe(`回电 ${REDACTED}，谢谢`);
    expect(scrubString('回电 ＋８６ １３８-１２３４-５６７８')).toBe(`回电 ${REDACTED}`);
    expect(scrubString('证号 １１０１０５１９４９１２３１００２Ｘ')).toBe(`证号 ${REDACTED}`);
    expect(scrubString('证号 １１０１０５１９４９１２３１００２ｘ')).toBe(`证号 ${REDACTED}`);
    expect(scrubString('证号 110105１９４９１２３１002X')).toBe(`证号 ${REDACTED}`);
  });

  it('leaves the server ids, dates and longer runs, in either width', () => {
    for (const text of ['tick-h1-1764739200000-12', '２０２６－１２－０３', '２０２４１１２２１５３０００１２３４５６７８９', 'A003 １３８１２'])
      expect(scrubString(text)).toBe(text);
  });

  it('property: a mobile or an ID in any mix of full-width and ASCII digits never reaches a log line', () => {
    const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const mobile = fc.tuple(fc.constantFrom(...'3456789'), digits(9)).map(([s, rest]) => `1${s}${rest}`);
    const id = fc.tuple(digits(17), fc.constantFrom(...'0123456789Xx')).map(([d, c]) => d + c);
    fc.assert(
      fc.property(fc.oneof(mobile, id), fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }), (plain, wide) => {
        const typed = [...plain].map((c, i) => (wide[i] === true ? fullWidth(c) : c)).join('');
        const lines: string[] = [];
        createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } }).info({ note: `回访 ${typed} 已联系` }, `callback ${typed}`);
        expect(lines.join('')).not.toContain(typed);
        expect(scrubString(`回访 ${typed}。`)).toBe(`回访 ${REDACTED}。`);
      }),
      { numRuns: 500 },
    );
  });
});
