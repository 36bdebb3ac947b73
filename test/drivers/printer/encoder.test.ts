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
            { type: 'qr', data: 'x'.repeat(2953), moduleSize: 3, errorLevel: 'L' },
            { type: 'qr', data: 'x', moduleSize: 16, errorLevel: 'L' },
            { type: 'barcode', data: 'x'.repeat(253), width: 2, height: 255 },
            { type: 'barcode', data: 'x'.repeat(4), width: 6, height: 255 },
            { type: 'text', text: '', width: 8, height: 8 },
            { type: 'feed', lines: 255 },
          ],
        },
        // Paper as wide as 253 CODE128 characters at width 2 (5,636 dots): the limits of the bytes themselves.
        { encoding: 'gbk', printableDots: 5636 },
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
    // Module size 3: version 40 (177 modules) is 531 dots, on 80 mm paper.
    const at = encodeDocument({ blocks: [{ type: 'qr', data: 'x'.repeat(max), errorLevel: level, moduleSize: 3 }, { type: 'cut' }] }, { encoding: 'gbk' });
    const printed = new EscPosDecoder().push(at.bytes).flatMap((e) => (e.type === 'ticket' ? e.ticket.blocks : []));
    expect(printed).toContainEqual(expect.objectContaining({ type: 'qr', errorLevel: level, data: 'x'.repeat(max) }));
    let caught: unknown;
    try {
      encodeDocument({ blocks: [{ type: 'qr', data: 'x'.repeat(max + 1), errorLevel: level, moduleSize: 3 }] }, { encoding: 'gbk' });
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

describe('QR codes and barcodes wider than the paper are refused, never printed cut off', () => {
  const refusal = (block: PrintBlock, printableDots?: number): Error => {
    try {
      encodeDocument({ blocks: [block] }, { encoding: 'gbk', ...(printableDots === undefined ? {} : { printableDots }) });
    } catch (e) {
      expect(isHallqError(e, 'PAYLOAD_INVALID')).toBe(true);
      return e as Error;
    }
    throw new Error('not refused');
  };
  it('2,331 bytes at level M and module size 6 (1,062 dots) on 576-dot paper: refused with the width needed and the paper\'s', () => {
    expect(refusal({ type: 'qr', data: 'x'.repeat(2331), errorLevel: 'M', moduleSize: 6 }).message).toBe(
      'block 0: QR code of 2331 bytes (version 40, 177 modules) at module size 6 is 1062 dots wide; the paper prints 576 dots: at most 624 bytes fit at this module size and error level M, or a module size of at most 3',
    );
  });
  it('the largest QR that fits at module size 6 prints (version 19, 558 dots); one byte more is refused', () => {
    expect(() => encodeDocument({ blocks: [{ type: 'qr', data: 'x'.repeat(624), errorLevel: 'M', moduleSize: 6 }] }, { encoding: 'gbk' })).not.toThrow();
    expect(refusal({ type: 'qr', data: 'x'.repeat(625), errorLevel: 'M', moduleSize: 6 }).message).toContain('is 582 dots wide; the paper prints 576 dots');
  });
  it('58 mm paper (384 dots) is narrower', () => {
    expect(refusal({ type: 'qr', data: 'x'.repeat(300), errorLevel: 'M', moduleSize: 6 }, 384).message).toContain('the paper prints 384 dots');
  });
  it('a CODE128 wider than the paper at its module width is refused with the characters that fit', () => {
    expect(() => encodeDocument({ blocks: [{ type: 'barcode', data: 'x'.repeat(23), width: 2 }] }, { encoding: 'gbk' })).not.toThrow();
    expect(refusal({ type: 'barcode', data: 'x'.repeat(24), width: 2 }).message).toBe('block 0: CODE128 of 24 characters at module width 2 is 598 dots wide; the paper prints 576 dots: at most 23 characters fit at this width');
  });
});
