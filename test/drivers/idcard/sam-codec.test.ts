import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PREAMBLE,
  SamFramer,
  encodeBaudSwitch,
  encodeCommand,
  encodeReply,
  encodeRequest,
  statusName,
  type SamCommandName,
  type SamReply,
} from '../../../drivers/idcard/sam-codec.js';

const bytes = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SAM request encoding (golden bytes)', () => {
  // The three examples printed in the protocol document.
  it('encodes the documented examples', () => {
    expect(encodeCommand('findCard')).toEqual(bytes('AA AA AA 96 69 00 03 20 01 22'));
    expect(encodeCommand('selectCard')).toEqual(bytes('AA AA AA 96 69 00 03 20 02 21'));
    expect(encodeCommand('readText')).toEqual(bytes('AA AA AA 96 69 00 03 30 01 32'));
  });

  // Every row of the command table; CHK worked by hand: 00 ^ 03 ^ CMD ^ PARA.
  const rows: Array<[SamCommandName, string]> = [
    ['reset', 'AA AA AA 96 69 00 03 10 FF EC'],
    ['status', 'AA AA AA 96 69 00 03 11 FF ED'],
    ['readSamId', 'AA AA AA 96 69 00 03 12 FF EE'],
    ['findCard', 'AA AA AA 96 69 00 03 20 01 22'],
    ['selectCard', 'AA AA AA 96 69 00 03 20 02 21'],
    ['readText', 'AA AA AA 96 69 00 03 30 01 32'],
    ['readAppendedAddress', 'AA AA AA 96 69 00 03 30 03 30'],
    ['readWithFingerprint', 'AA AA AA 96 69 00 03 30 10 23'],
  ];
  it.each(rows)('%s', (name, golden) => {
    expect(encodeCommand(name)).toEqual(bytes(golden));
  });

  it.each([
    [115200, 'AA AA AA 96 69 00 03 60 00 63'],
    [57600, 'AA AA AA 96 69 00 03 60 01 62'],
    [38400, 'AA AA AA 96 69 00 03 60 02 61'],
    [19200, 'AA AA AA 96 69 00 03 60 03 60'],
    [9600, 'AA AA AA 96 69 00 03 60 04 67'],
  ] as const)('baud switch to %i', (rate, golden) => {
    expect(encodeBaudSwitch(rate)).toEqual(bytes(golden));
  });
});

describe('SAM replies (golden bytes from published captures)', () => {
  it('decodes a read failure and an authentication failure', () => {
    const f = new SamFramer('reply');
    const out = f.push(bytes('aa aa aa 96 69 00 04 00 00 41 45 aa aa aa 96 69 00 04 00 00 32 36'));
    expect(out).toEqual([
      { type: 'reply', sw1: 0, sw2: 0, sw3: 0x41, status: 'read-failed', data: Buffer.alloc(0) },
      { type: 'reply', sw1: 0, sw2: 0, sw3: 0x32, status: 'auth-failed', data: Buffer.alloc(0) },
    ]);
    expect(encodeReply(0x41)).toEqual(bytes('aa aa aa 96 69 00 04 00 00 41 45'));
  });

  it('encodes a find-card success with its four IIN bytes', () => {
    expect(encodeReply(0x9f, Buffer.alloc(4))).toEqual(bytes('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
  });

  it('starts a text+photo reply with LEN 0508 and lengths 0100, 0400', () => {
    const reply = encodeReply(0x90, Buffer.concat([bytes('01 00 04 00'), Buffer.alloc(1280)]));
    expect(reply.subarray(0, 14)).toEqual(bytes('AA AA AA 96 69 05 08 00 00 90 01 00 04 00'));
    expect(reply.length).toBe(1295);
  });

  it('names every documented SW3', () => {
    expect([0x90, 0x9f, 0x80, 0x81, 0x41, 0x10, 0x11, 0x21, 0x24, 0x31, 0x32, 0x33, 0x40, 0x47, 0x60, 0x66].map(statusName)).toEqual([
      'ok', 'card-found', 'find-failed', 'select-failed', 'read-failed', 'checksum-error', 'length-error', 'bad-command',
      'unknown-error', 'auth-failed', 'auth-failed', 'auth-failed', 'wrong-card', 'random-number-error', 'self-test-failed', 'not-authorised',
    ]);
    expect(statusName(0x55)).toBe('unrecognised');
  });
});

describe('SAM framer', () => {
  it('reports a bad checksum and a bad length as values, then finds the next frame', () => {
    const good = encodeReply(0x90);
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 1]! ^= 0x01;
    const badLen = Buffer.concat([PREAMBLE, bytes('00 01')]);
    const out = new SamFramer('reply').push(Buffer.concat([corrupt, badLen, good]));
    expect(out.map((m) => m.type)).toEqual(['bad-checksum', 'bad-length', 'reply']);
  });

  it('rejects a LEN beyond the maximum instead of waiting for it', () => {
    const f = new SamFramer('reply', { maxLength: 100 });
    expect(f.push(Buffer.concat([PREAMBLE, bytes('01 00')]))).toEqual([{ type: 'bad-length', length: 256 }]);
  });

  it('keeps no more than a possible preamble prefix of garbage', () => {
    const f = new SamFramer('reply');
    f.push(Buffer.alloc(10_000, 0x11));
    expect(f.pending).toBeLessThan(PREAMBLE.length);
  });

  const replyArb = fc.record({
    sw1: fc.integer({ min: 0, max: 255 }),
    sw2: fc.integer({ min: 0, max: 255 }),
    sw3: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  });
  const noArb = fc.uint8Array({ maxLength: 40 }).filter((a) => Buffer.from(a).indexOf(PREAMBLE) < 0).map((a) => Buffer.from(a));

  it('never throws on random bytes, in either direction', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const a = new SamFramer('reply');
        const b = new SamFramer('request');
        for (const c of chunks) {
          a.push(c);
          b.push(c);
        }
      }),
    );
  });

  it('finds exactly the frames hidden in noise, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noArb, replyArb), { maxLength: 6 }),
        noArb,
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 12 }),
        (parts, tail, cutsRaw) => {
          const stream = Buffer.concat([...parts.flatMap(([noise, r]) => [noise, encodeReply(r.sw3, r.data, r.sw1, r.sw2)]), tail]);
          const cuts = [...new Set(cutsRaw.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
          const f = new SamFramer('reply');
          const out = [];
          let prev = 0;
          for (const c of [...cuts, stream.length]) {
            out.push(...f.push(stream.subarray(prev, c)));
            prev = c;
          }
          const expected: SamReply[] = parts.map(([, r]) => ({ type: 'reply', ...r, status: statusName(r.sw3) }));
          expect(out).toEqual(expected);
        },
      ),
    );
  });

  it('decodes several frames from one chunk, and one corrupted frame does not hide its neighbours', () => {
    fc.assert(
      fc.property(fc.array(replyArb, { minLength: 2, maxLength: 5 }), fc.nat(), (replies, pick) => {
        const frames = replies.map((r) => encodeReply(r.sw3, r.data, r.sw1, r.sw2));
        const bad = pick % frames.length;
        const broken = Buffer.from(frames[bad]!);
        broken[broken.length - 1]! ^= 0x5a;
        frames[bad] = broken;
        const out = new SamFramer('reply').push(Buffer.concat(frames));
        const kinds = out.map((m) => m.type);
        expect(kinds.filter((k) => k === 'bad-checksum').length).toBeGreaterThanOrEqual(1);
        const got = out.filter((m): m is SamReply => m.type === 'reply');
        expect(got.map((m) => m.data)).toEqual(replies.filter((_, i) => i !== bad).map((r) => r.data));
      }),
    );
  });

  it('round-trips requests through the request framer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 20 }), (cmd, para, data, step) => {
        const frame = encodeRequest(cmd, para, data);
        const f = new SamFramer('request');
        const out = [];
        for (let i = 0; i < frame.length; i += step) out.push(...f.push(frame.subarray(i, i + step)));
        expect(out).toEqual([{ type: 'request', cmd, para, data: Buffer.from(data) }]);
      }),
    );
  });
});
