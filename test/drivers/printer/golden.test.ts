// Golden bytes: every row of shared/protocols/escpos.md, copied from the document.
import { describe, expect, it } from 'vitest';
import * as cmd from '../../../drivers/printer/commands.js';
import { encodeDocument } from '../../../drivers/printer/encoder.js';
import { paperStatusByte, parsePaperStatus, parsePrinterStatus, printerStatusByte } from '../../../drivers/printer/status.js';

const h = (s: string): string => s.replace(/\s+/g, '').toLowerCase();
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('ESC/POS command table (escpos.md)', () => {
  it.each([
    ['init', cmd.init(), '1B 40'],
    ['enter Chinese mode FS &', cmd.chineseModeOn(), '1C 26'],
    ['leave Chinese mode FS .', cmd.chineseModeOff(), '1C 2E'],
    ['align left', cmd.align('left'), '1B 61 00'],
    ['align center', cmd.align('center'), '1B 61 01'],
    ['align right', cmd.align('right'), '1B 61 02'],
    ['size 1x1', cmd.size(1, 1), '1D 21 00'],
    ['size 2x2', cmd.size(2, 2), '1D 21 11'],
    ['size width 3 height 1', cmd.size(3, 1), '1D 21 20'],
    ['size width 1 height 8', cmd.size(1, 8), '1D 21 07'],
    ['size 8x8', cmd.size(8, 8), '1D 21 77'],
    ['bold on', cmd.bold(true), '1B 45 01'],
    ['bold off', cmd.bold(false), '1B 45 00'],
    ['QR model 2', cmd.qrModel2(), '1D 28 6B 04 00 31 41 32 00'],
    ['QR module size 6', cmd.qrModuleSize(6), '1D 28 6B 03 00 31 43 06'],
    ['QR error L', cmd.qrErrorLevel('L'), '1D 28 6B 03 00 31 45 30'],
    ['QR error M', cmd.qrErrorLevel('M'), '1D 28 6B 03 00 31 45 31'],
    ['QR error Q', cmd.qrErrorLevel('Q'), '1D 28 6B 03 00 31 45 32'],
    ['QR error H', cmd.qrErrorLevel('H'), '1D 28 6B 03 00 31 45 33'],
    ['QR print', cmd.qrPrint(), '1D 28 6B 03 00 31 51 30'],
    ['barcode HRI below', cmd.barcodeHri('below'), '1D 48 02'],
    ['barcode height 80', cmd.barcodeHeight(80), '1D 68 50'],
    ['barcode width 2', cmd.barcodeWidth(2), '1D 77 02'],
    ['barcode width 6', cmd.barcodeWidth(6), '1D 77 06'],
    ['CODE128 {B A023', cmd.code128('A023'), '1D 6B 49 06 7B 42 41 30 32 33'],
    ['CODE128 escapes a literal {', cmd.code128('a{b'), '1D 6B 49 06 7B 42 61 7B 7B 62'],
    ['full cut', cmd.cut(false), '1D 56 00'],
    ['partial cut', cmd.cut(true), '1D 56 01'],
    ['DLE EOT 1 (printer)', cmd.statusRequest(1), '10 04 01'],
    ['DLE EOT 4 (paper roll)', cmd.statusRequest(4), '10 04 04'],
  ])('%s', (_name, actual, expected) => {
    expect(hexOf(actual)).toBe(h(expected));
  });

  it('QR store: pL + 256·pH = len(data) + 3', () => {
    expect(hexOf(cmd.qrStore(Buffer.from('ABC')))).toBe(h('1D 28 6B 06 00 31 50 30 41 42 43'));
    // 300 bytes of data → 303 = 0x012F: pL 2F, pH 01 (a wrong program puts the length in one byte).
    const big = cmd.qrStore(Buffer.alloc(300, 0x31));
    expect(hexOf(big.subarray(0, 8))).toBe(h('1D 28 6B 2F 01 31 50 30'));
    expect(big.length).toBe(8 + 300);
  });
});

describe('status replies (escpos.md)', () => {
  it('0x1E on DLE EOT 4 is paper near end; 0x72 is paper out; 0x12 is ok', () => {
    expect(parsePaperStatus(0x1e)).toEqual({ ok: true, value: 'near-end' });
    expect(parsePaperStatus(0x72)).toEqual({ ok: true, value: 'out' });
    expect(parsePaperStatus(0x12)).toEqual({ ok: true, value: 'ok' });
    expect(parsePaperStatus(0x7e)).toEqual({ ok: true, value: 'out' }); // both bits: out wins
  });
  it('DLE EOT 1: bit 0x08 is offline', () => {
    expect(parsePrinterStatus(0x12)).toEqual({ ok: true, value: { online: true } });
    expect(parsePrinterStatus(0x1a)).toEqual({ ok: true, value: { online: false } });
  });
  it('bytes without the fixed bits are errors as values, not throws', () => {
    for (const b of [0x00, 0x08, 0x10, 0x02, 0xff, 0x13, 0x92]) {
      expect(parsePrinterStatus(b)).toEqual({ ok: false, error: 'invalid-status-byte', byte: b });
      expect(parsePaperStatus(b)).toEqual({ ok: false, error: 'invalid-status-byte', byte: b });
    }
  });
  it('emulator reply bytes are the documented ones', () => {
    expect([paperStatusByte('ok'), paperStatusByte('near-end'), paperStatusByte('out')]).toEqual([0x12, 0x1e, 0x72]);
    expect([printerStatusByte(true), printerStatusByte(false)]).toEqual([0x12, 0x1a]);
  });
});

describe('encodeDocument golden', () => {
  it('a small ticket, byte for byte: init, Chinese mode, text, QR, barcode, feed, cut', () => {
    const { bytes, replacedCharacters } = encodeDocument(
      {
        blocks: [
          { type: 'text', text: '办证', align: 'center', width: 2, height: 2, bold: true },
          { type: 'qr', data: 'AB', moduleSize: 4, errorLevel: 'Q', align: 'center' },
          { type: 'barcode', data: 'A1', height: 60, width: 3, hri: 'below', align: 'left' },
          { type: 'feed', lines: 3 },
          { type: 'cut', partial: true },
        ],
      },
      { encoding: 'gbk' },
    );
    expect(replacedCharacters).toBe(0);
    expect(hexOf(bytes)).toBe(
      h(`1B 40 1C 26
         1B 61 01 1D 21 11 1B 45 01 B0 EC D6 A4 0A
         1B 61 01 1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 04 1D 28 6B 03 00 31 45 32
           1D 28 6B 05 00 31 50 30 41 42 1D 28 6B 03 00 31 51 30
         1B 61 00 1D 48 02 1D 68 3C 1D 77 03 1D 6B 49 04 7B 42 41 31
         1B 64 03
         1D 56 01`),
    );
  });
});
