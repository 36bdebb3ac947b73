/**
 * ⚠ The compact poll (9C ADDR ~ADDR FF) and idle reply (9E ADDR ~ADDR): golden bytes, the keypad side
 * finding its polls on a line that also carries FF 68 frames and BX screen frames, the host side taking
 * the reply and never its own echoed poll, and the parsers never throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HOST_SIDE,
  KEYPAD_SIDE,
  KeypadFramer,
  defaultKeypadProtocol,
  encodeFrame,
  encodeIdle,
  encodeKey,
  encodePoll,
  encodeShow,
  keypadReplyFramer,
  pollReplyKind,
  polledAddress,
  scanFrame,
  type FramerOutput,
} from '../../../drivers/keypad/codec.js';
import {
  COMPACT_IDLE_START,
  COMPACT_POLL_START,
  compactIdles,
  compactPolls,
  encodeCompactIdle,
  encodeCompactPoll,
  parseCompact,
} from '../../../drivers/keypad/compact.js';
import { KeypadEmulator } from '../../../drivers/keypad/emulator.js';
import { bxPacket, encodeBxFrame } from '../../../drivers/led-screen/bx-codec.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import { layoutScreen } from '../../../drivers/led-screen/layout.js';
import type { BusPort } from '../../../drivers/rs485/bus-port.js';
import { chunked } from '../../helpers/chunked.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ADDRESSES = Array.from({ length: 254 }, (_, i) => i + 1);

/** The polls a keypad-side framer yields, as [address, kind]. */
const polls = (out: FramerOutput[]): Array<[number, string]> =>
  out.flatMap((o) => {
    const p = polledAddress(o);
    return p ? [[p.address, p.frames] as [number, string]] : [];
  });

describe('⚠ compact poll frames: golden bytes', () => {
  it('poll 9C ADDR ~ADDR FF, idle reply 9E ADDR ~ADDR', () => {
    expect(encodeCompactPoll(5)).toEqual(h('9C 05 FA FF'));
    expect(encodeCompactIdle(5)).toEqual(h('9E 05 FA'));
    expect(encodeCompactPoll(1)).toEqual(h('9C 01 FE FF'));
    expect(encodeCompactIdle(254)).toEqual(h('9E FE 01'));
    // The defaults are the protocol's; another hall's start bytes are taken from its KeypadProtocol.
    expect(encodeCompactPoll(5, defaultKeypadProtocol)).toEqual(h('9C 05 FA FF'));
    expect(encodeCompactPoll(5, { compactPoll: 0x9a })).toEqual(h('9A 05 FA FF'));
    expect(encodeCompactIdle(5, { compactIdle: 0x9b })).toEqual(h('9B 05 FA'));
  });
  it('the FF 68 poll and idle reply are unchanged (keypadPolling.frames: ff68)', () => {
    expect(encodePoll(5)).toEqual(h('FF 68 02 02 68 05 20 25 16'));
    expect(encodeIdle(5)).toEqual(h('FF 68 03 03 68 05 20 00 25 16'));
  });
  it('the whole exchange is 7 bytes, against 19 for the FF 68 one', () => {
    expect(encodeCompactPoll(5).length + encodeCompactIdle(5).length).toBe(7);
    expect(encodePoll(5).length + encodeIdle(5).length).toBe(19);
  });
});

describe('⚠ compact frames: keypad side', () => {
  it('every address round-trips, and an FF 68 poll is still recognised by the same framer', () => {
    for (const a of ADDRESSES) {
      expect(parseCompact(encodeCompactPoll(a), compactPolls())).toEqual({ kind: 'poll', address: a, raw: encodeCompactPoll(a) });
      expect(parseCompact(encodeCompactIdle(a), compactIdles())).toEqual({ kind: 'idle', address: a, raw: encodeCompactIdle(a) });
      // Neither is the other kind.
      expect(parseCompact(encodeCompactPoll(a), compactIdles())).toBeUndefined();
      expect(parseCompact(encodeCompactIdle(a), compactPolls())).toBeUndefined();
    }
    const framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
    expect(polls(framer.push(Buffer.concat([encodeCompactPoll(3), encodePoll(3), encodeCompactPoll(4)])))).toEqual([
      [3, 'compact'],
      [3, 'ff68'],
      [4, 'compact'],
    ]);
  });

  it('no stray bytes just before a poll hide it: every address after every 9C y, and after any one byte', () => {
    // A false match beginning 1–3 bytes before a real poll would need the poll's own bytes as its tail:
    // 9C ADDR ~ADDR FF can be that tail only if ADDR or the start byte were FF, which they never are.
    const framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
    const wrong: string[] = [];
    for (const a of ADDRESSES) {
      const poll = encodeCompactPoll(a);
      for (let y = 0; y < 256; y++) {
        for (const prefix of [Buffer.of(COMPACT_POLL_START, y), Buffer.of(y)]) {
          framer.reset();
          const found = polls(framer.push(Buffer.concat([prefix, poll])));
          if (found.length !== 1 || found[0]?.[0] !== a) wrong.push(`${prefix.toString('hex')} + ${poll.toString('hex')}: ${JSON.stringify(found)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a damaged poll is not a poll; the next good one is found (resync after noise)', () => {
    const framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
    const badCheck = h('9C 05 FB FF');
    const badEnd = h('9C 05 FA 16');
    const out = framer.push(Buffer.concat([h('9C 9C 00'), badCheck, badEnd, h('9C'), encodeCompactPoll(5)]));
    expect(polls(out)).toEqual([[5, 'compact']]);
    // A bad check is reported as a value, with the address it claims.
    expect(out.some((o) => o.type === 'error' && o.error.code === 'checksum' && o.error.address === 5)).toBe(true);
  });

  it('the emulator answers each poll in its own kind, or only the kind it was told', () => {
    const any = new KeypadEmulator({ address: 7 });
    expect(any.hear(encodeCompactPoll(7))).toEqual([encodeCompactIdle(7)]);
    expect(any.hear(encodePoll(7))).toEqual([encodeIdle(7)]);
    expect(any.hear(encodeCompactPoll(8))).toEqual([]);
    // Something to report: the FF 68 frame, whatever the poll's kind.
    any.press('call');
    expect(any.hear(encodeCompactPoll(7))).toEqual([encodeKey(7, 'call')]);
    const compactOnly = new KeypadEmulator({ address: 7, pollFrames: 'compact' });
    expect(compactOnly.hear(encodePoll(7))).toEqual([]);
    expect(compactOnly.hear(encodeCompactPoll(7))).toEqual([encodeCompactIdle(7)]);
    const ff68Only = new KeypadEmulator({ address: 7, pollFrames: 'ff68' });
    expect(ff68Only.hear(encodeCompactPoll(7))).toEqual([]);
    expect(ff68Only.hear(encodePoll(7))).toEqual([encodeIdle(7)]);
  });

  it("the emulator's faults damage a compact idle reply as the host must see them", () => {
    const e = new KeypadEmulator({ address: 7 });
    e.setFault('bad-checksum', { times: 1 });
    expect(e.hear(encodeCompactPoll(7))).toEqual([h('9E 07 F9')]);
    e.setFault('garbled', { times: 1 });
    const [garbled] = e.hear(encodeCompactPoll(7)) as [Buffer];
    expect(keypadReplyFramer(7, compactIdles())(garbled)).toBeUndefined();
    // The bad check is handed over (so the driver's check says DEVICE_CHECKSUM), and is no valid reply.
    const bad = keypadReplyFramer(7, compactIdles())(h('9E 07 F9'));
    expect(bad?.frame).toEqual(h('9E 07 F9'));
    expect(pollReplyKind(h('9E 07 F9'), compactIdles())).toBeUndefined();
  });

  it('on a line with BX screen frames and FF 68 frames for other keypads, each keypad answers its own compact poll once', () => {
    const screen = new BxScreen({ exchange: () => Promise.resolve(undefined) } satisfies BusPort, { address: 12 });
    const line = Buffer.concat([
      screen.frameFor(layoutScreen({ window: 12, ticket: 'A123', paused: false })),
      encodeShow(4, 3, 'A105'),
      encodeCompactPoll(3),
      screen.frameFor(layoutScreen({ window: 12, notice: '暂停服务，请到3号窗口', paused: true })),
      encodeKey(4, 'call'),
      encodeCompactPoll(4),
    ]);
    const three = new KeypadEmulator({ address: 3 });
    const four = new KeypadEmulator({ address: 4 });
    // In one chunk, and byte by byte.
    expect(three.hear(line)).toEqual([encodeCompactIdle(3)]);
    expect([...line].flatMap((b) => four.hear(Buffer.of(b)))).toEqual([encodeCompactIdle(4)]);
    expect(four.display).toEqual({ waiting: '003', ticket: '105' });
  });
});

describe('⚠ compact frames: host side, a compact poll outstanding', () => {
  it("never takes its own poll, echoed by an adapter, for the reply; takes the idle reply or an FF 68 report after it", () => {
    for (const a of ADDRESSES) {
      const framer = keypadReplyFramer(a, compactIdles());
      const echo = encodeCompactPoll(a);
      expect(framer(echo), `echo ${a}`).toBeUndefined();
      expect(framer(Buffer.concat([echo, encodeCompactIdle(a)])), `idle ${a}`).toEqual({ frame: encodeCompactIdle(a), consumed: 7 });
      const key = encodeKey(a, 'call');
      expect(framer(Buffer.concat([echo, key]))?.frame, `key ${a}`).toEqual(key);
      expect(pollReplyKind(encodeCompactIdle(a), compactIdles())).toBe('compact');
      expect(pollReplyKind(key, compactIdles())).toBe('ff68');
      // Without the compact rule (an FF 68 poll outstanding) a compact idle reply is no reply.
      expect(keypadReplyFramer(a)(encodeCompactIdle(a))).toBeUndefined();
    }
  });

  it("skips another keypad's idle reply and a forged one, without losing the real reply after it", () => {
    const framer = keypadReplyFramer(0x61, compactIdles());
    // 9E 9E 61 9E: the first three bytes read as an idle reply for 9E; the real one for 61 starts at the second 9E.
    expect(framer(h('9E 9E 61 9E'))).toEqual({ frame: h('9E 61 9E'), consumed: 4 });
    expect(framer(Buffer.concat([encodeCompactIdle(0x60), encodeCompactIdle(0x61)]))).toEqual({ frame: encodeCompactIdle(0x61), consumed: 6 });
  });
});

// ---------------------------------------------------------------- properties

const ff68Arb = fc
  .record({ address: fc.integer({ min: 0, max: 255 }), func: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 6 }) })
  .map(({ address, func, data }) => ({ kind: 'ff68' as const, bytes: encodeFrame(address, func, data) }));
const bxArb = fc
  .record({ dst: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 60 }) })
  .map(({ dst, data }) => ({ kind: 'bx' as const, bytes: encodeBxFrame(bxPacket(dst, data)) }));
const pollArb = fc.integer({ min: 1, max: 254 }).map((address) => ({ kind: 'poll' as const, address, bytes: encodeCompactPoll(address) }));

describe('⚠ compact frames: properties', () => {
  it('arbitrary bytes in arbitrary chunks never throw, on either side, and never yield a compact frame whose check fails', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), fc.integer({ min: 0, max: 255 }), (chunks, address) => {
        const keypad = new KeypadFramer(KEYPAD_SIDE, compactPolls());
        const host = new KeypadFramer(HOST_SIDE, compactIdles());
        const reply = keypadReplyFramer(address, compactIdles());
        const emulator = new KeypadEmulator({ address });
        let rx = Buffer.alloc(0);
        for (const c of chunks) {
          for (const o of [...keypad.push(c), ...host.push(c)]) {
            if (o.type !== 'compact') continue;
            expect(o.frame.raw[2]).toBe((o.frame.raw[1] as number) ^ 0xff);
            expect(o.frame.raw[0]).toBe(o.frame.kind === 'poll' ? COMPACT_POLL_START : COMPACT_IDLE_START);
          }
          emulator.hear(Buffer.from(c));
          rx = Buffer.concat([rx, c]);
          const r = reply(rx);
          if (r) {
            expect(r.consumed).toBeLessThanOrEqual(rx.length);
            pollReplyKind(r.frame, compactIdles());
          }
          scanFrame(c, HOST_SIDE, compactIdles());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('encode → decode: a compact poll for any address, alone or split anywhere, is found exactly once with its address', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 254 }), fc.array(fc.nat(), { maxLength: 4 }), (address, cuts) => {
        const framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
        const found = chunked(encodeCompactPoll(address), cuts).flatMap((c) => polls(framer.push(c)));
        expect(found).toEqual([[address, 'compact']]);
      }),
    );
  });

  it('compact polls among random FF 68 and BX frames, split anywhere: a keypad finds exactly the polls for its address, and the FF 68 frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ff68Arb, bxArb, pollArb), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 254 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (items, address, cuts) => {
          const others = items.filter((i) => i.kind !== 'poll');
          // The other traffic alone must hold no compact poll by chance (a BX body's random bytes could).
          const alone = new KeypadFramer(KEYPAD_SIDE, compactPolls()).push(Buffer.concat(others.map((i) => i.bytes)));
          fc.pre(alone.every((o) => o.type !== 'compact'));
          const expectedFrames = alone.flatMap((o) => (o.type === 'frame' ? [o.frame.raw] : []));

          const framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
          const out = chunked(Buffer.concat(items.map((i) => i.bytes)), cuts).flatMap((c) => framer.push(c));
          const mine = polls(out).filter(([a]) => a === address);
          expect(mine).toEqual(items.filter((i) => i.kind === 'poll' && i.address === address).map(() => [address, 'compact']));
          expect(polls(out).filter(([, k]) => k === 'compact')).toEqual(items.flatMap((i) => (i.kind === 'poll' ? [[i.address, 'compact']] : [])));
          // The polls change nothing in how the FF 68 frames are read.
          expect(out.flatMap((o) => (o.type === 'frame' ? [o.frame.raw] : []))).toEqual(expectedFrames);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the reply framer finds the idle reply behind the echoed poll and any garbage without its start byte, split anywhere', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 254 }), fc.uint8Array({ maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), (address, garbage, cuts) => {
        const noise = Buffer.from(garbage.filter((b) => b !== COMPACT_IDLE_START && b !== 0xff));
        const idle = encodeCompactIdle(address);
        const stream = Buffer.concat([encodeCompactPoll(address), noise, idle]);
        const framer = keypadReplyFramer(address, compactIdles());
        let rx = Buffer.alloc(0);
        let got: { frame: Buffer; consumed: number } | undefined;
        for (const c of chunked(stream, cuts)) {
          rx = Buffer.concat([rx, c]);
          got = framer(rx);
          if (got) break;
        }
        expect(got).toEqual({ frame: idle, consumed: stream.length });
      }),
    );
  });
});
