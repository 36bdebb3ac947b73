/**
 * Onbon BX-5 / BX-6 framing (pure). Wire: A5 ×8 | escaped PHY1 | 5A.
 * PHY1: dst LE2 · src LE2 · reserved 3 · option · checksum mode · display mode · device type ·
 * protocol version · data length LE2 · data · CRC-16/ARC LE2 (over PHY1 before escaping).
 */
import { crc16Arc } from './checksums.js';
import { DelimitedFramer, findDelimitedSpans } from './delimited-framer.js';

export const BX_START = 0xa5;
export const BX_END = 0x5a;
export const BX_PREAMBLE = 8;
/** Sender address the host uses (the doc's "source 00 80"), and where screens send replies. */
export const BX_HOST_ADDRESS = 0x8000;
export const BX_BROADCAST = 0xffff;
export const BX_DEVICE_GENERIC = 0xfe;
/** PHY1 header bytes before the data. */
const HEADER = 14;
/** Longest escaped body accepted before the framer gives up on a frame (guards memory on garbage). */

export interface BxPacket {
  dst: number;
  src: number;
  option: number;
  /** 0 = CRC16 (the only mode hallq sends). */
  checksumMode: number;
  displayMode: number;
  deviceType: number;
  protocolVersion: number;
  data: Buffer;
}

export type BxFrameError = 'escape' | 'length' | 'crc' | 'truncated' | 'oversize';

/** What the framer yields: packets, or errors as values (never thrown). */
export type BxFrameEvent = { type: 'packet'; packet: BxPacket } | { type: 'error'; error: BxFrameError; raw: Buffer };

export function bxPacket(dst: number, data: Uint8Array, overrides: Partial<Omit<BxPacket, 'dst' | 'data'>> = {}): BxPacket {
  return {
    dst,
    src: BX_HOST_ADDRESS,
    option: 0,
    checksumMode: 0,
    displayMode: 0,
    deviceType: BX_DEVICE_GENERIC,
    protocolVersion: 0x02,
    ...overrides,
    data: Buffer.from(data),
  };
}

/** PHY1 without the CRC. */
export function bxPhy1(p: BxPacket): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt16LE(p.dst & 0xffff, 0);
  head.writeUInt16LE(p.src & 0xffff, 2);
  // bytes 4..6 reserved, zero
  head[7] = p.option;
  head[8] = p.checksumMode;
  head[9] = p.displayMode;
  head[10] = p.deviceType;
  head[11] = p.protocolVersion;
  head.writeUInt16LE(p.data.length, 12);
  return Buffer.concat([head, p.data]);
}

export function bxEscape(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0xa5) out.push(0xa6, 0x02);
    else if (b === 0xa6) out.push(0xa6, 0x01);
    else if (b === 0x5a) out.push(0x5b, 0x02);
    else if (b === 0x5b) out.push(0x5b, 0x01);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** Undo the escaping; undefined on an invalid escape pair. */
export function bxUnescape(bytes: Uint8Array): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0xa6 || b === 0x5b) {
      const n = bytes[i + 1];
      i++;
      if (n === 0x01) out.push(b);
      else if (n === 0x02) out.push(b === 0xa6 ? 0xa5 : 0x5a);
      else return undefined;
    } else out.push(b);
  }
  return Buffer.from(out);
}

/** crcXor spoils the CRC on purpose (the emulator's bad-checksum fault); 0 for a good frame. */
export function encodeBxFrame(p: BxPacket, crcXor = 0): Buffer {
  const phy = bxPhy1(p);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE((crc16Arc(phy) ^ crcXor) & 0xffff, 0);
  return Buffer.concat([Buffer.alloc(BX_PREAMBLE, BX_START), bxEscape(Buffer.concat([phy, crc])), Buffer.of(BX_END)]);
}

/** Decode one escaped body (what lies between the A5 run and 5A). */
export function decodeBxBody(body: Uint8Array): BxFrameEvent {
  const raw = Buffer.from(body);
  const phy = bxUnescape(body);
  if (!phy) return { type: 'error', error: 'escape', raw };
  if (phy.length < HEADER + 2) return { type: 'error', error: 'length', raw };
  const len = phy.readUInt16LE(12);
  if (phy.length !== HEADER + len + 2) return { type: 'error', error: 'length', raw };
  const crc = phy.readUInt16LE(HEADER + len);
  if (crc !== crc16Arc(phy.subarray(0, HEADER + len))) return { type: 'error', error: 'crc', raw };
  return {
    type: 'packet',
    packet: {
      dst: phy.readUInt16LE(0),
      src: phy.readUInt16LE(2),
      option: phy[7] as number,
      checksumMode: phy[8] as number,
      displayMode: phy[9] as number,
      deviceType: phy[10] as number,
      protocolVersion: phy[11] as number,
      data: Buffer.from(phy.subarray(HEADER, HEADER + len)),
    },
  };
}

/** Finds frames in arbitrary chunks (A5 ×n … 5A); see DelimitedFramer for how it resynchronises. */
export class BxFramer extends DelimitedFramer<BxFrameEvent> {
  constructor() {
    super(BX_START, BX_END, decodeBxBody, (error, raw) => ({ type: 'error', error, raw }));
  }
}

/** Every event in one buffer (a fresh framer). */
export function decodeBxFrames(bytes: Uint8Array): BxFrameEvent[] {
  return new BxFramer().push(bytes);
}

/** [start, end) of each complete A5…5A span (its preamble included), undecoded. */
export function findBxSpans(buf: Uint8Array): Array<{ start: number; end: number }> {
  return findDelimitedSpans(buf, BX_START, BX_END, true);
}

/** The escaped body of a raw frame (A5 run and 5A stripped). */
export function bxBodyOf(raw: Uint8Array): Buffer {
  let s = 0;
  while (s < raw.length && raw[s] === BX_START) s++;
  const e = raw[raw.length - 1] === BX_END ? raw.length - 1 : raw.length;
  return Buffer.from(raw.subarray(s, e));
}
