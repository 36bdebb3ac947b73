/**
 * What the citizen holds, as a picture: a printed ticket (the emulator's decoding of the bytes)
 * rendered as a PNG at the printer's own resolution, for `hallq emulate printer --png DIR`,
 * `hallq print-test --png FILE` and the README.
 *
 * Geometry is the mechanics model's (mechanics.ts): 576 dots wide for 80 mm paper at 203 dpi, font A
 * cells of 12 × 24 dots (24 × 24 for a double-byte character) scaled by GS ! width and height, the
 * line spacing, the QR version chosen for byte mode at its error level, CODE128 bars of the module
 * width with the human-readable line. So the picture is as long as the paper the emulator times.
 * Glyphs come from the system's CJK font (Debian fonts-noto-cjk), drawn into each cell (one wider than
 * its cell narrowed to fit it, so glyphs never touch); a real printer's ROM font differs in shape, never in place. The cut is a dashed line (a partial cut
 * leaves a bridge in the middle).
 *
 * Rendering is @napi-rs/canvas (its binary ships in the npm package); the symbols are bwip-js.
 */
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import bwipjs from 'bwip-js';
import type { Align, DecodedBlock, PrintedTicket } from './document.js';
import { blockDots, DEFAULT_MECHANICS, qrVersion, type PrinterMechanics } from './mechanics.js';

export interface PreviewOptions {
  mechanics?: PrinterMechanics;
  /** A font family with CJK glyphs; default: the first Noto CJK (or any CJK) family installed. */
  fontFamily?: string;
}

/** Dots below the last block, so the cut line shows. */
const CUT_MARGIN = 16;

const CJK_FAMILY = /CJK|Hei|Song|WenQuanYi/i;

function cjkFamily(): string {
  const families = GlobalFonts.families.map((f) => f.family);
  return families.find((f) => /Noto Sans CJK/.test(f)) ?? families.find((f) => CJK_FAMILY.test(f)) ?? 'sans-serif';
}

/** What a preview drawn with these font families lacks, in words (undefined: the text is drawn whole). */
export interface PreviewFontProblem {
  code: 'NO_FONT' | 'NO_CJK_FONT';
  en: string;
  zh: string;
}

/**
 * Whether the installed fonts can draw a ticket's text. Without a font the canvas draws no text at all
 * (the QR code, the barcode's bars and the layout still come out); without a CJK one, no Chinese. Said,
 * naming the Debian package, because a blank ticket looks like a broken printer.
 */
export function previewFontProblem(families: readonly string[] = GlobalFonts.families.map((f) => f.family)): PreviewFontProblem | undefined {
  if (families.length === 0) {
    return {
      code: 'NO_FONT',
      en: 'no font is installed, so the ticket is drawn without any text (the QR code, barcode bars and layout are there): install the Debian package fonts-noto-cjk',
      zh: '系统没有安装任何字体，票面文字没有画出（二维码、条码和版面照常）：请安装 Debian 软件包 fonts-noto-cjk',
    };
  }
  if (!families.some((f) => CJK_FAMILY.test(f))) {
    return {
      code: 'NO_CJK_FONT',
      en: 'no font with Chinese characters is installed, so the Chinese text is not drawn (the rest is): install the Debian package fonts-noto-cjk',
      zh: '系统没有可显示中文的字体，票面中文没有画出（其余照常）：请安装 Debian 软件包 fonts-noto-cjk',
    };
  }
  return undefined;
}

/** The problem as the CLI says a warning: `warning: CODE: English (中文)`; undefined when the fonts draw the text. */
export function previewFontWarning(families?: readonly string[]): string | undefined {
  const p = previewFontProblem(families);
  return p && `warning: ${p.code}: ${p.en} (${p.zh})`;
}

const isWide = (ch: string): boolean => (ch.codePointAt(0) ?? 0) >= 0x80;

/** Splits a line into the rows the printer prints: a row holds at most `printableDots` of cells. */
function wrapCells(text: string, cellWidth: number, printable: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let used = 0;
  for (const ch of text) {
    const w = (isWide(ch) ? 2 : 1) * cellWidth;
    if (used + w > printable && row.length > 0) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(ch);
    used += w;
  }
  rows.push(row);
  return rows;
}

function startX(align: Align, width: number, printable: number): number {
  if (align === 'center') return Math.floor((printable - width) / 2);
  if (align === 'right') return printable - width;
  return 0;
}

function drawText(ctx: SKRSContext2D, block: Extract<DecodedBlock, { type: 'text' }>, top: number, m: PrinterMechanics, family: string): void {
  const cell = m.charWidthDots * block.width;
  const lineDots = Math.max(m.lineSpacingDots, m.charHeightDots * block.height);
  ctx.font = `${block.bold ? 'bold ' : ''}${m.charHeightDots}px "${family}"`;
  ctx.textBaseline = 'alphabetic';
  wrapCells(block.text, cell, m.printableDots).forEach((row, r) => {
    const width = row.reduce((a, ch) => a + (isWide(ch) ? 2 : 1) * cell, 0);
    let x = startX(block.align, width, m.printableDots);
    // The glyph sits at the bottom of the line, as the printer feeds the spacing above the cell.
    const cellTop = top + r * lineDots + (lineDots - m.charHeightDots * block.height);
    for (const ch of row) {
      const w = (isWide(ch) ? 2 : 1) * m.charWidthDots;
      // Each glyph's ink centred in its cell, baseline at 5/6 of the cell height. The system font is
      // proportional and the printer's cells are not: a glyph whose ink is wider than its cell less a dot
      // (W, a CJK font's digits) is narrowed to fit, so neighbours never touch or overlap at any
      // magnification; the cell pitch stays the printer's.
      const metrics = ctx.measureText(ch);
      const ink = metrics.actualBoundingBoxLeft + metrics.actualBoundingBoxRight;
      const room = w - 1;
      const narrow = ink > room ? room / ink : 1;
      // A glyph that fits keeps its place in the advance (、 sits low left); one narrowed is centred by its ink.
      const at = narrow < 1 ? (w - ink * narrow) / 2 / narrow + metrics.actualBoundingBoxLeft : (w - metrics.width) / 2;
      // Either way its ink stays inside the cell.
      const left = Math.min(Math.max(at, 0.5 + metrics.actualBoundingBoxLeft), w / narrow - 0.5 - metrics.actualBoundingBoxRight);
      ctx.save();
      ctx.translate(x, cellTop);
      ctx.scale(block.width * narrow, block.height);
      ctx.fillText(ch, left, (m.charHeightDots * 5) / 6);
      ctx.restore();
      x += w * block.width;
    }
  });
}

function drawQr(ctx: SKRSContext2D, block: Extract<DecodedBlock, { type: 'qr' }>, top: number, m: PrinterMechanics): void {
  const bytes = Buffer.from(block.data, 'utf8');
  const version = qrVersion(bytes.length, block.errorLevel);
  // Byte mode at the version the printer would pick, so the symbol is the size the paper is.
  const [sym] = bwipjs.raw('qrcode', bytes.toString('latin1'), { eclevel: block.errorLevel, version: String(version), binarytext: true } as never) as unknown as [{ pixs: number[]; pixx: number; pixy: number }];
  if (!sym) return;
  const size = sym.pixx * block.moduleSize;
  const x0 = startX(block.align, size, m.printableDots);
  for (let y = 0; y < sym.pixy; y++) {
    for (let x = 0; x < sym.pixx; x++) {
      if (sym.pixs[y * sym.pixx + x]) ctx.fillRect(x0 + x * block.moduleSize, top + y * block.moduleSize, block.moduleSize, block.moduleSize);
    }
  }
}

function drawBarcode(ctx: SKRSContext2D, block: Extract<DecodedBlock, { type: 'barcode' }>, top: number, m: PrinterMechanics, family: string): void {
  const [sym] = bwipjs.raw('code128', block.data, {}) as unknown as [{ sbs: number[] }];
  if (!sym) return;
  const modules = sym.sbs.reduce((a, b) => a + b, 0);
  const x0 = startX(block.align, modules * block.width, m.printableDots);
  const hriAbove = block.hri === 'above' || block.hri === 'both';
  const hriBelow = block.hri === 'below' || block.hri === 'both';
  const barsTop = top + (hriAbove ? m.lineSpacingDots : 0);
  let x = x0;
  sym.sbs.forEach((w, i) => {
    if (i % 2 === 0) ctx.fillRect(x, barsTop, w * block.width, block.height);
    x += w * block.width;
  });
  const hri = (y: number) => drawText(ctx, { type: 'text', text: block.data, align: block.align, width: 1, height: 1, bold: false }, y, m, family);
  if (hriAbove) hri(top);
  if (hriBelow) hri(barsTop + block.height);
}

function drawCut(ctx: SKRSContext2D, y: number, cut: PrintedTicket['cut'], m: PrinterMechanics): void {
  const bridge = cut === 'partial' ? 24 : 0;
  const mid = m.printableDots / 2;
  for (let x = 0; x < m.printableDots; x += 12) {
    if (bridge > 0 && x + 6 > mid - bridge && x < mid + bridge) continue;
    ctx.fillRect(x, y, 6, 2);
  }
}

/** The ticket as a PNG, `printableDots` wide and as many dots long as its paper (plus the cut line). */
export function renderTicketPng(ticket: PrintedTicket, options: PreviewOptions = {}): Buffer {
  const m = options.mechanics ?? DEFAULT_MECHANICS;
  const family = options.fontFamily ?? cjkFamily();
  const heights = ticket.blocks.map((b) => blockDots(b, m));
  const paper = heights.reduce((a, b) => a + b, 0);
  const canvas = createCanvas(m.printableDots, paper + CUT_MARGIN);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#000000';
  let top = 0;
  ticket.blocks.forEach((block, i) => {
    if (block.type === 'text') drawText(ctx, block, top, m, family);
    else if (block.type === 'qr') drawQr(ctx, block, top, m);
    else if (block.type === 'barcode') drawBarcode(ctx, block, top, m, family);
    top += heights[i] ?? 0;
  });
  drawCut(ctx, paper + CUT_MARGIN / 2, ticket.cut, m);
  return canvas.toBuffer('image/png');
}
