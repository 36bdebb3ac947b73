/**
 * How long a ticket is on paper and how long the mechanism takes to print it: what a thermal ticket
 * printer physically does, for the emulator (a print completes only after this time) and the benchmark.
 *
 * Model (203 dpi = 8 dots/mm; Epson TM-T88/TM-T20 class, escpos.md: 150 mm/s):
 * - text line: max(line spacing, 24 dots × height magnification); a line wider than the printable width
 *   wraps (font A: 12 dots per single-byte character, 24 per double-byte (Chinese) character, × width);
 * - QR (model 2, byte mode): (17 + 4 × version) modules × module size, the version being the smallest
 *   whose byte capacity at the error level holds the data (⚠ the firmware may pick a denser mode); the
 *   same width across, which must fit the printable width (the encoder refuses what does not);
 * - CODE128: bar height in dots, plus one line (line spacing) per human-readable line (above/below);
 * - feed (ESC d n): n × line spacing;
 * - cut (GS V 0/1, function A): cuts at the current position without feeding; `cutMs` adds the blade's
 *   own time (0 by default: vendor-specific and not in our sources).
 * Time = length / speed + cutMs.
 */
import type { DecodedBlock, PrintedTicket, QrErrorLevel } from './document.js';

export interface PrinterMechanics {
  /** Paper speed, mm/s. Default 150 (Epson TM-T88 class). */
  speedMmPerS: number;
  /** Dots per inch of the head. Default 203. */
  dpi: number;
  /** Printable width in dots: 576 for 80 mm paper (72 mm), 384 for 58 mm. Default 576. */
  printableDots: number;
  /** Default line spacing (ESC 2) in dots. ⚠ Default 30 (3.75 mm at 203 dpi); models differ. */
  lineSpacingDots: number;
  /** Character cell height of font A in dots. Default 24. */
  charHeightDots: number;
  /** Font A cell width of a single-byte character in dots (double-byte characters take twice). Default 12. */
  charWidthDots: number;
  /** The cutter's own time, ms. Default 0. */
  cutMs: number;
}

export const DEFAULT_MECHANICS: Readonly<PrinterMechanics> = Object.freeze({
  speedMmPerS: 150,
  dpi: 203,
  printableDots: 576,
  lineSpacingDots: 30,
  charHeightDots: 24,
  charWidthDots: 12,
  cutMs: 0,
});

/** QR model 2 byte-mode capacity (bytes) by version 1..40 and error level (ISO/IEC 18004:2015 table 7). */
const QR_BYTE_CAPACITY: Readonly<Record<QrErrorLevel, readonly number[]>> = {
  L: [17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858, 929, 1003, 1091, 1171, 1273, 1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699, 2809, 2953],
  M: [14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331],
  Q: [11, 20, 32, 46, 60, 74, 86, 108, 130, 151, 177, 203, 241, 258, 292, 322, 364, 394, 442, 482, 509, 565, 611, 661, 715, 751, 805, 868, 908, 982, 1030, 1112, 1168, 1228, 1283, 1351, 1423, 1499, 1579, 1663],
  H: [7, 14, 24, 34, 44, 58, 64, 84, 98, 119, 137, 155, 177, 194, 220, 250, 280, 310, 338, 382, 403, 439, 461, 511, 535, 593, 625, 658, 698, 742, 790, 842, 898, 958, 983, 1051, 1093, 1139, 1219, 1273],
};

/** Smallest QR version (1..40) whose byte-mode capacity at `level` holds `bytes` (40 beyond: the encoder refuses that). */
export function qrVersion(bytes: number, level: QrErrorLevel): number {
  const i = QR_BYTE_CAPACITY[level].findIndex((cap) => cap >= bytes);
  return i < 0 ? 40 : i + 1;
}

/** Modules across a QR symbol of `bytes` in byte mode at `level` (17 + 4 × version), without its quiet zone. */
export function qrModules(bytes: number, level: QrErrorLevel): number {
  return 17 + 4 * qrVersion(bytes, level);
}

/** Most bytes a QR at `level` may hold so that its symbol, `moduleSize` dots a module, is at most `dots` wide (0: none fits). */
export function qrMaxBytesWithin(dots: number, moduleSize: number, level: QrErrorLevel): number {
  const version = Math.min(40, Math.floor((Math.floor(dots / moduleSize) - 17) / 4));
  return version < 1 ? 0 : (QR_BYTE_CAPACITY[level][version - 1] ?? 0);
}

/** Modules across CODE128 in code set B: start, one symbol a character, check (11 modules each), stop (13). */
export function code128Modules(data: string): number {
  return 11 * ([...data].length + 2) + 13;
}

/** Width in dots of a text at magnification 1: single-byte characters one cell, others (CJK) two. */
function textWidthDots(text: string, m: PrinterMechanics): number {
  let w = 0;
  for (const ch of text) w += (ch.codePointAt(0) ?? 0) < 0x80 ? m.charWidthDots : 2 * m.charWidthDots;
  return w;
}

/** Paper length of one block in dots. */
export function blockDots(block: DecodedBlock, m: PrinterMechanics = DEFAULT_MECHANICS): number {
  switch (block.type) {
    case 'text': {
      const lineDots = Math.max(m.lineSpacingDots, m.charHeightDots * block.height);
      const lines = Math.max(1, Math.ceil((textWidthDots(block.text, m) * block.width) / m.printableDots));
      return lines * lineDots;
    }
    case 'qr': {
      return qrModules(Buffer.byteLength(block.data, 'utf8'), block.errorLevel) * block.moduleSize;
    }
    case 'barcode': {
      const hriLines = block.hri === 'both' ? 2 : block.hri === 'none' ? 0 : 1;
      return block.height + hriLines * m.lineSpacingDots;
    }
    case 'feed':
      return block.lines * m.lineSpacingDots;
  }
}

export interface TicketMechanics {
  dots: number;
  mm: number;
  /** Time the mechanism needs for the whole ticket, cut included, ms. */
  ms: number;
}

/** The ticket's length and the time to print and cut it. */
export function ticketMechanics(ticket: PrintedTicket | { blocks: readonly DecodedBlock[] }, m: PrinterMechanics = DEFAULT_MECHANICS): TicketMechanics {
  let dots = 0;
  for (const b of ticket.blocks) dots += blockDots(b, m);
  const mm = (dots * 25.4) / m.dpi;
  return { dots, mm, ms: (mm / m.speedMmPerS) * 1000 + m.cutMs };
}
