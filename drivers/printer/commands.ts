/**
 * ESC/POS command bytes, one builder per row of shared/protocols/escpos.md.
 * Builders validate nothing: the encoder checks ranges before calling them.
 */
import type { Align, BarcodeHri, QrErrorLevel } from './document.js';

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

const bytes = (...b: number[]): Buffer => Buffer.from(b);

export const ALIGN_CODE: Readonly<Record<Align, number>> = { left: 0, center: 1, right: 2 };
export const QR_LEVEL_CODE: Readonly<Record<QrErrorLevel, number>> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };
export const HRI_CODE: Readonly<Record<BarcodeHri, number>> = { none: 0, above: 1, below: 2, both: 3 };

export const init = (): Buffer => bytes(ESC, 0x40);
export const chineseModeOn = (): Buffer => bytes(FS, 0x26);
export const chineseModeOff = (): Buffer => bytes(FS, 0x2e);
export const align = (a: Align): Buffer => bytes(ESC, 0x61, ALIGN_CODE[a]);
/** GS ! n: high nibble width-1, low nibble height-1. */
export const size = (width: number, height: number): Buffer => bytes(GS, 0x21, ((width - 1) << 4) | (height - 1));
export const bold = (on: boolean): Buffer => bytes(ESC, 0x45, on ? 1 : 0);
/** ESC d n: print the buffer and feed n lines. */
export const feed = (lines: number): Buffer => bytes(ESC, 0x64, lines);

export const qrModel2 = (): Buffer => bytes(GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00);
export const qrModuleSize = (n: number): Buffer => bytes(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, n);
export const qrErrorLevel = (level: QrErrorLevel): Buffer => bytes(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, QR_LEVEL_CODE[level]);
/** pL + 256·pH = len(data) + 3 (cn, fn, m). */
export function qrStore(data: Uint8Array): Buffer {
  const len = data.length + 3;
  return Buffer.concat([bytes(GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30), data]);
}
export const qrPrint = (): Buffer => bytes(GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30);

export const barcodeHri = (hri: BarcodeHri): Buffer => bytes(GS, 0x48, HRI_CODE[hri]);
export const barcodeHeight = (h: number): Buffer => bytes(GS, 0x68, h);
export const barcodeWidth = (w: number): Buffer => bytes(GS, 0x77, w);
/** GS k 73 n: n counts the code-set selector "{B" too; a literal "{" is sent as "{{". */
export function code128(data: string): Buffer {
  const payload = Buffer.from(`{B${data.replace(/\{/g, '{{')}`, 'latin1');
  return Buffer.concat([bytes(GS, 0x6b, 0x49, payload.length), payload]);
}

export const cut = (partial = false): Buffer => bytes(GS, 0x56, partial ? 1 : 0);

/** DLE EOT n, real-time status: 1 printer, 4 paper roll. */
export const statusRequest = (n: 1 | 2 | 3 | 4): Buffer => bytes(DLE, EOT, n);

/**
 * GS r 1, transmit paper sensor status. Unlike DLE EOT it waits its turn in the print buffer: the
 * printer answers only once everything sent before it has been printed and cut, so the answer after
 * a ticket's bytes confirms the ticket. Reply: bits 0–1 near-end, bits 2–3 roll end; bits 4 and 7 are 0.
 */
export const transmitPaperStatus = (): Buffer => bytes(GS, 0x72, 1);
