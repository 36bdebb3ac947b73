/**
 * Caller and rating keypads on RS-485 (9600 8N1): frame FF 68 L L 68 ADDR FUNC DATA… CS 16,
 * L = 2 + DATA length, CS = (ADDR + FUNC + DATA) mod 256. Pure: no I/O, never throws on bytes.
 * Facts from JackQChen/QueueSystem CallSystem/frmMain.cs (see README.md); ⚠ marks our extensions.
 */

import { COMPACT_IDLE_START, COMPACT_POLL_START, matchCompact, type CompactFrame, type CompactRule } from './compact.js';

export const FRAME_START = 0xff;
export const FRAME_MARK = 0x68;
export const FRAME_END = 0x16;
/** Digit value that leaves a display position dark. */
export const BLANK_DIGIT = 0x0a;

export const FUNC_SHOW = 0x02;
export const FUNC_BEEP = 0x03;
/** Start rating is FUNC 01 with DATA 0B; key frames and the rating ack also use FUNC 01. */
export const FUNC_KEY = 0x01;
export const FUNC_RATING = 0x11;
export const KEY_RATING_REQUEST = 0x0b;

/**
 * What is not in the source protocol (⚠ our extension, configurable per hall): the key frames' FUNC, the
 * FF 68 poll (host → keypad, no DATA) and its "nothing to report" reply (keypad → host, one DATA byte),
 * and the start bytes of the compact poll and idle reply (compact.ts; they must differ from each other and from FF).
 */
export interface KeypadProtocol {
  /** FUNC of key frames a keypad sends (the source host ignores it; ⚠ 01 by default). */
  keyFunc: number;
  /** ⚠ FUNC of the poll frame FF 68 02 02 68 ADDR pollFunc CS 16. */
  pollFunc: number;
  /** ⚠ FUNC of the idle reply FF 68 03 03 68 ADDR idleFunc idleData CS 16. */
  idleFunc: number;
  idleData: number;
  /** ⚠ Start byte of the compact poll S ADDR ~ADDR FF (compact.ts). */
  compactPoll: number;
  /** ⚠ Start byte of the compact idle reply R ADDR ~ADDR (compact.ts). */
  compactIdle: number;
}

export const defaultKeypadProtocol: Readonly<KeypadProtocol> = Object.freeze({
  keyFunc: FUNC_KEY,
  pollFunc: 0x20,
  idleFunc: 0x20,
  idleData: 0x00,
  compactPoll: COMPACT_POLL_START,
  compactIdle: COMPACT_IDLE_START,
});

/**
 * Which L a receiver accepts. The source says a receiver rejects L ≤ 2, L ≠ L′ and L > 5: that is the
 * host reading keypad frames (keys and ratings carry 1–3 DATA bytes). Host → keypad frames are longer
 * or shorter (beep L = 2, show L = 8), so the keypad side accepts 2..8. L ≠ L′ is rejected on both.
 */
export interface LengthRule {
  min: number;
  max: number;
}
/** For frames a keypad sends (read by the host): 3 ≤ L ≤ 5. Also rejects the host's own echoed commands. */
export const HOST_SIDE: Readonly<LengthRule> = Object.freeze({ min: 3, max: 5 });
/** For frames the host sends (read by a keypad): 2 ≤ L ≤ 8. */
export const KEYPAD_SIDE: Readonly<LengthRule> = Object.freeze({ min: 2, max: 8 });

export interface KeypadFrame {
  address: number;
  func: number;
  data: Buffer;
  checksum: number;
  /** The frame's bytes, FF through 16. */
  raw: Buffer;
}

export type FrameErrorCode = 'length' | 'length-mismatch' | 'bad-mark' | 'bad-end' | 'checksum';

export interface FrameError {
  code: FrameErrorCode;
  /** The bytes examined (for a checksum error, the whole frame). */
  bytes: Buffer;
  /** Set for checksum errors, where the frame is otherwise well formed. */
  address?: number;
}

export type ScanResult =
  /** A well-formed frame with a good checksum; bytes before `start` are garbage. */
  | { kind: 'frame'; frame: KeypadFrame; start: number; consumed: number }
  /** A compact poll or idle reply (compact.ts), when the scan was asked to look for one. */
  | { kind: 'compact'; frame: CompactFrame; start: number; consumed: number }
  /** A header that failed a rule: skip to `consumed` (one byte past its FF) and look again. */
  | { kind: 'error'; error: FrameError; start: number; consumed: number }
  /** No complete frame yet: the first `garbage` bytes can be dropped, the rest may start a frame. */
  | { kind: 'incomplete'; garbage: number };

export function checksum(address: number, func: number, data: Uint8Array): number {
  let sum = address + func;
  for (const b of data) sum += b;
  return sum & 0xff;
}

/** The first index ≥ from holding FF or the compact rule's start byte; -1 if none. */
function nextStart(buf: Uint8Array, from: number, compact: CompactRule | undefined): number {
  if (!compact) return buf.indexOf(FRAME_START, from);
  for (let i = from; i < buf.length; i++) if (buf[i] === FRAME_START || buf[i] === compact.start) return i;
  return -1;
}

/**
 * Whether a whole compact frame of `compact` starts after `i`. An FF 68 frame still incomplete at `i` then
 * gives way to it: a frame cut off on the line (its rest never comes) would otherwise hide the 3- or 4-byte
 * compact frame behind it until more bytes arrive, where a 9- or 10-byte FF 68 frame completes the cut one
 * and the scan resyncs. A compact frame cannot sit inside a real FF 68 frame of the source protocol: its
 * address and check sum to FF, and only a frame's address or checksum byte can be ≥ 0x80.
 */
function wholeCompactAfter(buf: Uint8Array, i: number, compact: CompactRule | undefined): boolean {
  if (!compact) return false;
  for (let k = buf.indexOf(compact.start, i + 1); k >= 0; k = buf.indexOf(compact.start, k + 1)) if (matchCompact(buf, k, compact).kind === 'frame') return true;
  return false;
}

/**
 * Finds the first frame or framing error in `buf`: FF 68 frames, and with `compact` also that kind of
 * compact frame (the keypad side: compact polls; the host side, waiting for a compact poll's reply: compact
 * idle replies). A compact frame whose check is wrong is an error 'checksum' with its address. Never throws.
 */
export function scanFrame(buf: Uint8Array, rule: LengthRule, compact?: CompactRule): ScanResult {
  let i = 0;
  for (;;) {
    i = nextStart(buf, i, compact);
    if (i < 0) return { kind: 'incomplete', garbage: buf.length };
    if (compact && buf[i] === compact.start) {
      const m = matchCompact(buf, i, compact);
      if (m.kind === 'incomplete') return { kind: 'incomplete', garbage: i };
      if (m.kind === 'frame') return { kind: 'compact', frame: m.frame, start: i, consumed: i + m.frame.raw.length };
      if (m.kind === 'bad-check') return { kind: 'error', error: { code: 'checksum', bytes: m.bytes, address: m.address }, start: i, consumed: i + 1 };
      i += 1;
      continue;
    }
    if (i + 1 >= buf.length) return { kind: 'incomplete', garbage: i };
    if (buf[i + 1] !== FRAME_MARK) {
      i += 1;
      continue;
    }
    if (i + 5 > buf.length) {
      if (!wholeCompactAfter(buf, i, compact)) return { kind: 'incomplete', garbage: i };
      i += 1;
      continue;
    }
    const l = buf[i + 2] as number;
    const l2 = buf[i + 3] as number;
    const fail = (code: FrameErrorCode, len: number, address?: number): ScanResult => ({
      kind: 'error',
      error: { code, bytes: Buffer.from(buf.subarray(i, Math.min(buf.length, i + len))), ...(address === undefined ? {} : { address }) },
      start: i,
      consumed: i + 1,
    });
    if (l !== l2) return fail('length-mismatch', 5);
    if (l < rule.min || l > rule.max) return fail('length', 5);
    if (buf[i + 4] !== FRAME_MARK) return fail('bad-mark', 5);
    const total = l + 7;
    if (i + total > buf.length) {
      if (!wholeCompactAfter(buf, i, compact)) return { kind: 'incomplete', garbage: i };
      i += 1;
      continue;
    }
    if (buf[i + total - 1] !== FRAME_END) return fail('bad-end', total);
    const address = buf[i + 5] as number;
    const func = buf[i + 6] as number;
    const data = Buffer.from(buf.subarray(i + 7, i + 5 + l));
    const cs = buf[i + 5 + l] as number;
    if (checksum(address, func, data) !== cs) return fail('checksum', total, address);
    return { kind: 'frame', frame: { address, func, data, checksum: cs, raw: Buffer.from(buf.subarray(i, i + total)) }, start: i, consumed: i + total };
  }
}

export type FramerOutput = { type: 'frame'; frame: KeypadFrame } | { type: 'compact'; frame: CompactFrame } | { type: 'error'; error: FrameError };

/** Stateful framer over arbitrary chunks (FF 68 frames, and with `compact` that kind of compact frame); resynchronises on garbage; errors are values. */
export class KeypadFramer {
  private buf: Buffer = Buffer.alloc(0);
  constructor(
    private readonly rule: LengthRule,
    private readonly compact?: CompactRule,
  ) {}

  push(chunk: Uint8Array): FramerOutput[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: FramerOutput[] = [];
    for (;;) {
      const r = scanFrame(this.buf, this.rule, this.compact);
      if (r.kind === 'incomplete') {
        this.buf = this.buf.subarray(r.garbage);
        return out;
      }
      out.push(r.kind === 'frame' ? { type: 'frame', frame: r.frame } : r.kind === 'compact' ? { type: 'compact', frame: r.frame } : { type: 'error', error: r.error });
      this.buf = this.buf.subarray(r.consumed);
    }
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}

// ---------------------------------------------------------------- encoders

export function encodeFrame(address: number, func: number, data: Uint8Array = new Uint8Array()): Buffer {
  const l = data.length + 2;
  return Buffer.from([FRAME_START, FRAME_MARK, l, l, FRAME_MARK, address & 0xff, func & 0xff, ...data, checksum(address & 0xff, func & 0xff, data), FRAME_END]);
}

/** Three display digits: the last three decimal digits of `text`, right-aligned, blanks where absent. */
function threeDigits(text: string | undefined): number[] {
  const digits = (text ?? '').replace(/\D/g, '').slice(-3);
  const out = [BLANK_DIGIT, BLANK_DIGIT, BLANK_DIGIT];
  for (let k = 0; k < digits.length; k++) out[3 - digits.length + k] = digits.charCodeAt(k) - 0x30;
  return out;
}

/**
 * Show the waiting count (left three digits, 000–999, capped as the source does) and the ticket's
 * last three digits (right three). Either may be left blank.
 */
export function encodeShow(address: number, waiting?: number, ticket?: string): Buffer {
  const w = waiting === undefined ? threeDigits(undefined) : threeDigits(String(Math.min(999, Math.max(0, Math.floor(waiting)))).padStart(3, '0'));
  return encodeFrame(address, FUNC_SHOW, Uint8Array.from([...w, ...threeDigits(ticket)]));
}

export function encodeBeep(address: number): Buffer {
  return encodeFrame(address, FUNC_BEEP);
}

export function encodeStartRating(address: number): Buffer {
  return encodeFrame(address, FUNC_KEY, Uint8Array.of(KEY_RATING_REQUEST));
}

/** The host's acknowledgement: an echo; a rating frame (FUNC 11) is echoed with FUNC 01 (so CS − 0x10). */
export function encodeAck(frame: KeypadFrame): Buffer {
  return frame.func === FUNC_RATING ? encodeFrame(frame.address, FUNC_KEY, frame.data) : Buffer.from(frame.raw);
}

/** ⚠ The FF 68 poll (`keypadPolling.frames: ff68`); the default is the compact poll (compact.ts). */
export function encodePoll(address: number, p: KeypadProtocol = defaultKeypadProtocol): Buffer {
  return encodeFrame(address, p.pollFunc);
}

export function encodeIdle(address: number, p: KeypadProtocol = defaultKeypadProtocol): Buffer {
  return encodeFrame(address, p.idleFunc, Uint8Array.of(p.idleData));
}

// ---------------------------------------------------------------- keys

/** Key codes: the last DATA byte of a key frame. */
export const KEY_CODES = {
  call: 0x0c,
  recall: 0x0d,
  'rating-request': 0x0b,
  pause: 0x12,
  transfer: 0x13,
  'one-metre-line': 0x11,
  cancel: 0x0e,
} as const;
export const KEY_ENTER = 0x0f;
/** Digit + enter in a 2-byte DATA. */
export const ENTER_DIGIT_KEYS = { 'no-show': 0x06, suspend: 0x00, 'call-back': 0x03 } as const;

export type SimpleKey = keyof typeof KEY_CODES;
export type EnterKey = keyof typeof ENTER_DIGIT_KEYS;
export type KeyName = SimpleKey | EnterKey;

export function encodeKey(address: number, key: KeyName, p: KeypadProtocol = defaultKeypadProtocol): Buffer {
  if (key in ENTER_DIGIT_KEYS) return encodeFrame(address, p.keyFunc, Uint8Array.of(ENTER_DIGIT_KEYS[key as EnterKey], KEY_ENTER));
  return encodeFrame(address, p.keyFunc, Uint8Array.of(KEY_CODES[key as SimpleKey]));
}

/** ⚠ Our login extension: each digit key is one frame with DATA [digit]; enter alone is DATA [0F]. */
export function encodeDigit(address: number, digit: number, p: KeypadProtocol = defaultKeypadProtocol): Buffer {
  return encodeFrame(address, p.keyFunc, Uint8Array.of(digit));
}
export function encodeEnter(address: number, digit?: number, p: KeypadProtocol = defaultKeypadProtocol): Buffer {
  return encodeFrame(address, p.keyFunc, digit === undefined ? Uint8Array.of(KEY_ENTER) : Uint8Array.of(digit, KEY_ENTER));
}

export function encodeRating(address: number, raw: number): Buffer {
  return encodeFrame(address, FUNC_RATING, Uint8Array.of(raw));
}

// ---------------------------------------------------------------- decoding keypad → host

export type KeypadMessage =
  | { type: 'key'; address: number; key: KeyName }
  /** Enter with a digit that names no function (part of a login, or unused). */
  | { type: 'enter'; address: number; digit?: number }
  | { type: 'digit'; address: number; digit: number }
  | { type: 'rating'; address: number; raw: number }
  | { type: 'idle'; address: number }
  | { type: 'unknown'; address: number; func: number; data: Buffer };

const SIMPLE_BY_CODE = new Map<number, SimpleKey>(Object.entries(KEY_CODES).map(([k, v]) => [v, k as SimpleKey]));
const ENTER_BY_DIGIT = new Map<number, EnterKey>(Object.entries(ENTER_DIGIT_KEYS).map(([k, v]) => [v, k as EnterKey]));

/** What a (checksum-valid) keypad frame means. As in the source host, keys are read from the last DATA byte whatever FUNC says. */
export function decodeKeypadFrame(f: KeypadFrame, p: KeypadProtocol = defaultKeypadProtocol): KeypadMessage {
  const { address, func, data } = f;
  if (func === FUNC_RATING && data.length >= 1) return { type: 'rating', address, raw: data[0] as number };
  if (func === p.idleFunc && data.length === 1 && data[0] === p.idleData) return { type: 'idle', address };
  const last = data[data.length - 1];
  if (last === undefined) return { type: 'unknown', address, func, data };
  if (last === KEY_ENTER) {
    if (data.length === 1) return { type: 'enter', address };
    if (data.length === 2) {
      const digit = data[0] as number;
      const key = ENTER_BY_DIGIT.get(digit);
      return key ? { type: 'key', address, key } : { type: 'enter', address, digit };
    }
    return { type: 'unknown', address, func, data };
  }
  const simple = SIMPLE_BY_CODE.get(last);
  if (simple) return { type: 'key', address, key: simple };
  if (data.length === 1 && last <= 9) return { type: 'digit', address, digit: last };
  return { type: 'unknown', address, func, data };
}

/**
 * A ReplyFramer-compatible scan for one keypad's reply to a poll: an FF 68 frame, and with `compact`
 * (compactIdles(): the poll was a compact one) also a compact idle reply. Other addresses and malformed
 * frames are skipped; the host's own poll echoed by an adapter is never a reply (compact.ts).
 */
export function keypadReplyFramer(address: number, compact?: CompactRule): (received: Buffer) => { frame: Buffer; consumed: number } | undefined {
  return (received) => {
    let offset = 0;
    for (;;) {
      const r = scanFrame(received.subarray(offset), HOST_SIDE, compact);
      if (r.kind === 'incomplete') return undefined;
      if (r.kind === 'frame' && r.frame.address === address) return { frame: r.frame.raw, consumed: offset + r.consumed };
      if (r.kind === 'compact' && r.frame.address === address) return { frame: r.frame.raw, consumed: offset + r.consumed };
      // A well-formed frame for us with a bad checksum is handed over so the check can reject it as DEVICE_CHECKSUM.
      if (r.kind === 'error' && r.error.code === 'checksum' && r.error.address === address) return { frame: r.error.bytes, consumed: offset + r.start + r.error.bytes.length };
      // Another address's compact frame: only its start byte is skipped, so a false one (3 bytes with no end
      // byte can be forged by stray bytes) never swallows the start of the real reply after it.
      offset += r.kind === 'compact' ? r.start + 1 : r.consumed;
    }
  };
}

/** A framed reply to a poll, as the bus hands it over: one FF 68 frame, one compact idle reply (with `compact`), or neither (damaged). */
export function pollReplyKind(raw: Uint8Array, compact?: CompactRule): 'ff68' | 'compact' | undefined {
  const r = scanFrame(raw, HOST_SIDE, compact);
  if ((r.kind !== 'frame' && r.kind !== 'compact') || r.start !== 0 || r.consumed !== raw.length) return undefined;
  return r.kind === 'frame' ? 'ff68' : 'compact';
}

/**
 * The address a framer output polls, if it is a poll: an FF 68 poll (FUNC pollFunc, no DATA) or a compact
 * one (the framer was given compactPolls()). For emulators and taps on the device side.
 */
export function polledAddress(out: FramerOutput, p: KeypadProtocol = defaultKeypadProtocol): { address: number; frames: 'compact' | 'ff68' } | undefined {
  if (out.type === 'compact') return out.frame.kind === 'poll' ? { address: out.frame.address, frames: 'compact' } : undefined;
  if (out.type === 'frame' && out.frame.func === p.pollFunc && out.frame.data.length === 0) return { address: out.frame.address, frames: 'ff68' };
  return undefined;
}

/** Parses one complete frame buffer (as handed over by the bus); undefined unless it is exactly one valid frame. */
export function parseFrame(raw: Uint8Array, rule: LengthRule): KeypadFrame | undefined {
  const r = scanFrame(raw, rule);
  return r.kind === 'frame' && r.start === 0 && r.consumed === raw.length ? r.frame : undefined;
}
