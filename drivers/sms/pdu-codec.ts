/**
 * SMS-SUBMIT PDUs (3GPP TS 23.040) in UCS2, as sent with AT+CMGS in PDU mode. Pure: no I/O,
 * never throws on input; failures are values.
 */
import { internationalDigits } from './phone.js';

/** UCS2 code units in one message without a user-data header (140 octets). */
export const SINGLE_PART_UNITS = 70;
/** UCS2 code units per part once the 6-octet concatenation header takes its room. */
export const MULTI_PART_UNITS = 67;
/** Relative validity A7 = 24 hours. */
export const DEFAULT_VALIDITY = 0xa7;

export interface PduPart {
  /** The whole PDU in upper-case hex, SMSC octet (00) included: what follows the "> " prompt. */
  hex: string;
  /** Octets after the SMSC field: the number AT+CMGS wants. */
  tpduLength: number;
  seq: number;
  total: number;
}

export type EncodeResult =
  | { ok: true; parts: PduPart[] }
  | { ok: false; error: 'phone-invalid' | 'too-long' };

export interface EncodeOptions {
  /** 8-bit reference shared by the parts of one concatenated message. */
  concatRef?: number;
  validity?: number;
}

/**
 * Splits text into UTF-16 chunks: one chunk if it fits 70 units, else chunks of at most 67,
 * never cutting between the halves of a surrogate pair (an emoji would turn into two garbage halves).
 */
export function splitUcs2(text: string): string[] {
  if (text.length <= SINGLE_PART_UNITS) return [text];
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(i + MULTI_PART_UNITS, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** Destination address: digit count, type 91 (international), digits as swapped nibbles, F padding. */
export function encodeAddress(digits: string): number[] {
  const padded = digits.length % 2 === 1 ? `${digits}F` : digits;
  const out = [digits.length, 0x91];
  for (let i = 0; i < padded.length; i += 2) out.push(parseInt(`${padded[i + 1]}${padded[i]}`, 16));
  return out;
}

function ucs2Bytes(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    out.push(u >> 8, u & 0xff);
  }
  return out;
}

function toHex(bytes: number[]): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

export function encodeSubmit(phone: string, text: string, options: EncodeOptions = {}): EncodeResult {
  const digits = internationalDigits(phone);
  if (digits === undefined) return { ok: false, error: 'phone-invalid' };
  const chunks = splitUcs2(text);
  if (chunks.length > 255) return { ok: false, error: 'too-long' };
  const total = chunks.length;
  const ref = (options.concatRef ?? 0) & 0xff;
  const address = encodeAddress(digits);
  const parts = chunks.map((chunk, index): PduPart => {
    const udh = total > 1 ? [0x05, 0x00, 0x03, ref, total, index + 1] : [];
    const ud = [...udh, ...ucs2Bytes(chunk)];
    const tpdu = [
      total > 1 ? 0x51 : 0x11, // SMS-SUBMIT, relative validity; 0x40 = user data header present
      0x00, // message reference: the modem assigns it
      ...address,
      0x00, // PID
      0x08, // DCS: UCS2
      options.validity ?? DEFAULT_VALIDITY,
      ud.length,
      ...ud,
    ];
    return { hex: toHex([0x00, ...tpdu]), tpduLength: tpdu.length, seq: index + 1, total };
  });
  return { ok: true, parts };
}

export interface DecodedSubmit {
  /** '+8613800138000' for international numbers, bare digits otherwise. */
  phone: string;
  text: string;
  concat?: { ref: number; total: number; seq: number };
  messageRef: number;
  dcs: number;
  /** Octets after the SMSC field, to check against the AT+CMGS length. */
  tpduLength: number;
}

export type DecodeError =
  | 'hex-invalid'
  | 'truncated'
  | 'not-submit'
  | 'address-unsupported'
  | 'dcs-unsupported'
  | 'udh-invalid'
  | 'ucs2-odd-length';

export type DecodeResult = { ok: true; value: DecodedSubmit } | { ok: false; error: DecodeError };

/** Decodes an SMS-SUBMIT PDU (SMSC field first, as after the "> " prompt). Never throws. */
export function decodeSubmit(hex: string): DecodeResult {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return { ok: false, error: 'hex-invalid' };
  const b = Buffer.from(hex, 'hex');
  let p = 0;
  const need = (n: number) => p + n <= b.length;
  if (!need(1)) return { ok: false, error: 'truncated' };
  const smscLen = b[p++] ?? 0;
  if (!need(smscLen)) return { ok: false, error: 'truncated' };
  p += smscLen;
  const tpduStart = p;
  if (!need(3)) return { ok: false, error: 'truncated' };
  const first = b[p++] ?? 0;
  if ((first & 0x03) !== 0x01) return { ok: false, error: 'not-submit' };
  const messageRef = b[p++] ?? 0;
  const addrDigits = b[p++] ?? 0;
  if (!need(1 + Math.ceil(addrDigits / 2))) return { ok: false, error: 'truncated' };
  const toa = b[p++] ?? 0;
  if ((toa & 0x70) === 0x50) return { ok: false, error: 'address-unsupported' }; // alphanumeric
  let digits = '';
  for (let i = 0; i < Math.ceil(addrDigits / 2); i++) {
    const o = b[p++] ?? 0;
    digits += (o & 0x0f).toString(16) + (o >> 4).toString(16);
  }
  digits = digits.slice(0, addrDigits);
  if (!/^\d*$/.test(digits)) return { ok: false, error: 'address-unsupported' };
  const phone = (toa & 0x70) === 0x10 ? `+${digits}` : digits;
  if (!need(2)) return { ok: false, error: 'truncated' };
  p++; // PID
  const dcs = b[p++] ?? 0;
  const vpf = (first >> 3) & 0x03;
  p += vpf === 0 ? 0 : vpf === 2 ? 1 : 7;
  if (!need(1)) return { ok: false, error: 'truncated' };
  const udl = b[p++] ?? 0;
  // Only UCS2 (general data coding, alphabet bits 10); the hall never sends GSM 7-bit or 8-bit data.
  if ((dcs & 0xc0) !== 0 || (dcs & 0x0c) !== 0x08) return { ok: false, error: 'dcs-unsupported' };
  if (!need(udl)) return { ok: false, error: 'truncated' };
  const ud = b.subarray(p, p + udl);
  let body = ud;
  let concat: DecodedSubmit['concat'];
  if (first & 0x40) {
    const udhl = ud[0];
    if (udhl === undefined || udhl + 1 > ud.length) return { ok: false, error: 'udh-invalid' };
    const header = ud.subarray(1, 1 + udhl);
    let h = 0;
    while (h < header.length) {
      const iei = header[h];
      const len = header[h + 1];
      if (iei === undefined || len === undefined || h + 2 + len > header.length) return { ok: false, error: 'udh-invalid' };
      const ie = header.subarray(h + 2, h + 2 + len);
      if (iei === 0x00 && len === 3) concat = { ref: ie[0] ?? 0, total: ie[1] ?? 0, seq: ie[2] ?? 0 };
      else if (iei === 0x08 && len === 4) concat = { ref: ((ie[0] ?? 0) << 8) | (ie[1] ?? 0), total: ie[2] ?? 0, seq: ie[3] ?? 0 };
      h += 2 + len;
    }
    body = ud.subarray(1 + udhl);
  }
  if (body.length % 2 !== 0) return { ok: false, error: 'ucs2-odd-length' };
  let text = '';
  for (let i = 0; i < body.length; i += 2) text += String.fromCharCode(((body[i] ?? 0) << 8) | (body[i + 1] ?? 0));
  const value: DecodedSubmit = { phone, text, messageRef, dcs, tpduLength: b.length - tpduStart };
  if (concat) value.concat = concat;
  return { ok: true, value };
}
