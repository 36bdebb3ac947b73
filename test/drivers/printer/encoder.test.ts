import { describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { EscPosDecoder } from '../../../drivers/printer/decoder.js';
import type { PrintBlock } from '../../../drivers/printer/document.js';
import { encodeDocument, encodeText, QR_CAPACITY_BYTES } from '../../../drivers/printer/encoder.js';

describe('Chinese text encoding', () => {
  it('GBK: a rare name character (𠀀, outside GBK) prints as ? and is counted', () => {
    const r = encodeText('张𠀀三', 'gbk');
    expect(r.replaced).toBe(1);
    expect(r.bytes.toString('hex')).toBe('d5c53fc8fd');
  });
  it('a real question mark is not counted as a replacement', () => {
    expect(encodeText('可以?', 'gbk').replaced).toBe(0);
  });
  it('GB18030: the same character becomes a four-byte sequence, nothing replaced', () => {
    const r = encodeText('张𠀀三', 'gb18030');
    expect(r.replaced).toBe(0);
    expect(r.bytes.toString('hex')).toBe('d5c595328236c8fd');
  });
  it('encodeDocument reports the total replaced count across blocks', () => {
    const blocks: PrintBlock[] = [
      { type: 'text', text: '𠀀' },
      { type: 'text', text: '𪚥𠀁' },
      { type: 'cut' },
    ];
    expect(encodeDocument({ blocks }, { encoding: 'gbk' }).replacedCharacters).toBe(3);
    expect(encodeDocument({ blocks }, { encoding: 'gb18030' }).replacedCharacters).toBe(0);
  });
  it('newlines and controls inside a text block print as spaces (one block = one line)', () => {
    const { bytes } = encodeDocument({ blocks: [{ type: 'text', text: 'a\nb\u001bc' }, { type: 'cut' }] }, { encoding: 'gbk' });
    const [event] = new EscPosDecoder().push(bytes).filter((e) => e.type === 'ticket');
    expect(event?.type === 'ticket' && event.ticket.blocks).toEqual([{ type: 'text', text: 'a b c', align: 'left', width: 1, height: 1, bold: false }]);
  });
});

describe('invalid documents are refused with PAYLOAD_INVALID', () => {
  const bad: [string, PrintBlock][] = [
    ['width 0', { type: 'text', text: 'x', width: 0 }],
    ['height 9', { type: 'text', text: 'x', height: 9 }],
    ['QR module 17', { type: 'qr', data: 'x', moduleSize: 17 }],
    ['empty QR', { type: 'qr', data: '' }],
    ['QR too long', { type: 'qr', data: 'x'.repeat(7090) }],
    ['QR lone surrogate', { type: 'qr', data: 'a\uD800' }],
    ['CODE128 non-ASCII', { type: 'barcode', data: '号码' }],
    ['CODE128 too long', { type: 'barcode', data: 'x'.repeat(254) }],
    ['barcode width 7', { type: 'barcode', data: 'x', width: 7 }],
    ['feed 0', { type: 'feed', lines: 0 }],
  ];
  it.each(bad)('%s', (_n, block) => {
    let caught: unknown;
    try {
      encodeDocument({ blocks: [block] }, { encoding: 'gbk' });
    } catch (e) {
      caught = e;
    }
    expect(isHallqError(caught, 'PAYLOAD_INVALID')).toBe(true);
  });
  it('the limits themselves are accepted', () => {
    expect(() =>
      encodeDocument(
        {
          blocks: [
            { type: 'qr', data: 'x'.repeat(2953), moduleSize: 16, errorLevel: 'L' },
            { type: 'barcode', data: 'x'.repeat(253), width: 6, height: 255 },
            { type: 'text', text: '', width: 8, height: 8 },
            { type: 'feed', lines: 255 },
          ],
        },
        { encoding: 'gbk' },
      ),
    ).not.toThrow();
  });
});

describe('QR capacity: what one symbol can hold at each error level (ISO/IEC 18004 table 7, byte mode)', () => {
  const levels = [
    ['L', 2953],
    ['M', 2331],
    ['Q', 1663],
    ['H', 1273],
  ] as const;
  it.each(levels)('level %s: %i bytes print, one more is refused with the capacity in the message', (level, max) => {
    expect(QR_CAPACITY_BYTES[level]).toBe(max);
    const at = encodeDocument({ blocks: [{ type: 'qr', data: 'x'.repeat(max), errorLevel: level }, { type: 'cut' }] }, { encoding: 'gbk' });
    const printed = new EscPosDecoder().push(at.bytes).flatMap((e) => (e.type === 'ticket' ? e.ticket.blocks : []));
    expect(printed).toContainEqual(expect.objectContaining({ type: 'qr', errorLevel: level, data: 'x'.repeat(max) }));
    let caught: unknown;
    try {
      encodeDocument({ blocks: [{ type: 'qr', data: 'x'.repeat(max + 1), errorLevel: level }] }, { encoding: 'gbk' });
    } catch (e) {
      caught = e;
    }
    expect(isHallqError(caught, 'PAYLOAD_INVALID')).toBe(true);
    expect((caught as Error).message).toContain(`at most ${max} bytes at error level ${level}`);
  });
  it('counts UTF-8 bytes, not characters: 778 Chinese characters (2334 bytes) exceed level M', () => {
    expect(() => encodeDocument({ blocks: [{ type: 'qr', data: '号'.repeat(778), errorLevel: 'M' }] }, { encoding: 'gbk' })).toThrow(/2334 bytes/);
  });
});
