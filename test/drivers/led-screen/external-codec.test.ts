import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sum16 } from '../../../drivers/led-screen/checksums.js';
import { ExternalCallScreen } from '../../../drivers/led-screen/external-call-screen.js';
import { decodeExtCommand, decodeExtReplyPayload, encodeExtReplyPayload } from '../../../drivers/led-screen/external-commands.js';
import { ExtFramer, decodeExtFrames, encodeExtFrame, extContent, extEscape, extRequest, extUnescape, type ExtFrame } from '../../../drivers/led-screen/external-codec.js';
import { layoutScreen } from '../../../drivers/led-screen/layout.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('external-call checksum and escaping', () => {
  it('sums bytes from 68 to the end of the data into 16 bits', () => {
    expect(sum16(h('68 32 01 7b 01 0400 00 00 07000000'))).toBe(0x0122);
    expect(sum16(Buffer.alloc(300, 0xff))).toBe((300 * 0xff) & 0xffff);
  });
  it('maps each special byte to its documented pair', () => {
    expect(extEscape(h('a5'))).toEqual(h('aa05'));
    expect(extEscape(h('ae'))).toEqual(h('aa0e'));
    expect(extEscape(h('aa'))).toEqual(h('aa0a'));
    expect(extUnescape(h('aa07'))).toBeUndefined();
    expect(extUnescape(h('aa'))).toBeUndefined();
  });
  it('round-trips payloads full of A5/AE/AA', () => {
    const special = fc.constantFrom(0xa5, 0xae, 0xaa, 0x05, 0x0e, 0x0a);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(special, { maxLength: 64 }), (a, b) => {
        const bytes = Buffer.concat([Buffer.from(a), Buffer.from(b)]);
        const esc = extEscape(bytes);
        expect(esc.includes(0xa5) || esc.includes(0xae)).toBe(false);
        expect(extUnescape(esc)).toEqual(bytes);
      }),
    );
  });
});

describe('external-call frames: golden bytes', () => {
  it('encodes the vendor Java "clear" and "template" frames byte for byte', () => {
    expect(encodeExtFrame(extRequest(1, h('07000000')))).toEqual(h('a5 68 32 01 7b 01 0400 00 00 07000000 2201 ae'));
    expect(encodeExtFrame(extRequest(1, h('8211')))).toEqual(h('a5 68 32 01 7b 01 0200 00 00 8211 ac01 ae'));
  });

  it('escapes a sum that contains AE and A5 (sum 0xA5AE goes out as AA 0E AA 05)', () => {
    let payload: Buffer | undefined;
    for (let n = 0; n < 400 && !payload; n++) {
      const base = sum16(extContent(extRequest(2, Buffer.alloc(n + 1, 0)))) + 0xff * n;
      const adj = 0xa5ae - base;
      if (adj >= 0 && adj <= 0xff) payload = Buffer.concat([Buffer.alloc(n, 0xff), Buffer.of(adj)]);
    }
    if (!payload) throw new Error('no payload sums to 0xA5AE');
    const frame = encodeExtFrame(extRequest(2, payload));
    expect(frame.subarray(-5)).toEqual(h('aa0e aa05 ae'));
    expect(decodeExtFrames(frame)).toEqual([{ type: 'frame', frame: extRequest(2, payload) }]);
  });

  it('builds the 0x85 text frame for window 3 calling A012', () => {
    const expected = h(
      'a5 68 32 03 7b 01 2100 00 00' + // request to card 3, reply wanted, 33 bytes, packet 0 of last 0
        ' 85 00000001 01 01 30' + // send text, user code 1, program 1, window 1, plain text + format + play now
        ' 0003 01 02 01 00 05 00' + // hold 3 s, speed 1, font 2 (16 px), red, static, centred
        ' 41303132 20 c7eb b5bd 33 bac5 b4b0 bfda 00' + // "A012 请到3号窗口" GB2312, NUL-terminated
        ' c50a ae',
    );
    const screen = new ExternalCallScreen({ exchange: () => Promise.resolve(undefined) }, { cardId: 3 });
    expect(screen.frameFor(layoutScreen({ window: 3, ticket: 'A012', paused: false }))).toEqual(expected);
    const cmd = decodeExtCommand((decodeExtFrames(expected)[0] as { frame: ExtFrame }).frame.payload);
    expect(cmd).toMatchObject({ type: 'text', program: 1, window: 1, playNow: true, format: { hold: 3, colour: 1, effect: 0 } });
  });

  it('reads the return codes 00 OK, 01 checksum error, 02 sequence error', () => {
    expect(decodeExtReplyPayload(encodeExtReplyPayload(0x85, 0))).toEqual({ type: 'ok' });
    expect(decodeExtReplyPayload(encodeExtReplyPayload(0x85, 1))).toEqual({ type: 'error', returnCode: 1 });
    expect(decodeExtReplyPayload(encodeExtReplyPayload(0x85, 2))).toEqual({ type: 'error', returnCode: 2 });
  });
});

const frameArb: fc.Arbitrary<ExtFrame> = fc.record({
  frameType: fc.constantFrom(0x68, 0xe8),
  deviceType: fc.constant(0x32),
  cardId: fc.integer({ min: 0, max: 255 }),
  protocol: fc.constant(0x7b),
  ackFlag: fc.integer({ min: 0, max: 1 }),
  packetNo: fc.integer({ min: 0, max: 255 }),
  lastPacket: fc.integer({ min: 0, max: 255 }),
  payload: fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xa5, 0xae, 0xaa)), { maxLength: 80 }).map((a) => Buffer.from(a)),
});

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

describe('external-call framer properties', () => {
  it('never throws on random bytes, in random chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const f = new ExtFramer();
        for (const part of splitAt(Buffer.from(bytes), cuts)) f.push(part);
        decodeExtCommand(Buffer.from(bytes));
      }),
    );
  });

  it('finds exactly the frames hidden in garbage, however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(garbage, frameArb), { minLength: 1, maxLength: 4 }), garbage, fc.array(fc.nat(), { maxLength: 10 }), (items, tail, cuts) => {
        const stream = Buffer.concat([...items.flatMap(([g, f]) => [g, encodeExtFrame(f)]), tail]);
        const framer = new ExtFramer();
        const frames = splitAt(stream, cuts)
          .flatMap((c) => framer.push(c))
          .flatMap((e) => (e.type === 'frame' ? [e.frame] : []));
        expect(frames).toEqual(items.map(([, f]) => f));
      }),
    );
  });

  it('reports a corrupted byte as an error value, never as a frame', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (f, at, x) => {
        const frame = encodeExtFrame(f);
        const body = extUnescape(frame.subarray(1, frame.length - 1)) as Buffer;
        const i = at % body.length;
        body[i] = (body[i] as number) ^ x;
        const events = decodeExtFrames(Buffer.concat([h('a5'), extEscape(body), h('ae')]));
        expect(events).toHaveLength(1);
        expect(events[0]?.type).toBe('error');
      }),
    );
  });
});
