/**
 * External-call application data (pure): the 0x85 "send text" command as the vendor's Java
 * (PackDataUtils.pack0X85) lays it out, and the reply's return code.
 */

import type { ScreenColour } from './layout.js';

export const EXT_CMD_TEXT = 0x85;
/** Return codes of the reply. */
export const EXT_RC = { ok: 0x00, checksum: 0x01, sequence: 0x02 } as const;

/** ⚠ Colour and effect codes are not in the documents we have; these defaults are configurable. */
export const DEFAULT_EXT_COLOURS: Record<ScreenColour, number> = { red: 0x01, green: 0x02, yellow: 0x03 };
export const DEFAULT_EXT_EFFECTS = { static: 0x00, scrollLeft: 0x03 } as const;

/** Attribute bits: 0..3 text type (0 plain), 4 explicit display format follows, 5 play at once. */
const ATTR_FORMAT = 0x10;
const ATTR_NOW = 0x20;

export interface ExtTextFormat {
  /** Hold seconds, or for scrolling effects the repeat count (0 = once). Big-endian on the wire. */
  hold: number;
  /** Smaller is faster. */
  speed: number;
  /** Bits 0..3 font size code, 4..6 font type. */
  font: number;
  /** ⚠ colour code (configurable; defaults 1 red, 2 green, 3 yellow). */
  colour: number;
  /** ⚠ effect code (configurable). */
  effect: number;
  /** Bits 0..1 horizontal (0 left, 1 centre, 2 right), 2..3 vertical, 4..7 line spacing. */
  align: number;
}

export interface ExtText {
  type: 'text';
  userCode: number;
  program: number;
  window: number;
  playNow: boolean;
  format: ExtTextFormat | undefined;
  /** GB2312 bytes without the terminating 00. */
  text: Buffer;
}

export type ExtCommand = ExtText | { type: 'other'; cmd: number; data: Buffer };

export function encodeExtText(t: Omit<ExtText, 'type'>): Buffer {
  const head = Buffer.alloc(8);
  head[0] = EXT_CMD_TEXT;
  head.writeUInt32BE(t.userCode >>> 0, 1);
  head[5] = t.program;
  head[6] = t.window;
  head[7] = (t.format ? ATTR_FORMAT : 0) | (t.playNow ? ATTR_NOW : 0);
  const parts: Buffer[] = [head];
  if (t.format) {
    const f = t.format;
    const fmt = Buffer.from([0, 0, f.speed, f.font, f.colour, f.effect, f.align, 0]);
    fmt.writeUInt16BE(f.hold & 0xffff, 0);
    parts.push(fmt);
  }
  parts.push(t.text, Buffer.of(0));
  return Buffer.concat(parts);
}

export function decodeExtCommand(payload: Buffer): ExtCommand | undefined {
  if (payload.length < 1) return undefined;
  const cmd = payload[0] as number;
  if (cmd !== EXT_CMD_TEXT) return { type: 'other', cmd, data: Buffer.from(payload.subarray(1)) };
  if (payload.length < 9) return undefined;
  const attr = payload[7] as number;
  let o = 8;
  let format: ExtTextFormat | undefined;
  if (attr & ATTR_FORMAT) {
    if (payload.length < o + 8 + 1) return undefined;
    format = {
      hold: payload.readUInt16BE(o),
      speed: payload[o + 2] as number,
      font: payload[o + 3] as number,
      colour: payload[o + 4] as number,
      effect: payload[o + 5] as number,
      align: payload[o + 6] as number,
    };
    o += 8;
  }
  const end = payload.indexOf(0, o);
  if (end < 0) return undefined;
  return {
    type: 'text',
    userCode: payload.readUInt32BE(1),
    program: payload[5] as number,
    window: payload[6] as number,
    playNow: (attr & ATTR_NOW) !== 0,
    format,
    text: Buffer.from(payload.subarray(o, end)),
  };
}

/** ⚠ Reply payload: <command echoed> <return code>. */
export function encodeExtReplyPayload(cmd: number, returnCode: number): Buffer {
  return Buffer.from([cmd, returnCode]);
}

export type ExtReply = { type: 'ok' } | { type: 'error'; returnCode: number } | { type: 'unexpected'; payload: Buffer };

export function decodeExtReplyPayload(payload: Buffer): ExtReply {
  const rc = payload.length >= 2 ? payload[1] : payload[0];
  if (rc === undefined) return { type: 'unexpected', payload };
  return rc === EXT_RC.ok ? { type: 'ok' } : { type: 'error', returnCode: rc };
}
