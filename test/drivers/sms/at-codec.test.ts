import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtFramer, MAX_LINE, type AtLine } from '../../../drivers/sms/at-codec.js';

const feed = (...chunks: string[]): AtLine[] => {
  const f = new AtFramer();
  return chunks.flatMap((c) => f.push(Buffer.from(c, 'latin1')));
};

describe('AT framer', () => {
  it('types final results, errors and +CMGS', () => {
    expect(feed('\r\nOK\r\n\r\nERROR\r\n\r\n+CMS ERROR: 304\r\n\r\n+CME ERROR: 10\r\n\r\n+CME ERROR: SIM not inserted\r\n\r\n+CMGS: 17\r\n')).toEqual([
      { type: 'ok' },
      { type: 'error' },
      { type: 'cms-error', code: 304 },
      { type: 'cme-error', code: 10 },
      { type: 'cme-error', code: 'SIM not inserted' },
      { type: 'cmgs', ref: 17 },
    ]);
  });

  it('recognises the "> " prompt although it has no line ending', () => {
    expect(feed('\r\n> ')).toEqual([{ type: 'prompt' }]);
    // split between '>' and the space, then the reply to the PDU follows
    expect(feed('\r\n>', ' ', '\r\n+CMGS: 3\r\n\r\nOK\r\n')).toEqual([{ type: 'prompt' }, { type: 'cmgs', ref: 3 }, { type: 'ok' }]);
  });

  it('drops our own ESC echoed (ATE1): the next echo is still an echo, an ESC answered OK is OK', () => {
    expect(feed('\x1b', 'AT\r\r\nOK\r\n')).toEqual([{ type: 'echo', line: 'AT' }, { type: 'ok' }]);
    expect(feed('\x1b\r\nOK\r\n')).toEqual([{ type: 'ok' }]);
  });

  it('routes unsolicited codes aside, also between the prompt and the result', () => {
    const lines = feed('\r\n> \r\n+CMTI: "SM",3\r\n\r\nRING\r\n\r\n+CREG: 1\r\n\r\n+CMGS: 4\r\n\r\nOK\r\n');
    expect(lines).toEqual([
      { type: 'prompt' },
      { type: 'urc', name: '+CMTI', line: '+CMTI: "SM",3' },
      { type: 'urc', name: 'RING', line: 'RING' },
      { type: 'urc', name: '+CREG', line: '+CREG: 1' },
      { type: 'cmgs', ref: 4 },
      { type: 'ok' },
    ]);
  });

  it('attaches the PDU line of a two-line +CMT to it (a PDU line is not a prompt or a reply)', () => {
    expect(feed('\r\n+CMT: ,24\r\n', '0891683108200505F0040D91683108108300F00008\r\n\r\nOK\r\n')).toEqual([
      { type: 'urc', name: '+CMT', line: '+CMT: ,24', data: '0891683108200505F0040D91683108108300F00008' },
      { type: 'ok' },
    ]);
  });

  it('marks echo of commands and of the PDU (ATE1) so it can be ignored', () => {
    expect(feed('AT+CMGS=19\r', '\r\n> ', '0011000D91\x1a', '\r\n+CMGS: 1\r\n\r\nOK\r\n')).toEqual([
      { type: 'echo', line: 'AT+CMGS=19' },
      { type: 'prompt' },
      { type: 'echo', line: '0011000D91\x1a' },
      { type: 'cmgs', ref: 1 },
      { type: 'ok' },
    ]);
    expect(feed('\r\n+CSQ: 20,99\r\n\r\nOK\r\n')).toEqual([{ type: 'info', line: '+CSQ: 20,99' }, { type: 'ok' }]);
  });

  it('drops an over-long line as an overflow value and resynchronises', () => {
    const lines = feed('x'.repeat(MAX_LINE + 5), '\r\nOK\r\n');
    expect(lines[0]).toEqual({ type: 'overflow', length: MAX_LINE + 1 });
    expect(lines.at(-1)).toEqual({ type: 'ok' });
  });
});

describe('AT framer properties', () => {
  it('never throws on random bytes, and the result does not depend on how the bytes were split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const whole = new AtFramer().push(bytes);
        const f = new AtFramer();
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const split: AtLine[] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          split.push(...f.push(bytes.subarray(prev, p)));
          prev = p;
        }
        expect(split).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('finds every line of a well-formed stream however it is chunked', () => {
    const lineArb = fc.oneof(
      fc.constant<[string, AtLine]>(['OK', { type: 'ok' }]),
      fc.constant<[string, AtLine]>(['ERROR', { type: 'error' }]),
      fc.integer({ min: 0, max: 999 }).map((n): [string, AtLine] => [`+CMS ERROR: ${n}`, { type: 'cms-error', code: n }]),
      fc.integer({ min: 0, max: 255 }).map((n): [string, AtLine] => [`+CMGS: ${n}`, { type: 'cmgs', ref: n }]),
      fc.integer({ min: 0, max: 99 }).map((n): [string, AtLine] => [`+CMTI: "SM",${n}`, { type: 'urc', name: '+CMTI', line: `+CMTI: "SM",${n}` }]),
      fc.constant<[string, AtLine]>(['> ', { type: 'prompt' }]),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (lines, sizes) => {
        const stream = Buffer.from(lines.map(([raw]) => (raw === '> ' ? '\r\n> ' : `\r\n${raw}\r\n`)).join(''), 'latin1');
        const f = new AtFramer();
        const out: AtLine[] = [];
        for (let i = 0, k = 0; i < stream.length; k++) {
          const n = sizes[k % sizes.length] ?? 1;
          out.push(...f.push(stream.subarray(i, i + n)));
          i += n;
        }
        expect(out).toEqual(lines.map(([, typed]) => typed));
      }),
      { numRuns: 300 },
    );
  });
});
