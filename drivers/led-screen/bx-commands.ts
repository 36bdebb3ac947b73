/**
 * BX application data (pure): the dynamic-area text command (A3 06) and the controller's reply.
 * Layout as in ../shared/protocols/led-screens.md; the reply format is ⚠ unverified (see README).
 */

export const BX_GROUP_DYNAMIC = 0xa3;
export const BX_CMD_DYNAMIC_TEXT = 0x06;
/** Response flag of A3 06: 01 asks the controller to answer; public clients send 02 for "no answer". */
export const BX_RESPONSE_WANTED = 0x01;
export const BX_RESPONSE_NONE = 0x02;

/** A public BX client's ping (group A2, command 00): the controller answers, what it shows is unchanged. */
export const BX_PING: readonly number[] = [0xa2, 0x00, 0x01, 0x00, 0x00];

export const BX_EFFECT = { static: 0x01, scrollLeft: 0x03 } as const;

/** Controller error codes (the public Onbon SDK's ERR_* table); 0 is no error. */
export const BX_ERR = { none: 0, busy: 3, checksum: 5, fileBlockNumber: 16 } as const;

export interface BxArea {
  /** In the controller's units: X and width in bytes of 8 pixels, Y and height in pixels (high bit set = pixels). */
  x: number;
  y: number;
  width: number;
  height: number;
  areaId: number;
  lineSpacing: number;
  runMode: number;
  timeout: number;
  voice: number;
  /** Bit1..0 horizontal (0 left, 1 right, 2 centre), bit3..2 vertical. */
  alignment: number;
  /** 01 single line, 02 multi line. */
  lines: number;
  /** 01 no wrap, 02 auto-wrap. */
  wrap: number;
  effect: number;
  exitEffect: number;
  speed: number;
  hold: number;
  /** GB2312 bytes, colour codes inline (\C1 red, \C2 green, \C3 yellow). */
  text: Buffer;
}

export interface BxDynamicText {
  type: 'dynamic-text';
  responseFlag: number;
  clear: number;
  areas: BxArea[];
}

export type BxCommand = BxDynamicText | { type: 'other'; group: number; cmd: number; data: Buffer };

/** One area, encoded (the per-area part of A3 06). */
function encodeArea(a: BxArea): Buffer {
  const fixed = Buffer.alloc(27);
  let o = 0;
  fixed[o++] = 0x00; // area type: text
  for (const v of [a.x, a.y, a.width, a.height]) {
    fixed.writeUInt16LE(v & 0xffff, o);
    o += 2;
  }
  fixed[o++] = a.areaId;
  fixed[o++] = a.lineSpacing;
  fixed[o++] = a.runMode;
  fixed.writeUInt16LE(a.timeout & 0xffff, o);
  o += 2;
  fixed[o++] = a.voice;
  fixed[o++] = 0x00; // extension count (we send none)
  fixed[o++] = a.alignment;
  fixed[o++] = a.lines;
  fixed[o++] = a.wrap;
  fixed[o++] = a.effect;
  fixed[o++] = a.exitEffect;
  fixed[o++] = a.speed;
  fixed[o++] = a.hold;
  fixed.writeUInt32LE(a.text.length, o);
  return Buffer.concat([fixed, a.text]);
}

/**
 * A3 06 <response> <clear> 00 <delete count 0> <area count>, then per area <area length LE2> <area>.
 * Public implementations of the BX-5/6 protocol put the length in front of each area; with one
 * area this is the same bytes as one total length, so only multi-area layouts tell the two apart.
 */
export function encodeBxDynamicText(cmd: Omit<BxDynamicText, 'type'>): Buffer {
  const head = Buffer.from([BX_GROUP_DYNAMIC, BX_CMD_DYNAMIC_TEXT, cmd.responseFlag, cmd.clear, 0x00, 0x00, cmd.areas.length]);
  const areas = cmd.areas.map((a) => {
    const body = encodeArea(a);
    const len = Buffer.alloc(2);
    len.writeUInt16LE(body.length, 0);
    return Buffer.concat([len, body]);
  });
  return Buffer.concat([head, ...areas]);
}

/** One area's bytes (without its length prefix); undefined unless they are exactly one text area. */
function decodeArea(data: Buffer): BxArea | undefined {
  if (data.length < 27 || data[0] !== 0x00) return undefined;
  const ext = data[15] as number;
  const p = 16 + ext; // extension bytes are skipped
  if (data.length < p + 11) return undefined;
  const textLen = data.readUInt32LE(p + 7);
  if (data.length !== p + 11 + textLen) return undefined;
  return {
    x: data.readUInt16LE(1),
    y: data.readUInt16LE(3),
    width: data.readUInt16LE(5),
    height: data.readUInt16LE(7),
    areaId: data[9] as number,
    lineSpacing: data[10] as number,
    runMode: data[11] as number,
    timeout: data.readUInt16LE(12),
    voice: data[14] as number,
    alignment: data[p] as number,
    lines: data[p + 1] as number,
    wrap: data[p + 2] as number,
    effect: data[p + 3] as number,
    exitEffect: data[p + 4] as number,
    speed: data[p + 5] as number,
    hold: data[p + 6] as number,
    text: Buffer.from(data.subarray(p + 11)),
  };
}

/** Parse packet data; malformed A3 06 data is returned as undefined, never thrown. */
export function decodeBxCommand(data: Buffer): BxCommand | undefined {
  if (data.length < 2) return undefined;
  const group = data[0] as number;
  const cmd = data[1] as number;
  if (group !== BX_GROUP_DYNAMIC || cmd !== BX_CMD_DYNAMIC_TEXT) return { type: 'other', group, cmd, data: Buffer.from(data.subarray(2)) };
  if (data.length < 7) return undefined;
  const deleteCount = data[5] as number;
  const areaCount = data[6] as number;
  // Delete ids follow the count when it is neither 0 nor FF (all).
  let o = 7 + (deleteCount !== 0 && deleteCount !== 0xff ? deleteCount : 0);
  const areas: BxArea[] = [];
  for (let i = 0; i < areaCount; i++) {
    if (data.length < o + 2) return undefined;
    const len = data.readUInt16LE(o);
    o += 2;
    if (data.length < o + len) return undefined;
    const area = decodeArea(data.subarray(o, o + len));
    if (!area) return undefined;
    areas.push(area);
    o += len;
  }
  if (o !== data.length) return undefined;
  return { type: 'dynamic-text', responseFlag: data[2] as number, clear: data[3] as number, areas };
}

/**
 * ⚠ Reply data (configurable): <group> <ack|nak cmd> <error> 00 00, after the public SDK's response
 * record (command group, command, processing status, reserved 2). Defaults: group A0, ack 00, nak 01.
 */
export interface BxReplyFormat {
  group: number;
  ackCmd: number;
  nakCmd: number;
}

export const DEFAULT_BX_REPLY: BxReplyFormat = { group: 0xa0, ackCmd: 0x00, nakCmd: 0x01 };

export type BxReply = { type: 'ack' } | { type: 'nak'; error: number } | { type: 'unexpected'; data: Buffer };

export function encodeBxReplyData(reply: { type: 'ack' } | { type: 'nak'; error: number }, f: BxReplyFormat = DEFAULT_BX_REPLY): Buffer {
  return reply.type === 'ack' ? Buffer.from([f.group, f.ackCmd, 0, 0, 0]) : Buffer.from([f.group, f.nakCmd, reply.error & 0xff, 0, 0]);
}

export function decodeBxReplyData(data: Buffer, f: BxReplyFormat = DEFAULT_BX_REPLY): BxReply {
  if (data.length < 2 || data[0] !== f.group) return { type: 'unexpected', data };
  const status = data[2] ?? 0;
  if (data[1] === f.ackCmd && status === 0) return { type: 'ack' };
  if (data[1] === f.nakCmd || status !== 0) return { type: 'nak', error: status };
  return { type: 'unexpected', data };
}
