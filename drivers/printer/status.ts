/**
 * Real-time status (DLE EOT) replies. Every reply byte has the fixed bits 0x12 set and bits
 * 0x01 / 0x80 clear (Epson); anything else is line noise or another protocol, returned as an error value.
 */
export type PaperState = 'ok' | 'near-end' | 'out';

export interface PrinterStatus {
  online: boolean;
  paper: PaperState;
  /** Only when the printer says offline with paper present: DLE EOT 2 says the cover is open (a roll change under way). */
  coverOpen?: true;
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

/** DLE EOT 2 (off-line cause), bit 2: the cover is open. */
export const COVER_OPEN_BIT = 0x04;

/** Reply to DLE EOT 2. */
export function parseOfflineCause(byte: number): StatusParse<{ coverOpen: boolean }> {
  if (!isStatusByte(byte)) return { ok: false, error: 'invalid-status-byte', byte };
  return { ok: true, value: { coverOpen: (byte & COVER_OPEN_BIT) !== 0 } };
}

/** The bytes a printer in this state answers (used by the emulator). */
export function printerStatusByte(online: boolean): number {
  return FIXED_BITS | (online ? 0 : OFFLINE_BIT);
}
export function offlineCauseByte(coverOpen: boolean): number {
  return FIXED_BITS | (coverOpen ? COVER_OPEN_BIT : 0);
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

/** GS r 1 replies: bits 4 and 7 clear (so never confused with a DLE EOT reply, which has bit 4 set). */
export const TRANSMIT_NEAR_END_BITS = 0x03;
export const TRANSMIT_END_BITS = 0x0c;
export function isTransmitStatusByte(byte: number): boolean {
  return (byte & 0x90) === 0;
}
export function parseTransmitPaperStatus(byte: number): PaperState {
  if (byte & TRANSMIT_END_BITS) return 'out';
  return byte & TRANSMIT_NEAR_END_BITS ? 'near-end' : 'ok';
}
export function transmitPaperStatusByte(paper: PaperState): number {
  return paper === 'out' ? TRANSMIT_END_BITS : paper === 'near-end' ? TRANSMIT_NEAR_END_BITS : 0;
}
/** DLE EOT 3 (error cause): bit 3 set = autocutter error (the ticket was not cut). */
export const CUTTER_ERROR_BIT = 0x08;
