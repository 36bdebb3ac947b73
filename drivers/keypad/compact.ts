/**
 * ⚠ Our compact poll frames (not in the source protocol, which has no polling): a short poll and a short
 * "nothing to report" reply, so that the poll exchange a call may have to wait for on a shared line is
 * 4 + 3 bytes instead of the FF 68 poll's 9 + 10. Pure: no I/O, never throws on bytes.
 *
 *   poll  (host → keypad): S ADDR ~ADDR FF   S = 9C by default (KeypadProtocol.compactPoll)
 *   idle  (keypad → host): R ADDR ~ADDR      R = 9E by default (KeypadProtocol.compactIdle)
 *
 * ~ADDR (ADDR xor FF) checks the address: any bit error in ADDR or its check is seen. FF ends a poll: no
 * address (1–254) and no ~ADDR is FF or 00, so a poll is never hidden by a false one beginning in the
 * bytes before it (an overlap would need ADDR = FF or S = FF). S and R differ, so a USB adapter's echo of
 * our own poll is never taken for the reply; neither compact frame can start an FF 68 frame (S, R ≠ FF,
 * and a poll's FF is its last byte). A keypad with something to report still answers a compact poll with
 * its FF 68 frame.
 */
import type { KeypadProtocol } from './codec.js';

/** Default start bytes: outside printable ASCII and GB2312 (A1–FE), not FF 68 framing, not BX/external-call framing or escapes. */
export const COMPACT_POLL_START = 0x9c;
export const COMPACT_IDLE_START = 0x9e;
/** Last byte of a compact poll (never an address or an address's complement). */
export const COMPACT_POLL_END = 0xff;

/** The default start bytes (codec.ts's defaultKeypadProtocol holds the same). */
const DEFAULT_STARTS = Object.freeze({ compactPoll: COMPACT_POLL_START, compactIdle: COMPACT_IDLE_START });

export type CompactKind = 'poll' | 'idle';

/** Which compact frame a receiver looks for: the keypad side polls, the host side idle replies. */
export interface CompactRule {
  kind: CompactKind;
  start: number;
}

export interface CompactFrame {
  kind: CompactKind;
  address: number;
  /** The frame's bytes. */
  raw: Buffer;
}

export const compactLength = (kind: CompactKind): number => (kind === 'poll' ? 4 : 3);

/** The rule for a keypad (finds compact polls). */
export function compactPolls(p: Pick<KeypadProtocol, 'compactPoll'> = DEFAULT_STARTS): CompactRule {
  return { kind: 'poll', start: p.compactPoll };
}

/** The rule for the host waiting for a compact poll's reply (finds compact idle replies). */
export function compactIdles(p: Pick<KeypadProtocol, 'compactIdle'> = DEFAULT_STARTS): CompactRule {
  return { kind: 'idle', start: p.compactIdle };
}

export function encodeCompactPoll(address: number, p: Pick<KeypadProtocol, 'compactPoll'> = DEFAULT_STARTS): Buffer {
  const a = address & 0xff;
  return Buffer.from([p.compactPoll & 0xff, a, a ^ 0xff, COMPACT_POLL_END]);
}

export function encodeCompactIdle(address: number, p: Pick<KeypadProtocol, 'compactIdle'> = DEFAULT_STARTS): Buffer {
  const a = address & 0xff;
  return Buffer.from([p.compactIdle & 0xff, a, a ^ 0xff]);
}

export type CompactMatch =
  | { kind: 'frame'; frame: CompactFrame }
  /** Start byte, address and (for a poll) end byte right, the check wrong: a damaged frame for `address`. */
  | { kind: 'bad-check'; address: number; bytes: Buffer }
  | { kind: 'incomplete' }
  | { kind: 'none' };

/** Is there a compact frame of `rule` at `buf[i]`? Never throws. */
export function matchCompact(buf: Uint8Array, i: number, rule: CompactRule): CompactMatch {
  if (buf[i] !== rule.start) return { kind: 'none' };
  const n = compactLength(rule.kind);
  if (i + n > buf.length) return { kind: 'incomplete' };
  const address = buf[i + 1] as number;
  const check = buf[i + 2] as number;
  if (rule.kind === 'poll' && buf[i + 3] !== COMPACT_POLL_END) return { kind: 'none' };
  const bytes = Buffer.from(buf.subarray(i, i + n));
  if (check !== (address ^ 0xff)) return { kind: 'bad-check', address, bytes };
  return { kind: 'frame', frame: { kind: rule.kind, address, raw: bytes } };
}

/** Parses one complete compact frame buffer; undefined unless it is exactly one valid frame of `rule`. */
export function parseCompact(raw: Uint8Array, rule: CompactRule): CompactFrame | undefined {
  if (raw.length !== compactLength(rule.kind)) return undefined;
  const m = matchCompact(raw, 0, rule);
  return m.kind === 'frame' ? m.frame : undefined;
}
