import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BX_EFFECT, BX_ERR, decodeBxCommand, decodeBxReplyData, encodeBxDynamicText, encodeBxReplyData } from '../../../drivers/led-screen/bx-commands.js';
import { BxFramer, bxEscape, bxPacket, bxUnescape, decodeBxFrames, encodeBxFrame, type BxPacket } from '../../../drivers/led-screen/bx-codec.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import { AREA_SEPARATOR, BxScreenEmulator } from '../../../drivers/led-screen/bx-emulator.js';
import { crc16Arc } from '../../../drivers/led-screen/checksums.js';
import { layoutScreen } from '../../../drivers/led-screen/layout.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const PRE = 'a5a5a5a5a5a5a5a5';

describe('CRC-16/ARC', () => {
  it('has the catalogue check value 0xBB3D for "123456789"', () => {
    expect(crc16Arc(Buffer.from('123456789', 'ascii'))).toBe(0xbb3d);
  });
  it('reproduces the CRC of frames published by a public BX client (ping 68 F8, clear 51 F8)', () => {
    expect(crc16Arc(h('0100 0080 000000 00 00 00 fe 02 0500 a200010000'))).toBe(0xf868);
    expect(crc16Arc(h('0100 0080 000000 00 00 00 fe 02 0500 a310010000'))).toBe(0xf851);
  });
});

describe('BX escaping', () => {
  it('maps each special byte to its documented pair', () => {
    expect(bxEscape(h('a5'))).toEqual(h('a602'));
    expect(bxEscape(h('a6'))).toEqual(h('a601'));
    expect(bxEscape(h('5a'))).toEqual(h('5b02'));
    expect(bxEscape(h('5b'))).toEqual(h('5b01'));
    expect(bxEscape(h('00a55a11'))).toEqual(h('00a6025b0211'));
  });
  it('rejects an invalid escape pair as a value', () => {
    expect(bxUnescape(h('a603'))).toBeUndefined();
    expect(bxUnescape(h('5b'))).toBeUndefined();
  });
  it('round-trips payloads full of A5/A6/5A/5B', () => {
    const special = fc.constantFrom(0xa5, 0xa6, 0x5a, 0x5b, 0x00, 0x01, 0x02);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(special, { maxLength: 64 }), (a, b) => {
        const bytes = Buffer.concat([Buffer.from(a), Buffer.from(b)]);
        const esc = bxEscape(bytes);
        expect(esc.includes(0xa5)).toBe(false);
        expect(esc.includes(0x5a)).toBe(false);
        expect(bxUnescape(esc)).toEqual(bytes);
      }),
    );
  });
});

describe('BX frames: golden bytes', () => {
  it('encodes the public client ping frame byte for byte', () => {
    const frame = encodeBxFrame(bxPacket(0x0001, h('a200010000')));
    expect(frame).toEqual(h(`${PRE} 0100 0080 000000 00 00 00 fe 02 0500 a200010000 68f8 5a`));
  });

  it('escapes the CRC and data after computing the CRC over the unescaped PHY1', () => {
    // data 5A A5: CRC over the raw bytes, then every byte (CRC included) escaped
    const phy = h('0200 0080 000000 00 00 00 fe 02 0200 5aa5');
    const crc = crc16Arc(phy);
    const frame = encodeBxFrame(bxPacket(2, h('5aa5')));
    const crcBytes = Buffer.from([crc & 0xff, crc >> 8]);
    expect(frame).toEqual(Buffer.concat([h(PRE), h('0200 0080 000000 00 00 00 fe 02 0200 5b02a602'), bxEscape(crcBytes), h('5a')]));
  });

  it('builds the dynamic-area frame for window 3 showing A012', () => {
    const text = '5c4331 41303132 5c4332 20 c7eb b5bd 33 bac5 b4b0 bfda'; // \C1A012\C2 请到3号窗口 (GB2312)
    const area =
      '00 0000 0000 1000 1000' + // type text, X 0, Y 0, W 16 bytes (128 px), H 16 px
      ' 00 00 01 0000 00 00' + // area 0, line spacing 0, run mode 1 (hold last page), timeout 0, no voice, no extension
      ' 02 01 01 01 00 01 00' + // centred, single line, no wrap, effect static, no exit effect, speed 1, hold 0
      ' 16000000 ' + // text length 22
      text;
    const data = 'a306 01 01 00 00 01 3100 ' + area; // reply wanted, clear area, 1 area of 49 bytes
    const expected = h(`${PRE} 0300 0080 000000 00 00 00 fe 02 3a00 ${data} 28f4 5a`);
    const screen = new BxScreen({ exchange: () => Promise.resolve(undefined) }, { address: 3 });
    expect(screen.frameFor(layoutScreen({ window: 3, ticket: 'A012', paused: false }))).toEqual(expected);
    expect(crc16Arc(expected.subarray(8, expected.length - 3))).toBe(0xf428);
  });

  it('decodes the dynamic-area command back into its fields', () => {
    const data = encodeBxDynamicText({
      responseFlag: 1,
      clear: 1,
      areas: [{ x: 1, y: 2, width: 3, height: 4, areaId: 5, lineSpacing: 0, runMode: 1, timeout: 7, voice: 0, alignment: 2, lines: 1, wrap: 1, effect: BX_EFFECT.scrollLeft, exitEffect: 0, speed: 9, hold: 3, text: Buffer.from('\\C2hi') }],
    });
    const cmd = decodeBxCommand(data);
    expect(cmd?.type).toBe('dynamic-text');
    if (cmd?.type !== 'dynamic-text') return;
    expect(cmd.areas[0]).toMatchObject({ x: 1, y: 2, width: 3, height: 4, areaId: 5, timeout: 7, effect: 3, speed: 9, hold: 3 });
    expect(cmd.areas[0]?.text.toString()).toBe('\\C2hi');
    expect(decodeBxCommand(data.subarray(0, data.length - 1))).toBeUndefined();
  });

  it('two areas (number + scrolling notice): each area carries its own 2-byte length, golden bytes', () => {
    const a0 = '00 0000 0000 1000 1000 00 00 01 0000 00 00 02 01 01 01 00 01 00 04000000 41303132'; // area 0: "A012", 31 bytes
    const a1 = '00 0000 1000 1000 1000 01 00 01 0000 00 00 00 01 01 03 00 05 00 02000000 c7eb'; // area 1 at Y 16: "请", scroll left, 29 bytes
    const common = { lineSpacing: 0, runMode: 1, timeout: 0, voice: 0, lines: 1, wrap: 1, exitEffect: 0, hold: 0 };
    const data = encodeBxDynamicText({
      responseFlag: 1,
      clear: 1,
      areas: [
        { ...common, x: 0, y: 0, width: 16, height: 16, areaId: 0, alignment: 2, effect: BX_EFFECT.static, speed: 1, text: Buffer.from('A012') },
        { ...common, x: 0, y: 16, width: 16, height: 16, areaId: 1, alignment: 0, effect: BX_EFFECT.scrollLeft, speed: 5, text: h('c7eb') },
      ],
    });
    expect(data).toEqual(h(`a306 01 01 00 00 02 1f00 ${a0} 1d00 ${a1}`));
    const cmd = decodeBxCommand(data);
    expect(cmd?.type === 'dynamic-text' ? cmd.areas.map((a) => [a.areaId, a.y, a.text.toString('hex')]) : undefined).toEqual([
      [0, 0, '41303132'],
      [1, 16, 'c7eb'],
    ]);
    // The old layout (one total length, areas back to back) is not what a controller reads: refused.
    expect(decodeBxCommand(h(`a306 01 01 00 00 02 3c00 ${a0} ${a1}`))).toBeUndefined();
    // The emulated controller shows both areas, in order (what `hallq emulate rs485` prints for such a frame).
    const screen = new BxScreenEmulator({ address: 1 });
    screen.hear(encodeBxFrame(bxPacket(1, data)));
    expect(screen.view.text).toBe(`A012${AREA_SEPARATOR}请`);
    expect(screen.view.effect).toBe('static');
  });

  it('any number of areas round-trips, and every truncation is refused as a value', () => {
    const area = fc.record({
      x: fc.nat(0xffff), y: fc.nat(0xffff), width: fc.nat(0xffff), height: fc.nat(0xffff), areaId: fc.nat(255), lineSpacing: fc.nat(255), runMode: fc.nat(255),
      timeout: fc.nat(0xffff), voice: fc.nat(255), alignment: fc.nat(255), lines: fc.nat(255), wrap: fc.nat(255), effect: fc.nat(255), exitEffect: fc.nat(255),
      speed: fc.nat(255), hold: fc.nat(255), text: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    });
    fc.assert(
      fc.property(fc.array(area, { minLength: 1, maxLength: 4 }), fc.nat(), (areas, cut) => {
        const data = encodeBxDynamicText({ responseFlag: 1, clear: 0, areas });
        const cmd = decodeBxCommand(data);
        expect(cmd).toEqual({ type: 'dynamic-text', responseFlag: 1, clear: 0, areas });
        expect(decodeBxCommand(data.subarray(0, 7 + (cut % (data.length - 7))))).toBeUndefined();
      }),
    );
  });

  it('encodes the ⚠ minimal ack/nak reply and tells them apart', () => {
    expect(encodeBxReplyData({ type: 'ack' })).toEqual(h('a000000000'));
    expect(encodeBxReplyData({ type: 'nak', error: BX_ERR.checksum })).toEqual(h('a001050000'));
    expect(decodeBxReplyData(h('a000000000'))).toEqual({ type: 'ack' });
    expect(decodeBxReplyData(h('a001050000'))).toEqual({ type: 'nak', error: 5 });
    expect(decodeBxReplyData(h('a306'))).toMatchObject({ type: 'unexpected' });
  });
});

const packetArb: fc.Arbitrary<BxPacket> = fc.record({
  dst: fc.integer({ min: 0, max: 0xffff }),
  src: fc.integer({ min: 0, max: 0xffff }),
  option: fc.integer({ min: 0, max: 255 }),
  checksumMode: fc.constant(0),
  displayMode: fc.integer({ min: 0, max: 255 }),
  deviceType: fc.integer({ min: 0, max: 255 }),
  protocolVersion: fc.integer({ min: 0, max: 255 }),
  data: fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xa5, 0xa6, 0x5a, 0x5b)), { maxLength: 80 }).map((a) => Buffer.from(a)),
});

/** Garbage that cannot contain a whole valid frame: no A5 at all, so nothing in it starts a frame. */
const garbage = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a.filter((b) => b !== 0xa5)));

function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    parts.push(bytes.subarray(prev, p));
    prev = p;
  }
  parts.push(bytes.subarray(prev));
  return parts;
}

describe('BX framer properties', () => {
  it('never throws on random bytes, in random chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const f = new BxFramer();
        for (const part of splitAt(Buffer.from(bytes), cuts)) f.push(part);
      }),
    );
  });

  it('finds exactly the frames hidden in garbage, however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(garbage, packetArb), { minLength: 1, maxLength: 4 }), garbage, fc.array(fc.nat(), { maxLength: 10 }), (items, tail, cuts) => {
        const stream = Buffer.concat([...items.flatMap(([g, p]) => [g, encodeBxFrame(p)]), tail]);
        const f = new BxFramer();
        const packets = splitAt(stream, cuts)
          .flatMap((c) => f.push(c))
          .flatMap((e) => (e.type === 'packet' ? [e.packet] : []));
        expect(packets).toEqual(items.map(([, p]) => p));
      }),
    );
  });

  it('resynchronises after a frame cut short by a new preamble, and reports the damage as values', () => {
    const good = encodeBxFrame(bxPacket(7, h('0102')));
    const cut = good.subarray(0, 20);
    const events = decodeBxFrames(Buffer.concat([cut, good, h('a5 1234 5a')]));
    expect(events.map((e) => e.type)).toEqual(['error', 'packet', 'error']);
    expect(events[0]).toMatchObject({ type: 'error', error: 'truncated' });
  });

  it('reports a flipped bit as a CRC error', () => {
    fc.assert(
      fc.property(packetArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (p, at, bit) => {
        const frame = encodeBxFrame(p);
        const phy = bxUnescape(frame.subarray(8, frame.length - 1)) as Buffer;
        const i = at % phy.length;
        phy[i] = (phy[i] as number) ^ (1 << bit);
        const events = decodeBxFrames(Buffer.concat([h(PRE), bxEscape(phy), h('5a')]));
        expect(events).toHaveLength(1);
        expect(events[0]?.type).toBe('error');
      }),
    );
  });
});
