/**
 * What a ticket is, independent of bytes: the encoder turns it into ESC/POS and the emulator
 * decodes ESC/POS back into it, so tests can compare what was meant with what the citizen holds.
 */
export type Align = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';
export type BarcodeHri = 'none' | 'above' | 'below' | 'both';

/** One printed line. Control characters (including newlines) are printed as spaces. */
export interface TextBlock {
  type: 'text';
  text: string;
  align?: Align;
  /** Character magnification 1..8 (GS !). */
  width?: number;
  height?: number;
  bold?: boolean;
}

/** Native QR (GS ( k, model 2); the payload travels as UTF-8. */
export interface QrBlock {
  type: 'qr';
  data: string;
  /** Module (dot) size 1..16. */
  moduleSize?: number;
  errorLevel?: QrErrorLevel;
  align?: Align;
}

/** CODE128 in code set B: printable ASCII only. */
export interface BarcodeBlock {
  type: 'barcode';
  data: string;
  /** Bar height in dots, 1..255. */
  height?: number;
  /** Module width 2..6. */
  width?: number;
  hri?: BarcodeHri;
  align?: Align;
}

export interface FeedBlock {
  type: 'feed';
  /** 1..255 */
  lines: number;
}

export interface CutBlock {
  type: 'cut';
  partial?: boolean;
}

export type PrintBlock = TextBlock | QrBlock | BarcodeBlock | FeedBlock | CutBlock;

export interface PrintDocument {
  blocks: readonly PrintBlock[];
}

/** A block with every default filled in: the shape the emulator decodes. */
export type DecodedBlock =
  | Required<TextBlock>
  | Required<QrBlock>
  | Required<BarcodeBlock>
  | FeedBlock;

/** One piece of paper: everything printed up to a cut. */
export interface PrintedTicket {
  blocks: DecodedBlock[];
  cut: 'full' | 'partial';
}

export const DEFAULTS = {
  align: 'left',
  width: 1,
  height: 1,
  bold: false,
  moduleSize: 6,
  errorLevel: 'M',
  barcodeHeight: 80,
  barcodeWidth: 2,
  hri: 'below',
} as const;

/** Fill in defaults, as the encoder does, so a document can be compared with its decoding. */
export function normalizeBlock(block: Exclude<PrintBlock, CutBlock>): DecodedBlock {
  switch (block.type) {
    case 'text':
      return {
        type: 'text',
        // Mirrors the encoder: controls print as spaces.
        text: block.text.replace(/[\u0000-\u001f\u007f]/g, ' '),
        align: block.align ?? DEFAULTS.align,
        width: block.width ?? DEFAULTS.width,
        height: block.height ?? DEFAULTS.height,
        bold: block.bold ?? DEFAULTS.bold,
      };
    case 'qr':
      return {
        type: 'qr',
        data: block.data,
        moduleSize: block.moduleSize ?? DEFAULTS.moduleSize,
        errorLevel: block.errorLevel ?? DEFAULTS.errorLevel,
        align: block.align ?? DEFAULTS.align,
      };
    case 'barcode':
      return {
        type: 'barcode',
        data: block.data,
        height: block.height ?? DEFAULTS.barcodeHeight,
        width: block.width ?? DEFAULTS.barcodeWidth,
        hri: block.hri ?? DEFAULTS.hri,
        align: block.align ?? DEFAULTS.align,
      };
    case 'feed':
      return { type: 'feed', lines: block.lines };
  }
}
