/**
 * Real-time status (DLE EOT) replies. Every reply byte has the fixed bits 0x12 set and bits
 * 0x01 / 0x80 clear (Epson); anything else is line noise or another protocol, returned as an error value.
 */
export type PaperState = 'ok' | 'near-end' | 'out';

export interface PrinterStatus {
  online: boolean;
  paper: PaperState;
}

export type StatusParse<T> = { ok: true; value: T } | { ok: false; error: 'invalid-status-byte'; byte: number };

const FIXED_MASK = 0x93;
const FIXED_BITS = 0x12;
export const OFFLINE_BIT = 0x08;
export const PAPER_NEAR_END_BITS = 0x0c;
export const PAPER_OUT_BITS = 0x60;

export function isStatusByte(byte: number): boolean {
  return (byte & FIXED_MASK) === FIXED_BITS;
}

/** Reply to DLE EOT 1. */
export function parsePrinterStatus(byte: number): StatusParse<{ online: boolean }> {
  if (!isStatusByte(byte)) return { ok: false, error: 'invalid-status-byte', byte };
  return { ok: true, value: { online: (byte & OFFLINE_BIT) === 0 } };
}

/** Reply to DLE EOT 4. Out wins over near-end: printers set both when the roll is gone. */
export function parsePaperStatus(byte: number): StatusParse<PaperState> {
  if (!isStatusByte(byte)) return { ok: false, error: 'invalid-status-byte', byte };
  if (byte & PAPER_OUT_BITS) return { ok: true, value: 'out' };
  if (byte & PAPER_NEAR_END_BITS) return { ok: true, value: 'near-end' };
  return { ok: true, value: 'ok' };
}

/** The bytes a printer in this state answers (used by the emulator). */
export function printerStatusByte(online: boolean): number {
  return FIXED_BITS | (online ? 0 : OFFLINE_BIT);
}
export function paperStatusByte(paper: PaperState): number {
  switch (paper) {
    case 'ok':
      return FIXED_BITS;
    case 'near-end':
      return FIXED_BITS | PAPER_NEAR_END_BITS;
    case 'out':
      return FIXED_BITS | PAPER_OUT_BITS;
  }
}
