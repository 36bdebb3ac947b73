/**
 * GA 467 SAM frames: encode requests and replies, and a framer that turns arbitrary chunks
 * back into typed messages. Pure: no I/O, and the framer never throws on bytes.
 *
 * Request:  AA AA AA 96 69 | LEN(2, BE) | CMD PARA [DATA] | CHK
 * Reply:    AA AA AA 96 69 | LEN(2, BE) | SW1 SW2 SW3 [DATA] | CHK
 * LEN counts everything after itself, CHK included; CHK = XOR of every byte after the preamble.
 */

export const PREAMBLE: Readonly<Uint8Array> = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
/** Preamble + LEN. */
export const HEADER_SIZE = 7;

export const SAM_COMMANDS = {
  reset: { cmd: 0x10, para: 0xff },
  status: { cmd: 0x11, para: 0xff },
  readSamId: { cmd: 0x12, para: 0xff },
  findCard: { cmd: 0x20, para: 0x01 },
  selectCard: { cmd: 0x20, para: 0x02 },
  readText: { cmd: 0x30, para: 0x01 },
  readAppendedAddress: { cmd: 0x30, para: 0x03 },
  readWithFingerprint: { cmd: 0x30, para: 0x10 },
} as const satisfies Record<string, { cmd: number; para: number }>;

export type SamCommandName = keyof typeof SAM_COMMANDS;

/** CMD 60 PARA 00..04. */
export const BAUD_RATES = [115200, 57600, 38400, 19200, 9600] as const;
export type SamBaudRate = (typeof BAUD_RATES)[number];
export const BAUD_COMMAND = 0x60;

/** SW3, the reader's own status byte. */
export const SW3 = {
  ok: 0x90,
  cardFound: 0x9f,
  findFailed: 0x80,
  selectFailed: 0x81,
  readFailed: 0x41,
  checksumError: 0x10,
  lengthError: 0x11,
  badCommand: 0x21,
  unknownError: 0x24,
  cardAuthFailed: 0x31,
  samAuthFailed: 0x32,
  verifyFailed: 0x33,
  wrongCard: 0x40,
  randomFailed: 0x47,
  selfTestFailed: 0x60,
  notAuthorised: 0x66,
  noContent: 0x91,
} as const;

export type SamStatusName =
  | 'ok'
  | 'card-found'
  | 'find-failed'
  | 'select-failed'
  | 'read-failed'
  | 'checksum-error'
  | 'length-error'
  | 'bad-command'
  | 'unknown-error'
  | 'auth-failed'
  | 'wrong-card'
  | 'random-number-error'
  | 'self-test-failed'
  | 'not-authorised'
  | 'no-content'
  | 'unrecognised';

export function statusName(sw3: number): SamStatusName {
  switch (sw3) {
    case 0x90: return 'ok';
    case 0x9f: return 'card-found';
    case 0x80: return 'find-failed';
    case 0x81: return 'select-failed';
    case 0x41: return 'read-failed';
    case 0x10: return 'checksum-error';
    case 0x11: return 'length-error';
    case 0x21: return 'bad-command';
    case 0x24: return 'unknown-error';
    case 0x31:
    case 0x32:
    case 0x33: return 'auth-failed';
    case 0x40: return 'wrong-card';
    case 0x47: return 'random-number-error';
    case 0x60: return 'self-test-failed';
    case 0x66: return 'not-authorised';
    // ⚠ 91 is listed in published notes with its meaning cut off; readers use it for "no appended address".
    case 0x91: return 'no-content';
    default: return 'unrecognised';
  }
}

export interface SamReply {
  type: 'reply';
  sw1: number;
  sw2: number;
  sw3: number;
  status: SamStatusName;
  data: Buffer;
}

export interface SamRequest {
  type: 'request';
  cmd: number;
  para: number;
  data: Buffer;
}

/** A complete frame whose CHK did not match; `length` is the whole frame's size. */
export interface SamBadChecksum {
  type: 'bad-checksum';
  expected: number;
  actual: number;
  length: number;
}

/** A preamble followed by a LEN that no frame can have. */
export interface SamBadLength {
  type: 'bad-length';
  length: number;
}

export type SamFrameError = SamBadChecksum | SamBadLength;

function xor(bytes: Uint8Array, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return x;
}

/** Builds one frame around a body (CMD PARA DATA or SW1 SW2 SW3 DATA). */
export function encodeFrame(body: Uint8Array): Buffer {
  const len = body.length + 1;
  const out = Buffer.alloc(HEADER_SIZE + len);
  out.set(PREAMBLE, 0);
  out.writeUInt16BE(len, 5);
  out.set(body, HEADER_SIZE);
  out[out.length - 1] = xor(out, 5, out.length - 1);
  return out;
}

export function encodeRequest(cmd: number, para: number, data: Uint8Array = new Uint8Array(0)): Buffer {
  return encodeFrame(Buffer.concat([Uint8Array.of(cmd & 0xff, para & 0xff), data]));
}

export function encodeCommand(name: SamCommandName): Buffer {
  const c = SAM_COMMANDS[name];
  return encodeRequest(c.cmd, c.para);
}

/** CMD 60 with PARA 00..04 for 115200/57600/38400/19200/9600. */
export function encodeBaudSwitch(rate: SamBaudRate): Buffer {
  return encodeRequest(BAUD_COMMAND, BAUD_RATES.indexOf(rate));
}

export function baudRateOfPara(para: number): SamBaudRate | undefined {
  return BAUD_RATES[para];
}

export function encodeReply(sw3: number, data: Uint8Array = new Uint8Array(0), sw1 = 0, sw2 = 0): Buffer {
  return encodeFrame(Buffer.concat([Uint8Array.of(sw1 & 0xff, sw2 & 0xff, sw3 & 0xff), data]));
}

export interface FramerOptions {
  /** Largest LEN accepted; a bigger one is garbage that happens to follow a preamble. */
  maxLength?: number;
}

/** 30 10 replies are the largest: SW 3 + lengths 6 + text 256 + photo 1024 + fingerprint 1024 + CHK. */
const DEFAULT_MAX_LENGTH = 4096;

type Direction = 'reply' | 'request';
type Message<D extends Direction> = D extends 'reply' ? SamReply : SamRequest;

/**
 * Reassembles frames from arbitrary chunks. Direction 'reply' is the host's view (reader → host);
 * 'request' is the emulator's view. After a bad frame it skips one byte and searches for the next
 * preamble, so a false preamble in noise cannot swallow the real frame behind it.
 */
export class SamFramer<D extends Direction = 'reply'> {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly minLength: number;
  private readonly maxLength: number;

  constructor(
    readonly direction: D,
    options: FramerOptions = {},
  ) {
    // The shortest body: CMD PARA, or SW1 SW2 SW3; plus CHK.
    this.minLength = direction === 'reply' ? 4 : 3;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  push(chunk: Uint8Array): Array<Message<D> | SamFrameError> {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const out: Array<Message<D> | SamFrameError> = [];
    for (;;) {
      const start = this.buffer.indexOf(PREAMBLE);
      if (start < 0) {
        // Keep a tail that may be the start of a preamble split across chunks.
        this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - (PREAMBLE.length - 1)));
        break;
      }
      if (start > 0) this.buffer = this.buffer.subarray(start);
      if (this.buffer.length < HEADER_SIZE) break;
      const len = this.buffer.readUInt16BE(5);
      if (len < this.minLength || len > this.maxLength) {
        out.push({ type: 'bad-length', length: len });
        this.buffer = this.buffer.subarray(1);
        continue;
      }
      const total = HEADER_SIZE + len;
      if (this.buffer.length < total) break;
      const frame = this.buffer.subarray(0, total);
      const expected = xor(frame, 5, total - 1);
      const actual = frame[total - 1] ?? 0;
      if (expected !== actual) {
        out.push({ type: 'bad-checksum', expected, actual, length: total });
        this.buffer = this.buffer.subarray(1);
        continue;
      }
      out.push(this.message(frame));
      this.buffer = this.buffer.subarray(total);
    }
    // Do not pin a large chunk in memory through a small view.
    if (this.buffer.byteOffset > 0) this.buffer = Buffer.from(this.buffer);
    return out;
  }

  private message(frame: Buffer): Message<D> {
    const body = frame.subarray(HEADER_SIZE, frame.length - 1);
    if (this.direction === 'reply') {
      const sw3 = body[2] ?? 0;
      const reply: SamReply = { type: 'reply', sw1: body[0] ?? 0, sw2: body[1] ?? 0, sw3, status: statusName(sw3), data: Buffer.from(body.subarray(3)) };
      return reply as Message<D>;
    }
    const request: SamRequest = { type: 'request', cmd: body[0] ?? 0, para: body[1] ?? 0, data: Buffer.from(body.subarray(2)) };
    return request as Message<D>;
  }
}
