/**
 * The printer's side of ESC/POS: a byte stream back into what the citizen holds. Takes arbitrary
 * chunks, never throws, and skips what it does not model (by the command's own length where it has one).
 * ESC/POS has no framing, so "resynchronising" means: unknown control bytes are dropped, stray
 * printable bytes become text until ESC @ clears the line — exactly what a real printer does.
 */
import iconv from 'iconv-lite';
import type { Align, BarcodeHri, DecodedBlock, PrintedTicket, QrErrorLevel } from './document.js';
import { DLE, EOT, ESC, FS, GS, LF } from './commands.js';
import type { TextEncoding } from './encoder.js';

export type DecoderEvent =
  | { type: 'ticket'; ticket: PrintedTicket }
  | { type: 'status-request'; n: number }
  /** GS r n: transmit status, processed in order (after everything before it has printed), unlike DLE EOT. */
  | { type: 'transmit-status'; n: number }
  /** A command the emulator does not model (or a stray control byte), skipped. No payload bytes: they may be personal data. */
  | { type: 'ignored'; command: string; length: number };

export interface DecoderOptions {
  /** How the printer reads multi-byte text in Chinese mode. GB18030 also reads every GBK sequence. */
  encoding?: TextEncoding;
  /** Chinese firmwares usually power on in Chinese mode (escpos.md). */
  chineseModeAtInit?: boolean;
}

/** A line longer than this wraps, as paper would; also bounds memory on garbage without LF. */
const MAX_LINE_BYTES = 4096;
/** Bound on blocks kept while waiting for a cut (garbage could hold many LFs). */
const MAX_PENDING_BLOCKS = 10_000;
const ALIGNS: readonly Align[] = ['left', 'center', 'right'];
const HRIS: readonly BarcodeHri[] = ['none', 'above', 'below', 'both'];
const LEVELS: readonly QrErrorLevel[] = ['L', 'M', 'Q', 'H'];

interface TextAttrs {
  align: Align;
  width: number;
  height: number;
  bold: boolean;
}

/** Length of a fixed-length command by its second byte, for commands we skip. */
const ESC_FIXED: Readonly<Record<number, number>> = {
  0x20: 3, 0x25: 3, 0x2d: 3, 0x32: 2, 0x33: 3, 0x3c: 2, 0x3d: 3, 0x3f: 3, 0x47: 3, 0x4a: 3, 0x4d: 3,
  0x52: 3, 0x53: 2, 0x54: 3, 0x55: 3, 0x56: 3, 0x63: 4, 0x24: 4, 0x5c: 4, 0x70: 5, 0x72: 3, 0x74: 3, 0x7b: 3, 0x4c: 2,
};
const GS_FIXED: Readonly<Record<number, number>> = {
  0x2f: 3, 0x3a: 2, 0x42: 3, 0x49: 3, 0x4c: 4, 0x50: 4, 0x57: 4, 0x24: 4, 0x5c: 4, 0x61: 3, 0x62: 3, 0x66: 3, 0x72: 3,
};
const FS_FIXED: Readonly<Record<number, number>> = { 0x21: 3, 0x2d: 3, 0x43: 3, 0x57: 3, 0x53: 4, 0x70: 4 };

export class EscPosDecoder {
  private rest: Buffer = Buffer.alloc(0);
  private blocks: DecodedBlock[] = [];
  private line: number[] = [];
  private lineAttrs: TextAttrs | undefined;
  /** Bytes still to drop of a command being skipped. */
  private skipping = 0;
  private attrs!: TextAttrs;
  private chinese!: boolean;
  private qr!: { moduleSize: number; errorLevel: QrErrorLevel; data: Buffer | undefined };
  private barcode!: { height: number; width: number; hri: BarcodeHri };
  private readonly encoding: TextEncoding;
  private readonly chineseAtInit: boolean;

  constructor(options: DecoderOptions = {}) {
    this.encoding = options.encoding ?? 'gb18030';
    this.chineseAtInit = options.chineseModeAtInit ?? true;
    this.reset();
  }

  /** Blocks printed since the last cut (not yet a ticket). */
  pendingBlocks(): DecodedBlock[] {
    return [...this.blocks];
  }

  push(chunk: Uint8Array): DecoderEvent[] {
    const buf = this.rest.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.rest, chunk]);
    const events: DecoderEvent[] = [];
    let i = 0;
    while (i < buf.length) {
      const used = this.step(buf, i, events);
      if (used === 0) break; // incomplete command: wait for more bytes
      i += used;
    }
    this.rest = Buffer.from(buf.subarray(i));
    return events;
  }

  private reset(): void {
    this.attrs = { align: 'left', width: 1, height: 1, bold: false };
    this.chinese = this.chineseAtInit;
    this.line = [];
    this.lineAttrs = undefined;
    // Power-on defaults per Epson: QR size 3 / level L, barcode height 162 / width 3 / no HRI.
    this.qr = { moduleSize: 3, errorLevel: 'L', data: undefined };
    this.barcode = { height: 162, width: 3, hri: 'none' };
  }

  /** Decode one command at buf[i]; returns bytes consumed, or 0 when the command is not complete yet. */
  private step(buf: Buffer, i: number, events: DecoderEvent[]): number {
    const avail = buf.length - i;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, avail);
      this.skipping -= n;
      return n;
    }
    const b = buf[i] ?? 0;
    const at = (k: number): number => buf[i + k] ?? 0;
    if (b === LF) {
      this.flushLine();
      return 1;
    }
    if (b === ESC) {
      if (avail < 2) return 0;
      return this.esc(at(1), avail, at, events);
    }
    if (b === GS) {
      if (avail < 2) return 0;
      return this.gs(buf, i, at(1), avail, at, events);
    }
    if (b === FS) {
      if (avail < 2) return 0;
      const c = at(1);
      if (c === 0x26 || c === 0x2e) {
        this.chinese = c === 0x26;
        return 2;
      }
      return this.skip(`FS ${hex2(c)}`, FS_FIXED[c] ?? 2, avail, events);
    }
    if (b === DLE) {
      if (avail < 2) return 0;
      const c = at(1);
      if (c === EOT || c === 0x05) {
        if (avail < 3) return 0;
        if (c === EOT) events.push({ type: 'status-request', n: at(2) });
        else events.push({ type: 'ignored', command: 'DLE ENQ', length: 3 });
        return 3;
      }
      if (c === 0x14) return this.skip('DLE DC4', 5, avail, events);
      events.push({ type: 'ignored', command: 'DLE', length: 1 });
      return 1;
    }
    if (b < 0x20 || b === 0x7f) {
      // CR and other controls: printers in LF mode ignore them.
      if (b !== 0x0d) events.push({ type: 'ignored', command: `control ${hex2(b)}`, length: 1 });
      return 1;
    }
    this.lineAttrs ??= { ...this.attrs };
    this.line.push(b);
    if (this.line.length >= MAX_LINE_BYTES) this.flushLine();
    return 1;
  }

  private esc(c: number, avail: number, at: (k: number) => number, events: DecoderEvent[]): number {
    if (c === 0x40) {
      this.reset();
      return 2;
    }
    if (c === 0x61 || c === 0x45 || c === 0x21 || c === 0x64) {
      if (avail < 3) return 0;
      const n = at(2);
      if (c === 0x61) this.attrs.align = ALIGNS[n & 0x0f] ?? 'left'; // 0..2 or '0'..'2'
      else if (c === 0x45) this.attrs.bold = (n & 1) === 1;
      else if (c === 0x21) this.attrs = { ...this.attrs, bold: (n & 0x08) !== 0, height: n & 0x10 ? 2 : 1, width: n & 0x20 ? 2 : 1 };
      else {
        if (this.line.length > 0) this.flushLine();
        if (n > 0) this.addBlock({ type: 'feed', lines: n });
      }
      return 3;
    }
    if (c === 0x2a) {
      // ESC * m nL nH d…: bit image, 1 or 3 bytes per column.
      if (avail < 5) return 0;
      const cols = at(3) + at(4) * 256;
      return this.skip('ESC *', 5 + cols * (at(2) >= 32 ? 3 : 1), avail, events);
    }
    return this.skip(`ESC ${hex2(c)}`, ESC_FIXED[c] ?? 2, avail, events);
  }

  private gs(buf: Buffer, i: number, c: number, avail: number, at: (k: number) => number, events: DecoderEvent[]): number {
    switch (c) {
      case 0x21:
      case 0x48:
      case 0x68:
      case 0x77: {
        if (avail < 3) return 0;
        const n = at(2);
        if (c === 0x21) this.attrs = { ...this.attrs, width: ((n >> 4) & 7) + 1, height: (n & 7) + 1 };
        else if (c === 0x48) this.barcode.hri = HRIS[n & 3] ?? 'none';
        else if (c === 0x68) this.barcode.height = n;
        else this.barcode.width = n;
        return 3;
      }
      case 0x56: {
        if (avail < 3) return 0;
        const m = at(2);
        let len = 3;
        if (m >= 65) {
          if (avail < 4) return 0; // function B/C/D carry a feed amount
          len = 4;
        }
        const partial = m === 1 || m === 49 || m === 66 || m === 98 || m === 104;
        this.cut(partial ? 'partial' : 'full', events);
        return len;
      }
      case 0x6b:
        return this.barcodeCommand(buf, i, avail, at, events);
      case 0x28: {
        if (avail < 5) return 0;
        const len = at(3) + at(4) * 256;
        const other = (): number => this.skip(`GS ( ${hex2(at(2))}`, 5 + len, avail, events);
        if (at(2) !== 0x6b || len < 2) return other();
        if (avail < 6) return 0;
        if (at(5) !== 0x31) return other(); // PDF417 and other 2D codes
        if (avail < 5 + len) return 0; // QR data is needed whole; at most 64 KiB
        this.qrFunction(buf.subarray(i + 5, i + 5 + len), events);
        return 5 + len;
      }
      case 0x72: {
        if (avail < 3) return 0;
        events.push({ type: 'transmit-status', n: at(2) });
        return 3;
      }
      case 0x76: {
        // GS v 0 m xL xH yL yH d…: raster image (logos).
        if (avail < 8) return 0;
        return this.skip('GS v 0', 8 + (at(4) + at(5) * 256) * (at(6) + at(7) * 256), avail, events);
      }
      case 0x2a: {
        if (avail < 4) return 0;
        return this.skip('GS *', 4 + at(2) * at(3) * 8, avail, events);
      }
      default:
        return this.skip(`GS ${hex2(c)}`, GS_FIXED[c] ?? 2, avail, events);
    }
  }

  private barcodeCommand(buf: Buffer, i: number, avail: number, at: (k: number) => number, events: DecoderEvent[]): number {
    if (avail < 3) return 0;
    const m = at(2);
    if (m <= 6) {
      // Format A: data ends with NUL.
      const nul = buf.subarray(i + 3, i + 3 + 256).indexOf(0);
      if (nul < 0) return avail >= 3 + 256 ? this.skip('GS k', 3, avail, events) : 0;
      events.push({ type: 'ignored', command: `GS k ${m}`, length: 4 + nul });
      return 4 + nul;
    }
    if (avail < 4) return 0;
    const n = at(3);
    if (avail < 4 + n) return 0;
    if (m === 0x49) {
      if (this.line.length > 0) this.flushLine();
      this.addBlock({ type: 'barcode', data: decodeCode128(buf.subarray(i + 4, i + 4 + n)), ...this.barcode, align: this.attrs.align });
    } else events.push({ type: 'ignored', command: `GS k ${m}`, length: 4 + n });
    return 4 + n;
  }

  /** body = cn fn params… of GS ( k with cn = 0x31 (QR). */
  private qrFunction(body: Buffer, events: DecoderEvent[]): void {
    const fn = body[1];
    const p = body[2] ?? 0;
    if (fn === 0x41) return; // model: 2 is what we send; model 1 printers are long gone
    if (fn === 0x43) this.qr.moduleSize = p;
    else if (fn === 0x45) this.qr.errorLevel = LEVELS[(p - 0x30) & 3] ?? 'L';
    else if (fn === 0x50) this.qr.data = Buffer.from(body.subarray(3));
    else if (fn === 0x51) {
      if (this.qr.data === undefined) return;
      if (this.line.length > 0) this.flushLine();
      this.addBlock({
        type: 'qr',
        data: this.qr.data.toString('utf8'),
        moduleSize: this.qr.moduleSize,
        errorLevel: this.qr.errorLevel,
        align: this.attrs.align,
      });
    } else events.push({ type: 'ignored', command: `GS ( k QR fn ${hex2(fn ?? 0)}`, length: body.length + 5 });
  }

  /** Skip a whole command; a long one (a raster logo) is consumed as it streams in rather than buffered. */
  private skip(command: string, length: number, avail: number, events: DecoderEvent[]): number {
    events.push({ type: 'ignored', command, length });
    if (avail >= length) return length;
    this.skipping = length - avail;
    return avail;
  }

  private flushLine(): void {
    const attrs = this.lineAttrs ?? this.attrs;
    const bytes = Buffer.from(this.line);
    const text = iconv.decode(bytes, this.chinese ? this.encoding : 'cp437');
    this.addBlock({ type: 'text', text, ...attrs });
    this.line = [];
    this.lineAttrs = undefined;
  }

  private addBlock(block: DecodedBlock): void {
    if (this.blocks.length >= MAX_PENDING_BLOCKS) this.blocks.shift();
    this.blocks.push(block);
  }

  private cut(cut: 'full' | 'partial', events: DecoderEvent[]): void {
    if (this.line.length > 0) this.flushLine();
    events.push({ type: 'ticket', ticket: { blocks: this.blocks, cut } });
    this.blocks = [];
  }
}

/** CODE128 data as sent after GS k 73 n: "{A"/"{B" switch sets, "{C" packs two digits per byte, "{{" is "{". */
export function decodeCode128(data: Uint8Array): string {
  let out = '';
  let set: 'A' | 'B' | 'C' = 'B';
  for (let k = 0; k < data.length; k++) {
    const b = data[k] ?? 0;
    if (b === 0x7b && k + 1 < data.length) {
      const next = data[k + 1] ?? 0;
      k++;
      if (next === 0x7b) out += '{';
      else if (next === 0x41 || next === 0x42 || next === 0x43) set = next === 0x41 ? 'A' : next === 0x42 ? 'B' : 'C';
      // {1 {2 {3 {4 {S: FNC and shift codes carry no printable data.
      continue;
    }
    out += set === 'C' ? String(b % 100).padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
