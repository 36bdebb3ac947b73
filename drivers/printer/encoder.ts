/**
 * PrintDocument → ESC/POS bytes. Pure. Every block re-states its attributes, so a ticket never
 * depends on what the previous one left behind in the printer.
 */
import iconv from 'iconv-lite';
import { HallqError } from '../common/error.js';
import * as cmd from './commands.js';
import { DEFAULTS, type PrintBlock, type PrintDocument, type QrErrorLevel } from './document.js';
import { code128Modules, DEFAULT_MECHANICS, qrMaxBytesWithin, qrModules, qrVersion } from './mechanics.js';

export type TextEncoding = 'gbk' | 'gb18030';

export interface EncodeOptions {
  /** GBK is what every Chinese firmware takes; GB18030 four-byte sequences only where the printer supports them. */
  encoding: TextEncoding;
  /**
   * The paper's printable width in dots (default 576: 80 mm paper at 203 dpi; 384 for 58 mm). A QR code or
   * barcode wider than this at its module size is refused, never printed cut off: the module size is the
   * document's choice (how far a phone scans it from), so it is not shrunk behind the document's back.
   */
  printableDots?: number;
}

export interface EncodeResult {
  bytes: Buffer;
  /** Characters the encoding could not represent, printed as '?'. A count only: the text may be a name. */
  replacedCharacters: number;
}

/** Epson's limit for GS ( k store: 4 ≤ pL + 256·pH ≤ 7092. */
export const QR_MAX_BYTES = 7089;

/**
 * The most bytes one QR symbol (version 40, byte mode) holds at each error-correction level
 * (ISO/IEC 18004:2015 table 7). The GS ( k store takes more, but no printer can draw it.
 */
export const QR_CAPACITY_BYTES: Readonly<Record<QrErrorLevel, number>> = { L: 2953, M: 2331, Q: 1663, H: 1273 };
const QUESTION = 0x3f;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface EncodedText {
  bytes: Buffer;
  replaced: number;
}

/** Encode one line; iconv-lite silently writes '?' for what it cannot encode, so count per code point. */
export function encodeText(text: string, encoding: TextEncoding): EncodedText {
  const parts: Buffer[] = [];
  let replaced = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      parts.push(Buffer.of(0x20));
      continue;
    }
    const b = iconv.encode(ch, encoding);
    if (ch !== '?' && b.length === 1 && b[0] === QUESTION) replaced += 1;
    parts.push(b);
  }
  return { bytes: Buffer.concat(parts), replaced };
}

function invalid(message: string, details: Record<string, unknown>): HallqError {
  return new HallqError('PAYLOAD_INVALID', message, details);
}

function checkInt(value: number, min: number, max: number, field: string, index: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`block ${index}: ${field} must be an integer ${min}..${max}`, { index, field, value });
  }
  return value;
}

function encodeBlock(block: PrintBlock, index: number, encoding: TextEncoding, printable: number): EncodedText {
  switch (block.type) {
    case 'text': {
      const width = checkInt(block.width ?? DEFAULTS.width, 1, 8, 'width', index);
      const height = checkInt(block.height ?? DEFAULTS.height, 1, 8, 'height', index);
      const text = encodeText(block.text, encoding);
      return {
        bytes: Buffer.concat([
          cmd.align(block.align ?? DEFAULTS.align),
          cmd.size(width, height),
          cmd.bold(block.bold ?? DEFAULTS.bold),
          text.bytes,
          Buffer.of(cmd.LF),
        ]),
        replaced: text.replaced,
      };
    }
    case 'qr': {
      const data = Buffer.from(block.data, 'utf8');
      // Lone surrogates would silently become U+FFFD; refuse instead of printing a different code.
      if (LONE_SURROGATE.test(block.data)) throw invalid(`block ${index}: QR data is not well-formed Unicode`, { index });
      const level = block.errorLevel ?? DEFAULTS.errorLevel;
      if (data.length === 0) throw invalid(`block ${index}: QR data is empty`, { index });
      const capacity = QR_CAPACITY_BYTES[level];
      if (data.length > capacity) {
        throw invalid(`block ${index}: QR data is ${data.length} bytes; a QR symbol holds at most ${capacity} bytes at error level ${level}`, { index, field: 'QR data length', value: data.length, capacity, errorLevel: level });
      }
      const moduleSize = checkInt(block.moduleSize ?? DEFAULTS.moduleSize, 1, 16, 'moduleSize', index);
      const modules = qrModules(data.length, level);
      if (modules * moduleSize > printable) {
        const fits = qrMaxBytesWithin(printable, moduleSize, level);
        throw invalid(
          `block ${index}: QR code of ${data.length} bytes (version ${qrVersion(data.length, level)}, ${modules} modules) at module size ${moduleSize} is ${modules * moduleSize} dots wide; the paper prints ${printable} dots: at most ${fits} bytes fit at this module size and error level ${level}, or a module size of at most ${Math.floor(printable / modules)}`,
          { index, field: 'QR width', value: modules * moduleSize, printableDots: printable, moduleSize, maxBytes: fits, errorLevel: level },
        );
      }
      return {
        bytes: Buffer.concat([
          cmd.align(block.align ?? DEFAULTS.align),
          cmd.qrModel2(),
          cmd.qrModuleSize(moduleSize),
          cmd.qrErrorLevel(level),
          cmd.qrStore(data),
          cmd.qrPrint(),
        ]),
        replaced: 0,
      };
    }
    case 'barcode': {
      if (!/^[\x20-\x7e]*$/.test(block.data)) throw invalid(`block ${index}: CODE128 set B takes printable ASCII only`, { index });
      const code = cmd.code128(block.data);
      checkInt(code.length - 4, 3, 255, 'CODE128 length', index);
      const width = checkInt(block.width ?? DEFAULTS.barcodeWidth, 2, 6, 'width', index);
      const dots = code128Modules(block.data) * width;
      if (dots > printable) {
        throw invalid(`block ${index}: CODE128 of ${[...block.data].length} characters at module width ${width} is ${dots} dots wide; the paper prints ${printable} dots: at most ${Math.floor((Math.floor(printable / width) - 13) / 11) - 2} characters fit at this width`, {
          index,
          field: 'barcode width',
          value: dots,
          printableDots: printable,
        });
      }
      return {
        bytes: Buffer.concat([
          cmd.align(block.align ?? DEFAULTS.align),
          cmd.barcodeHri(block.hri ?? DEFAULTS.hri),
          cmd.barcodeHeight(checkInt(block.height ?? DEFAULTS.barcodeHeight, 1, 255, 'height', index)),
          cmd.barcodeWidth(width),
          code,
        ]),
        replaced: 0,
      };
    }
    case 'feed':
      return { bytes: cmd.feed(checkInt(block.lines, 1, 255, 'lines', index)), replaced: 0 };
    case 'cut':
      return { bytes: cmd.cut(block.partial ?? false), replaced: 0 };
  }
}

/**
 * Init and Chinese mode first, then the blocks. Throws HallqError PAYLOAD_INVALID for a document
 * that cannot be printed as asked (out-of-range sizes, oversized QR, non-ASCII CODE128, a QR code or
 * barcode wider than the paper's printable width at its module size).
 */
export function encodeDocument(doc: PrintDocument, options: EncodeOptions): EncodeResult {
  const parts: Buffer[] = [cmd.init(), cmd.chineseModeOn()];
  let replacedCharacters = 0;
  doc.blocks.forEach((block, i) => {
    const r = encodeBlock(block, i, options.encoding, options.printableDots ?? DEFAULT_MECHANICS.printableDots);
    parts.push(r.bytes);
    replacedCharacters += r.replaced;
  });
  return { bytes: Buffer.concat(parts), replacedCharacters };
}
