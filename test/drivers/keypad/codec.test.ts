import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HOST_SIDE,
  KEYPAD_SIDE,
  KeypadFramer,
  decodeKeypadFrame,
  encodeAck,
  encodeBeep,
  encodeDigit,
  encodeEnter,
  encodeFrame,
  encodeIdle,
  encodeKey,
  encodePoll,
  encodeRating,
  encodeShow,
  encodeStartRating,
  keypadReplyFramer,
  parseFrame,
  type FramerOutput,
  type KeypadFrame,
} from '../../../drivers/keypad/codec.js';
import { GRADE_LABELS, defaultGradeTable, isBadGrade, mapGrade } from '../../../drivers/keypad/grades.js';
import { chunked } from '../../helpers/chunked.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const frames = (out: FramerOutput[]): Buffer[] => out.flatMap((o) => (o.type === 'frame' ? [o.frame.raw] : []));
const one = (raw: Buffer): KeypadFrame => {
  const f = parseFrame(raw, HOST_SIDE);
  if (!f) throw new Error(`not a keypad frame: ${raw.toString('hex')}`);
  return f;
};

describe('keypad codec: golden bytes from the source protocol', () => {
  it('shows a blank waiting count and ticket 012', () => {
    expect(encodeShow(1, undefined, '012')).toEqual(h('FF 68 08 08 68 01 02 0A 0A 0A 00 01 02 24 16'));
    // A prefixed ticket shows its last three digits, as the source does.
    expect(encodeShow(1, undefined, 'A012')).toEqual(h('FF 68 08 08 68 01 02 0A 0A 0A 00 01 02 24 16'));
  });
  it('shows a waiting count with leading zeros, capped at 999', () => {
    expect(encodeShow(1, 7)).toEqual(h('FF 68 08 08 68 01 02 00 00 07 0A 0A 0A 28 16'));
    expect(encodeShow(2, 1234, 'B105')).toEqual(h('FF 68 08 08 68 02 02 09 09 09 01 00 05 25 16'));
  });
  it('beeps', () => {
    expect(encodeBeep(1)).toEqual(h('FF 68 02 02 68 01 03 04 16'));
  });
  it('starts rating', () => {
    expect(encodeStartRating(1)).toEqual(h('FF 68 03 03 68 01 01 0B 0D 16'));
  });
  it('encodes key frames (FUNC 01) with the last DATA byte as the key', () => {
    expect(encodeKey(1, 'call')).toEqual(h('FF 68 03 03 68 01 01 0C 0E 16'));
    expect(encodeKey(1, 'recall')).toEqual(h('FF 68 03 03 68 01 01 0D 0F 16'));
    expect(encodeKey(3, 'pause')).toEqual(h('FF 68 03 03 68 03 01 12 16 16'));
    expect(encodeKey(1, 'no-show')).toEqual(h('FF 68 04 04 68 01 01 06 0F 17 16'));
    expect(encodeKey(1, 'suspend')).toEqual(h('FF 68 04 04 68 01 01 00 0F 11 16'));
    expect(encodeKey(1, 'call-back')).toEqual(h('FF 68 04 04 68 01 01 03 0F 14 16'));
  });
  it('acknowledges a key frame by echoing it', () => {
    const key = h('FF 68 03 03 68 01 01 0C 0E 16');
    expect(encodeAck(one(key))).toEqual(key);
  });
  it('acknowledges a rating frame with FUNC 01 and CS − 0x10', () => {
    const rating = encodeRating(1, 0x03);
    expect(rating).toEqual(h('FF 68 03 03 68 01 11 03 15 16'));
    expect(encodeAck(one(rating))).toEqual(h('FF 68 03 03 68 01 01 03 05 16'));
    // CS − 0x10 wraps modulo 256.
    const low = encodeFrame(0xf0, 0x11, Uint8Array.of(0x05)); // CS = 0x06
    const ack = encodeAck(one(low));
    expect(ack[ack.length - 2]).toBe(0xf6);
    expect(ack[6]).toBe(0x01);
  });
  it('⚠ poll and idle frames (our extension)', () => {
    expect(encodePoll(5)).toEqual(h('FF 68 02 02 68 05 20 25 16'));
    expect(encodeIdle(5)).toEqual(h('FF 68 03 03 68 05 20 00 25 16'));
  });
});

describe('keypad codec: decoding', () => {
  it('maps every key code, looking at the last DATA byte whatever FUNC says', () => {
    const cases: [string, string][] = [
      ['0C', 'call'], ['0D', 'recall'], ['0B', 'rating-request'], ['12', 'pause'], ['13', 'transfer'],
      ['11', 'one-metre-line'], ['0E', 'cancel'], ['06 0F', 'no-show'], ['00 0F', 'suspend'], ['03 0F', 'call-back'],
    ];
    for (const [data, key] of cases) {
      const f = encodeFrame(9, 0x05, h(data));
      expect(decodeKeypadFrame(one(f))).toEqual({ type: 'key', address: 9, key });
    }
  });
  it('decodes digits, enter, ratings and idle', () => {
    expect(decodeKeypadFrame(one(encodeDigit(2, 7)))).toEqual({ type: 'digit', address: 2, digit: 7 });
    expect(decodeKeypadFrame(one(encodeEnter(2)))).toEqual({ type: 'enter', address: 2 });
    expect(decodeKeypadFrame(one(encodeEnter(2, 5)))).toEqual({ type: 'enter', address: 2, digit: 5 });
    expect(decodeKeypadFrame(one(encodeRating(2, 4)))).toEqual({ type: 'rating', address: 2, raw: 4 });
    expect(decodeKeypadFrame(one(encodeIdle(2)))).toEqual({ type: 'idle', address: 2 });
  });
  it('maps grades through the table', () => {
    expect(mapGrade(defaultGradeTable, 1)).toBe(1);
    expect(mapGrade({ 0x21: 5 }, 0x21)).toBe(5);
    expect(mapGrade(defaultGradeTable, 9)).toBeUndefined();
    expect(GRADE_LABELS[4]).toBe('不满意');
    expect([1, 2, 3, 4, 5].map((g) => isBadGrade(g as 1))).toEqual([false, false, false, true, true]);
  });
});

describe('keypad framer: receiver rules', () => {
  it('host side rejects L ≤ 2, L ≠ L′ and L > 5; the keypad side accepts beep (L 2) and show (L 8)', () => {
    const beep = encodeBeep(1);
    const show = encodeShow(1, 3, '012');
    const host = new KeypadFramer(HOST_SIDE);
    const outHost = host.push(Buffer.concat([beep, show]));
    expect(frames(outHost)).toEqual([]);
    expect(outHost.map((o) => (o.type === 'error' ? o.error.code : 'frame'))).toEqual(['length', 'length']);

    const keypad = new KeypadFramer(KEYPAD_SIDE);
    expect(frames(keypad.push(Buffer.concat([beep, show])))).toEqual([beep, show]);

    const mismatch = h('FF 68 03 04 68 01 01 0C 0E 16');
    const out = new KeypadFramer(HOST_SIDE).push(mismatch);
    expect(out).toHaveLength(1);
    expect(out[0]?.type === 'error' && out[0].error.code).toBe('length-mismatch');
    const nine = encodeFrame(1, 2, new Uint8Array(7)); // L = 9
    expect(frames(new KeypadFramer(KEYPAD_SIDE).push(nine))).toEqual([]);
  });
  it('reports a bad checksum as a value and still finds the next frame', () => {
    const bad = Buffer.from(encodeKey(1, 'call'));
    bad[bad.length - 2] = 0x00;
    const good = encodeKey(1, 'recall');
    const out = new KeypadFramer(HOST_SIDE).push(Buffer.concat([bad, good]));
    expect(out.map((o) => (o.type === 'error' ? o.error.code : 'frame'))).toEqual(['checksum', 'frame']);
    expect(frames(out)).toEqual([good]);
  });
  it('the reply framer skips other addresses and hands over our bad-checksum frame', () => {
    const framer = keypadReplyFramer(3);
    const other = encodeKey(4, 'call');
    const mine = encodeIdle(3);
    const r = framer(Buffer.concat([h('00 FF 12'), other, mine]));
    expect(r?.frame).toEqual(mine);
    expect(r?.consumed).toBe(3 + other.length + mine.length);
    expect(framer(Buffer.concat([other, mine.subarray(0, 6)]))).toBeUndefined();
    // The host's own poll (L 2) and show (L 8), echoed by an adapter, are never taken as a reply.
    expect(framer(Buffer.concat([encodePoll(3), encodeShow(3, 1)]))).toBeUndefined();
  });
});

// ---------------------------------------------------------------- properties

const keypadFrameArb = fc
  .record({
    address: fc.integer({ min: 0, max: 255 }),
    func: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ minLength: 1, maxLength: 3 }),
  })
  .map(({ address, func, data }) => encodeFrame(address, func, data));

describe('keypad framer: properties', () => {
  it('random bytes in random chunks never throw and never yield a frame that fails the rules', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), fc.boolean(), (chunks, hostSide) => {
        const rule = hostSide ? HOST_SIDE : KEYPAD_SIDE;
        const framer = new KeypadFramer(rule);
        for (const c of chunks) {
          for (const o of framer.push(c)) {
            if (o.type === 'frame') {
              const l = o.frame.raw[2] as number;
              expect(l).toBeGreaterThanOrEqual(rule.min);
              expect(l).toBeLessThanOrEqual(rule.max);
              expect(o.frame.raw[3]).toBe(l);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('garbage + frames split anywhere (several per chunk) yield exactly the hidden frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 12 }), keypadFrameArb), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (parts, cuts) => {
          // Garbage that on its own already forms a frame is not garbage; everything else must be skipped.
          for (const [garbage] of parts) fc.pre(frames(new KeypadFramer(HOST_SIDE).push(garbage)).length === 0);
          const hidden = parts.map(([, f]) => f);
          const stream = Buffer.concat(parts.flatMap(([g, f]) => [Buffer.from(g), f]));
          const framer = new KeypadFramer(HOST_SIDE);
          const found = chunked(stream, cuts).flatMap((c) => frames(framer.push(c)));
          expect(found).toEqual(hidden);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a truncated header just before a frame does not hide it', () => {
    fc.assert(
      fc.property(keypadFrameArb, fc.integer({ min: 1, max: 6 }), (frame, cut) => {
        const partial = encodeKey(7, 'call').subarray(0, cut);
        const found = frames(new KeypadFramer(HOST_SIDE).push(Buffer.concat([partial, frame])));
        expect(found).toEqual([frame]);
      }),
    );
  });

  it('every ack of a rating frame is the frame with FUNC 01 and CS − 0x10', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (address, raw) => {
        const f = encodeRating(address, raw);
        const ack = encodeAck(one(f));
        expect(ack[6]).toBe(0x01);
        expect(ack[8]).toBe(((f[8] as number) - 0x10 + 256) % 256);
        expect(ack.subarray(0, 6)).toEqual(f.subarray(0, 6));
      }),
    );
  });
});
