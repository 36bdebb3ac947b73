/**
 * The resident ID card's data as the SAM hands it over in a 30 01 / 30 10 reply: 256 bytes of
 * UCS-2 LE text in fixed fields, 1024 bytes of WLT photo (kept as bytes: only a proprietary
 * library decodes it) and, for 30 10, the fingerprint bytes. Pure; decoding returns errors as values.
 *
 * Everything here is personal data: never log it.
 */

/** Field sizes in characters, in card order (GA 467). 128 characters = 256 bytes. */
export const TEXT_FIELDS = [
  ['name', 15],
  ['sex', 1],
  ['nation', 2],
  ['birthDate', 8],
  ['address', 35],
  ['idNumber', 18],
  ['issuer', 15],
  ['validFrom', 8],
  ['validTo', 8],
  ['reserved', 18],
] as const;

export type TextFieldName = (typeof TEXT_FIELDS)[number][0];
export type CardText = Record<TextFieldName, string>;

export const TEXT_BYTES = 256;
export const PHOTO_BYTES = 1024;
/** ⚠ Fingerprint block size as readers usually report it; the reply's own length field wins. */
export const FINGERPRINT_BYTES = 1024;

export interface IdCardData {
  name: string;
  /** '1' male, '2' female, as on the card. */
  sexCode: string;
  sex: 'male' | 'female' | 'unknown';
  /** 01..56, 97, 98. */
  nationCode: string;
  /** YYYYMMDD. */
  birthDate: string;
  address: string;
  /** The raw 18-character field; the check digit is not validated here (src/core does GB 11643). */
  idNumber: string;
  issuer: string;
  /** YYYYMMDD. */
  validFrom: string;
  /** YYYYMMDD or 长期. */
  validTo: string;
  /** WLT bytes, undecoded. */
  photo: Buffer;
  /** Present only for a 30 10 read of a card that carries fingerprints. */
  fingerprint?: Buffer;
}

export type CardDecodeError =
  | { type: 'short-reply'; length: number }
  | { type: 'bad-lengths'; textLength: number; photoLength: number; fingerprintLength?: number; available: number };

export type CardDecodeResult = { type: 'card'; card: IdCardData } | CardDecodeError;

/** Splits 256 bytes of UCS-2 LE text into its fields, trimming the space padding. */
export function decodeCardText(text: Uint8Array): CardText {
  const bytes = Buffer.alloc(TEXT_BYTES, 0);
  bytes.set(text.subarray(0, TEXT_BYTES));
  const out = {} as CardText;
  let offset = 0;
  for (const [name, chars] of TEXT_FIELDS) {
    const raw = bytes.toString('utf16le', offset, offset + chars * 2);
    // Padding is spaces; NULs appear on some cards' reserved tail.
    out[name] = raw.replace(/[ \u0000]+$/u, '');
    offset += chars * 2;
  }
  return out;
}

/** Builds the 256-byte text block (the emulator's side). Throws on a field that does not fit: that is a programming error, not device input. */
export function encodeCardText(fields: Partial<CardText>): Buffer {
  const out = Buffer.alloc(TEXT_BYTES);
  let offset = 0;
  for (const [name, chars] of TEXT_FIELDS) {
    const value = fields[name] ?? '';
    if (value.length > chars) throw new RangeError(`card field ${name} holds at most ${chars} characters, got ${value.length}`);
    out.write(value.padEnd(chars, ' '), offset, chars * 2, 'utf16le');
    offset += chars * 2;
  }
  return out;
}

function sexOf(code: string): IdCardData['sex'] {
  return code === '1' ? 'male' : code === '2' ? 'female' : 'unknown';
}

export function cardFromText(text: CardText, photo: Buffer, fingerprint?: Buffer): IdCardData {
  return {
    name: text.name,
    sexCode: text.sex,
    sex: sexOf(text.sex),
    nationCode: text.nation,
    birthDate: text.birthDate,
    address: text.address,
    idNumber: text.idNumber,
    issuer: text.issuer,
    validFrom: text.validFrom,
    validTo: text.validTo,
    photo,
    ...(fingerprint && fingerprint.length > 0 ? { fingerprint } : {}),
  };
}

/**
 * Decodes the data of a 30 01 reply (after SW1..SW3): text length, photo length (both BE),
 * text, photo. With `withFingerprint` (30 10) a third length and the fingerprint block follow.
 */
export function decodeReadData(data: Uint8Array, withFingerprint = false): CardDecodeResult {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const head = withFingerprint ? 6 : 4;
  if (buf.length < head) return { type: 'short-reply', length: buf.length };
  const textLength = buf.readUInt16BE(0);
  const photoLength = buf.readUInt16BE(2);
  const fingerprintLength = withFingerprint ? buf.readUInt16BE(4) : 0;
  const available = buf.length - head;
  if (textLength < TEXT_BYTES || textLength + photoLength + fingerprintLength > available) {
    return { type: 'bad-lengths', textLength, photoLength, ...(withFingerprint ? { fingerprintLength } : {}), available };
  }
  const text = decodeCardText(buf.subarray(head, head + TEXT_BYTES));
  const photoStart = head + textLength;
  const photo = Buffer.from(buf.subarray(photoStart, photoStart + photoLength));
  const fpStart = photoStart + photoLength;
  const fingerprint = withFingerprint ? Buffer.from(buf.subarray(fpStart, fpStart + fingerprintLength)) : undefined;
  return { type: 'card', card: cardFromText(text, photo, fingerprint) };
}

/** The data of a 30 01 (or 30 10) reply for a card (the emulator's side). */
export function encodeReadData(text: Buffer, photo: Buffer, fingerprint?: Buffer): Buffer {
  const withFp = fingerprint !== undefined;
  const head = Buffer.alloc(withFp ? 6 : 4);
  head.writeUInt16BE(text.length, 0);
  head.writeUInt16BE(photo.length, 2);
  if (withFp) head.writeUInt16BE(fingerprint.length, 4);
  return Buffer.concat([head, text, photo, ...(withFp ? [fingerprint] : [])]);
}

/** The appended-address block of a 30 03 reply: ⚠ 70 bytes of UCS-2 LE (35 characters), space padded. */
export const APPENDED_ADDRESS_BYTES = 70;

export function decodeAppendedAddress(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    .toString('utf16le', 0, Math.min(data.byteLength, APPENDED_ADDRESS_BYTES) & ~1)
    .replace(/[ \u0000]+$/u, '');
}

export function encodeAppendedAddress(address: string): Buffer {
  if (address.length > APPENDED_ADDRESS_BYTES / 2) throw new RangeError('appended address holds at most 35 characters');
  const out = Buffer.alloc(APPENDED_ADDRESS_BYTES);
  out.write(address.padEnd(APPENDED_ADDRESS_BYTES / 2, ' '), 0, APPENDED_ADDRESS_BYTES, 'utf16le');
  return out;
}
