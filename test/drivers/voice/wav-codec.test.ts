import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { joinPcm, msToFrames, type JoinPart } from '../../../drivers/voice/pcm-join.js';
import { encodeWav, frameBytes, frameCount, parseWav, sameFormat, wavHeader, type PcmFormat, type WavAudio } from '../../../drivers/voice/wav-codec.js';
import { clip, FORMAT } from './clip-fixture.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  out.set(Buffer.from(id, 'latin1'), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function riff(...chunks: Uint8Array[]): Uint8Array {
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return new Uint8Array(Buffer.concat([head, body]));
}

function fmtBody(f: PcmFormat, tag = 1, blockAlign = frameBytes(f)): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(f.channels, 2);
  b.writeUInt32LE(f.sampleRate, 4);
  b.writeUInt32LE(f.sampleRate * frameBytes(f), 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(f.bitsPerSample, 14);
  return new Uint8Array(b);
}

const formatArb: fc.Arbitrary<PcmFormat> = fc.record({
  sampleRate: fc.integer({ min: 1, max: 192000 }),
  channels: fc.integer({ min: 1, max: 8 }),
  bitsPerSample: fc.constantFrom(8 as const, 16 as const, 24 as const, 32 as const),
});

const audioArb: fc.Arbitrary<WavAudio> = formatArb.chain((format) =>
  fc.integer({ min: 0, max: 64 }).chain((frames) =>
    fc.uint8Array({ minLength: frames * frameBytes(format), maxLength: frames * frameBytes(format) }).map((data) => ({ format, data })),
  ),
);

describe('wav codec: golden bytes', () => {
  it('writes the canonical 44-byte header for 16 kHz mono s16 with 1000 data bytes', () => {
    expect(hex(wavHeader(FORMAT, 1000))).toBe(
      '52494646' + '0c040000' + '57415645' + // "RIFF", 36 + 1000, "WAVE"
        '666d7420' + '10000000' + '0100' + '0100' + // "fmt ", 16, PCM, 1 channel
        '803e0000' + '007d0000' + '0200' + '1000' + // 16000 Hz, 32000 B/s, block align 2, 16 bits
        '64617461' + 'e8030000', // "data", 1000
    );
  });

  it('writes the canonical header for 44.1 kHz stereo s16', () => {
    expect(hex(wavHeader({ sampleRate: 44100, channels: 2, bitsPerSample: 16 }, 4))).toBe(
      '52494646' + '28000000' + '57415645' + '666d7420' + '10000000' + '0100' + '0200' + // 2 channels
        '44ac0000' + '10b10200' + '0400' + '1000' + // 44100 Hz, 176400 B/s, block align 4, 16 bits
        '64617461' + '04000000',
    );
  });

  it('pads odd-sized data with one byte and counts it in the RIFF size', () => {
    const f: PcmFormat = { sampleRate: 8000, channels: 1, bitsPerSample: 8 };
    const out = encodeWav({ format: f, data: new Uint8Array([1, 2, 3]) });
    expect(out.length).toBe(44 + 3 + 1);
    expect(new DataView(out.buffer).getUint32(4, true)).toBe(36 + 4);
    expect(new DataView(out.buffer).getUint32(40, true)).toBe(3);
  });
});

describe('wav codec: parsing', () => {
  const samples = new Uint8Array([1, 0, 2, 0, 3, 0]);

  it('skips unknown chunks, including the pad byte of an odd-sized one, before and after fmt', () => {
    const wav = riff(chunk('LIST', new Uint8Array([9, 9, 9])), chunk('fmt ', fmtBody(FORMAT)), chunk('fact', new Uint8Array(5)), chunk('data', samples));
    const r = parseWav(wav);
    expect(r).toEqual({ ok: true, wav: { format: FORMAT, data: samples } });
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with the PCM subformat', () => {
    const ext = new Uint8Array(40);
    ext.set(fmtBody(FORMAT, 0xfffe), 0);
    new DataView(ext.buffer).setUint16(24, 1, true);
    const r = parseWav(riff(chunk('fmt ', ext), chunk('data', samples)));
    expect(r.ok && r.wav.format).toEqual(FORMAT);
  });

  it.each([
    ['TOO_SHORT', new Uint8Array(8)],
    ['NOT_RIFF', new Uint8Array(Buffer.from('RIFX\0\0\0\0WAVE'))],
    ['NOT_WAVE', new Uint8Array(Buffer.from('RIFF\0\0\0\0AVI '))],
    ['NO_FMT', riff(chunk('data', samples))],
    ['NO_DATA', riff(chunk('fmt ', fmtBody(FORMAT)))],
    ['NOT_PCM', riff(chunk('fmt ', fmtBody(FORMAT, 3)), chunk('data', samples))],
    ['FMT_INVALID', riff(chunk('fmt ', fmtBody(FORMAT, 1, 4)), chunk('data', samples))],
    ['FMT_INVALID', riff(chunk('fmt ', new Uint8Array(14)), chunk('data', samples))],
    ['PARTIAL_FRAME', riff(chunk('fmt ', fmtBody(FORMAT)), chunk('data', new Uint8Array(5)))],
    // A streamed WAV (espeak-ng --stdout) claims 0x7ffff000 data bytes it never wrote.
    ['CHUNK_TRUNCATED', encodeWav(clip(10, 1)).map((b, i) => (i >= 40 && i < 44 ? [0x00, 0xf0, 0xff, 0x7f][i - 40] ?? b : b))],
  ])('reports %s as a value', (type, bytes) => {
    const r = parseWav(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.type).toBe(type);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const r = parseWav(b);
        return typeof r.ok === 'boolean';
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on corrupted valid WAVs, and any success is a whole number of frames', () => {
    fc.assert(
      fc.property(audioArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(), (a, edits, cut) => {
        const b = encodeWav(a).slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        const r = parseWav(b.subarray(0, b.length - (cut % 8)));
        return !r.ok || r.wav.data.length % frameBytes(r.wav.format) === 0;
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips: parse(encode(x)) is x, sample for sample', () => {
    fc.assert(
      fc.property(audioArb, (a) => {
        const r = parseWav(encodeWav(a));
        return r.ok && sameFormat(r.wav.format, a.format) && Buffer.from(r.wav.data).equals(Buffer.from(a.data));
      }),
    );
  });
});

describe('joinPcm', () => {
  it('puts the clips in order with zero samples for the gaps, no header bytes between', () => {
    const out = joinPcm(FORMAT, [clip(2, 7), { silenceFrames: 3 }, clip(1, -2)]);
    expect(Array.from(new Int16Array(out.data.buffer.slice(0)))).toEqual([7, 7, 0, 0, 0, -2]);
  });

  it('uses 0x80 as silence for unsigned 8-bit audio', () => {
    const f: PcmFormat = { sampleRate: 8000, channels: 2, bitsPerSample: 8 };
    const out = joinPcm(f, [{ format: f, data: new Uint8Array([1, 2]) }, { silenceFrames: 1 }]);
    expect(Array.from(out.data)).toEqual([1, 2, 0x80, 0x80]);
  });

  it('output frames = sum of the parts exactly (property)', () => {
    fc.assert(
      fc.property(formatArb, fc.array(fc.oneof(fc.nat({ max: 50 }).map((n) => ({ silence: n })), fc.nat({ max: 50 }).map((n) => ({ clip: n }))), { maxLength: 12 }), (format, spec) => {
        const parts: JoinPart[] = spec.map((s) =>
          'silence' in s ? { silenceFrames: s.silence } : { format, data: new Uint8Array(s.clip * frameBytes(format)).fill(1) },
        );
        const expected = spec.reduce((n, s) => n + ('silence' in s ? s.silence : s.clip), 0);
        const out = joinPcm(format, parts);
        const back = parseWav(encodeWav(out));
        return frameCount(out) === expected && back.ok && frameCount(back.wav) === expected;
      }),
    );
  });

  it('refuses a clip in another format with AUDIO_FAILED', () => {
    const other = clip(4, 1, { sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(() => joinPcm(FORMAT, [clip(4, 1), other])).toThrow(expect.objectContaining({ code: 'AUDIO_FAILED' }) as Error);
    try {
      joinPcm(FORMAT, [{ silenceFrames: 1.5 }]);
      expect.unreachable();
    } catch (e) {
      expect(isHallqError(e, 'AUDIO_FAILED')).toBe(true);
    }
  });

  it('converts milliseconds to whole frames', () => {
    expect(msToFrames(FORMAT, 1000)).toBe(16000);
    expect(msToFrames(FORMAT, 40)).toBe(640);
    expect(msToFrames({ sampleRate: 22050, channels: 1, bitsPerSample: 16 }, 10)).toBe(221);
  });
});
