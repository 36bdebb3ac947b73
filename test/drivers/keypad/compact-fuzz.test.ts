/**
 * ⚠ Fuzz of the compact frames' receivers (review): random byte streams, in random chunks, into the host
 * side (keypadReplyFramer, KeypadFramer(HOST_SIDE, compactIdles()), pollReplyKind) and the keypad side
 * (KeypadFramer(KEYPAD_SIDE, compactPolls()), KeypadEmulator.hear) never throw and hand over only what
 * the stream holds; a compact idle reply for the polled address after noise is found; and a truncated FF 68
 * frame just before a compact reply or poll does not hide it (as codec.test.ts asks of FF 68 frames).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HOST_SIDE,
  KEYPAD_SIDE,
  KeypadFramer,
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
  pollReplyKind,
  polledAddress,
} from '../../../drivers/keypad/codec.js';
import { COMPACT_IDLE_START, compactIdles, compactPolls, encodeCompactIdle, encodeCompactPoll } from '../../../drivers/keypad/compact.js';
import { KeypadEmulator } from '../../../drivers/keypad/emulator.js';
import { chunked } from '../../helpers/chunked.js';


/** Feeds a reply framer the stream chunk by chunk, as the bus does; the first reply it hands over. */
function firstReply(framer: ReturnType<typeof keypadReplyFramer>, chunks: Buffer[]): { frame: Buffer; consumed: number; rx: Buffer } | undefined {
  let rx = Buffer.alloc(0);
  for (const c of chunks) {
    rx = Buffer.concat([rx, c]);
    const r = framer(rx);
    if (r) return { ...r, rx };
  }
  return undefined;
}

/** What a keypad hears on the line: whole FF 68 frames (keypad → host or host → keypad) of some address. */
const keypadFrames = (a: number): Buffer[] => [
  encodeKey(a, 'call'),
  encodeKey(a, 'no-show'),
  encodeDigit(a, 7),
  encodeEnter(a, 3),
  encodeRating(a, 2),
  // The host's echo of a rating (FUNC 01).
  encodeFrame(a, 0x01, Uint8Array.of(2)),
  encodeIdle(a),
  encodeShow(a, 12, 'A105'),
  encodeBeep(a),
  encodeStartRating(a),
  encodePoll(a),
];

/** Noise: arbitrary bytes, the compact start bytes with an address, and truncated FF 68 frames. */
const noiseArb = (address: number) =>
  fc
    .array(
      fc.oneof(
        fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
        fc.constantFrom(Buffer.of(0xff), Buffer.of(0xff, 0x68), Buffer.of(COMPACT_IDLE_START), Buffer.of(0x9c), Buffer.of(COMPACT_IDLE_START, address)),
        fc
          .tuple(fc.integer({ min: 1, max: 254 }), fc.nat({ max: 10 }), fc.nat())
          .map(([a, k, cut]) => {
            const f = keypadFrames(a)[k] as Buffer;
            return f.subarray(0, cut % f.length);
          }),
      ),
      { maxLength: 6 },
    )
    .map((parts) => Buffer.concat(parts));

describe('⚠ compact frames, fuzz (review): random streams never throw, and hand over only what the stream holds', () => {
  it('host side and keypad side, arbitrary bytes in arbitrary chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 24 }), { maxLength: 24 }), fc.integer({ min: 1, max: 254 }), (chunks, address) => {
        const bufs = chunks.map((c) => Buffer.from(c));
        const host = new KeypadFramer(HOST_SIDE, compactIdles());
        const keypad = new KeypadFramer(KEYPAD_SIDE, compactPolls());
        const emulators = (['any', 'compact', 'ff68'] as const).map((pollFrames) => new KeypadEmulator({ address, pollFrames }));
        for (const c of bufs) {
          expect(() => host.push(c)).not.toThrow();
          expect(() => keypad.push(c)).not.toThrow();
          for (const e of emulators) expect(() => e.hear(c)).not.toThrow();
        }
        for (const compact of [compactIdles(), undefined]) {
          const got = firstReply(keypadReplyFramer(address, compact), bufs);
          if (!got) continue;
          // What it hands over are the stream's own bytes just before `consumed`, for this address.
          expect(got.consumed).toBeLessThanOrEqual(got.rx.length);
          expect(got.rx.subarray(got.consumed - got.frame.length, got.consumed)).toEqual(got.frame);
          expect(got.frame[got.frame[0] === 0xff ? 5 : 1]).toBe(address);
          expect(() => pollReplyKind(got.frame, compact)).not.toThrow();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a compact idle reply after noise (anything but the start of a reply for this address): found, split anywhere', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 254 }).chain((address) => fc.tuple(fc.constant(address), noiseArb(address), fc.array(fc.nat(), { maxLength: 6 }))),
        ([address, noise, cuts]) => {
          // Noise that itself ends in a reply for this address (or its start: 9E ADDR) is not noise here.
          fc.pre(keypadReplyFramer(address, compactIdles())(noise) === undefined);
          fc.pre(!(noise.at(-2) === COMPACT_IDLE_START && noise.at(-1) === address) && noise.at(-1) !== COMPACT_IDLE_START);
          // A host-side FF 68 header (FF 68 L L 68, L 3-5) in the noise is the next describe's case.
          fc.pre(!hasHostHeader(noise));
          const idle = encodeCompactIdle(address);
          const stream = Buffer.concat([noise, idle]);
          const got = firstReply(keypadReplyFramer(address, compactIdles()), chunked(stream, cuts));
          expect(got?.frame, `noise ${noise.toString('hex')}`).toEqual(idle);
          expect(got?.consumed).toBe(stream.length);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** Every proper prefix of a frame that has the whole 5-byte header (FF 68 L L 68): the truncations that can hide what follows. */
const truncations = (f: Buffer): Buffer[] => Array.from({ length: f.length - 5 }, (_, i) => f.subarray(0, 5 + i));

describe('⚠ compact frames (review): a truncated FF 68 frame just before a compact frame does not hide it', () => {
  it('host side: a truncated keypad frame (L 3-5) just before the compact idle reply does not hide it, as it does not hide the FF 68 idle reply', () => {
    const address = 5;
    const hiddenFf68: string[] = [];
    const hiddenCompact: string[] = [];
    for (const f of [encodeKey(9, 'call'), encodeEnter(9, 3), encodeFrame(9, 0x01, Uint8Array.of(1, 2, 0x0c))]) {
      for (const t of truncations(f)) {
        if (!keypadReplyFramer(address)(Buffer.concat([t, encodeIdle(address)]))) hiddenFf68.push(t.toString('hex'));
        if (!keypadReplyFramer(address, compactIdles())(Buffer.concat([t, encodeCompactIdle(address)]))) hiddenCompact.push(t.toString('hex'));
      }
    }
    // The 10-byte FF 68 idle reply completes any truncated frame (at most 12 bytes): its end byte is wrong, the scan resyncs.
    expect(hiddenFf68).toEqual([]);
    // Seen before the scan let an incomplete FF 68 frame give way to a whole compact frame after it (9
    // truncations: the L 3 frame cut at 5-6 bytes, L 4 at 5-7, L 5 at 5-8): the 3-byte reply did not complete
    // the truncated frame, so the framer waited for bytes that never came (the attempt ended in DEVICE_TIMEOUT).
    expect(hiddenCompact).toEqual([]);
  });

  it('keypad side: a truncated host frame just before a compact poll does not hide the poll, as it mostly does not hide the FF 68 poll', () => {
    const address = 5;
    const hidden: string[] = [];
    const frames = [encodeShow(3, 12, 'A105'), encodeBeep(3), encodeStartRating(3), encodeKey(3, 'call'), encodeEnter(3, 6)];
    for (const f of frames) {
      for (const t of truncations(f)) {
        for (const [kind, poll, rule] of [
          ['compact', encodeCompactPoll(address), compactPolls()],
          ['ff68', encodePoll(address), undefined],
        ] as const) {
          const framer = new KeypadFramer(KEYPAD_SIDE, rule);
          const heard = [...framer.push(t), ...framer.push(poll)].filter((o) => polledAddress(o)?.address === address);
          if (heard.length === 0) hidden.push(`${kind} after ${t.toString('hex')}`);
        }
      }
    }
    // Seen before the scan let an incomplete FF 68 frame give way to a whole compact frame after it: the compact
    // poll hidden by 10 truncations (a show frame, L 8, cut at 5-10 bytes; the start-rating and call frames, L 3,
    // at 5; the digit + enter frame, L 4, at 5-6), for up to two polls in a row, after which the keypad answered
    // them all at once. The 9-byte FF 68 poll is still hidden by one (the show frame's bare header, whose 15
    // bytes the poll does not complete), for one poll: the next completes it and the scan resyncs.
    expect(hidden).toEqual(['ff68 after ff68080868']);
  });
});

/** Does `b` hold a header the host side would wait on: FF 68 L L 68 with 3 ≤ L ≤ 5? */
function hasHostHeader(b: Buffer): boolean {
  for (let i = 0; i + 5 <= b.length; i++) {
    const l = b[i + 2] as number;
    if (b[i] === 0xff && b[i + 1] === 0x68 && b[i + 3] === l && b[i + 4] === 0x68 && l >= HOST_SIDE.min && l <= HOST_SIDE.max) return true;
  }
  return false;
}
