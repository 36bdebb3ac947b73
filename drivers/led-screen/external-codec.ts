/**
 * "External call" protocol framing (pure), cards answering type 0x32 / protocol 0x7B.
 * Wire: A5 | 68 32 <card> 7B <ack flag> <len LE2> <packet no> <last packet> <cmd + data> | <sum LE2> | AE,
 * escaped A5→AA 05, AE→AA 0E, AA→AA 0A; sum = 16-bit sum from 68 to the end of the data.
 */
import { sum16 } from './checksums.js';
import { DelimitedFramer, findDelimitedSpans } from './delimited-framer.js';

export const EXT_START = 0xa5;
export const EXT_END = 0xae;
export const EXT_ESC = 0xaa;
export const EXT_REQUEST = 0x68;
export const EXT_REPLY = 0xe8;
export const EXT_DEVICE_TYPE = 0x32;
export const EXT_PROTOCOL = 0x7b;
export const EXT_GROUP_CARD = 0xff;
/** Bytes from the type byte to the end of <last packet>. */
const HEAD = 9;

export interface ExtFrame {
  /** 0x68 request (also some cards' reply), 0xE8 reply. */
  frameType: number;
  deviceType: number;
  cardId: number;
  protocol: number;
  /** 01: the sender wants a reply; 00: it does not. */
  ackFlag: number;
  packetNo: number;
  /**
   * Index of the last packet (0 for a single packet). The doc says "total packets"; the vendor's Java
   * sends count−1 ("最末包序号"), and so do we. ⚠
   */
  lastPacket: number;
  /** Command byte followed by its data. */
  payload: Buffer;
}

export type ExtFrameError = 'escape' | 'length' | 'checksum' | 'truncated' | 'oversize';
export type ExtFrameEvent = { type: 'frame'; frame: ExtFrame } | { type: 'error'; error: ExtFrameError; raw: Buffer };

export function extRequest(cardId: number, payload: Uint8Array, o: { ackFlag?: number; packetNo?: number; lastPacket?: number } = {}): ExtFrame {
  return {
    frameType: EXT_REQUEST,
    deviceType: EXT_DEVICE_TYPE,
    cardId,
    protocol: EXT_PROTOCOL,
    ackFlag: o.ackFlag ?? (cardId === EXT_GROUP_CARD ? 0 : 1),
    packetNo: o.packetNo ?? 0,
    lastPacket: o.lastPacket ?? 0,
    payload: Buffer.from(payload),
  };
}

export function extEscape(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0xa5) out.push(EXT_ESC, 0x05);
    else if (b === 0xae) out.push(EXT_ESC, 0x0e);
    else if (b === 0xaa) out.push(EXT_ESC, 0x0a);
    else out.push(b);
  }
  return Buffer.from(out);
}

export function extUnescape(bytes: Uint8Array): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b !== EXT_ESC) {
      out.push(b);
      continue;
    }
    const n = bytes[++i];
    if (n === 0x05) out.push(0xa5);
    else if (n === 0x0e) out.push(0xae);
    else if (n === 0x0a) out.push(0xaa);
    else return undefined;
  }
  return Buffer.from(out);
}

/** The checksummed part: type … data. */
export function extContent(f: ExtFrame): Buffer {
  const head = Buffer.from([f.frameType, f.deviceType, f.cardId, f.protocol, f.ackFlag, 0, 0, f.packetNo, f.lastPacket]);
  head.writeUInt16LE(f.payload.length, 5);
  return Buffer.concat([head, f.payload]);
}

/** sumXor spoils the checksum on purpose (the emulator's bad-checksum fault); 0 for a good frame. */
export function encodeExtFrame(f: ExtFrame, sumXor = 0): Buffer {
  const content = extContent(f);
  const sum = Buffer.alloc(2);
  sum.writeUInt16LE((sum16(content) ^ sumXor) & 0xffff, 0);
  return Buffer.concat([Buffer.of(EXT_START), extEscape(Buffer.concat([content, sum])), Buffer.of(EXT_END)]);
}

export function decodeExtBody(body: Uint8Array): ExtFrameEvent {
  const raw = Buffer.from(body);
  const b = extUnescape(body);
  if (!b) return { type: 'error', error: 'escape', raw };
  if (b.length < HEAD + 2) return { type: 'error', error: 'length', raw };
  const len = b.readUInt16LE(5);
  if (b.length !== HEAD + len + 2) return { type: 'error', error: 'length', raw };
  if (b.readUInt16LE(HEAD + len) !== sum16(b.subarray(0, HEAD + len))) return { type: 'error', error: 'checksum', raw };
  return {
    type: 'frame',
    frame: {
      frameType: b[0] as number,
      deviceType: b[1] as number,
      cardId: b[2] as number,
      protocol: b[3] as number,
      ackFlag: b[4] as number,
      packetNo: b[7] as number,
      lastPacket: b[8] as number,
      payload: Buffer.from(b.subarray(HEAD, HEAD + len)),
    },
  };
}

/** Frames from arbitrary chunks (A5 … AE); see DelimitedFramer for how it resynchronises. */
export class ExtFramer extends DelimitedFramer<ExtFrameEvent> {
  constructor() {
    super(EXT_START, EXT_END, decodeExtBody, (error, raw) => ({ type: 'error', error, raw }));
  }
}

export function decodeExtFrames(bytes: Uint8Array): ExtFrameEvent[] {
  return new ExtFramer().push(bytes);
}

/** [start, end) of each complete A5…AE span in a receive buffer, undecoded. */
export function findExtSpans(buf: Uint8Array): Array<{ start: number; end: number }> {
  return findDelimitedSpans(buf, EXT_START, EXT_END, false);
}
