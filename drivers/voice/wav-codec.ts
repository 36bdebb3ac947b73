/**
 * RIFF/WAVE PCM codec. Pure: parseWav never throws on bytes, a malformed file is an error value,
 * so the clip loader can name the offending file instead of crashing the agent.
 */

/** Integer PCM only: clips are joined by copying bytes, which is exact only for one fixed integer format. */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
  /** 8 (unsigned), 16, 24 or 32 (signed little-endian). */
  bitsPerSample: 8 | 16 | 24 | 32;
}

export interface WavAudio {
  format: PcmFormat;
  /** Interleaved PCM samples, a whole number of frames. */
  data: Uint8Array;
}

export type WavErrorType =
  | 'TOO_SHORT'
  | 'NOT_RIFF'
  | 'NOT_WAVE'
  | 'CHUNK_TRUNCATED'
  | 'NO_FMT'
  | 'NO_DATA'
  | 'FMT_INVALID'
  | 'NOT_PCM'
  | 'PARTIAL_FRAME';

export interface WavError {
  type: WavErrorType;
  message: string;
}

export type WavParseResult = { ok: true; wav: WavAudio } | { ok: false; error: WavError };

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
export const WAV_HEADER_BYTES = 44;

const fail = (type: WavErrorType, message: string): WavParseResult => ({ ok: false, error: { type, message } });

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
}

/** Bytes per frame (one sample for every channel). */
export function frameBytes(f: PcmFormat): number {
  return f.channels * (f.bitsPerSample / 8);
}

export function frameCount(wav: WavAudio): number {
  return wav.data.length / frameBytes(wav.format);
}

export function sameFormat(a: PcmFormat, b: PcmFormat): boolean {
  return a.sampleRate === b.sampleRate && a.channels === b.channels && a.bitsPerSample === b.bitsPerSample;
}

/** "16000 Hz, 1 ch, 16-bit": for error messages that tell a hall what its clips must be. */
export function formatLabel(f: PcmFormat): string {
  return `${f.sampleRate} Hz, ${f.channels} ch, ${f.bitsPerSample}-bit`;
}

function parseFmt(b: Uint8Array, at: number, size: number): { ok: true; format: PcmFormat } | { ok: false; result: WavParseResult } {
  if (size < 16) return { ok: false, result: fail('FMT_INVALID', `fmt chunk is ${size} bytes, needs at least 16`) };
  const v = new DataView(b.buffer, b.byteOffset + at, size);
  let tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bits = v.getUint16(14, true);
  // WAVE_FORMAT_EXTENSIBLE (sox writes it for some formats): the real tag is the subformat GUID's first two bytes.
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) return { ok: false, result: fail('FMT_INVALID', `extensible fmt chunk is ${size} bytes, needs 40`) };
    tag = v.getUint16(24, true);
  }
  if (tag !== WAVE_FORMAT_PCM) return { ok: false, result: fail('NOT_PCM', `format tag 0x${tag.toString(16)} is not integer PCM`) };
  if (bits !== 8 && bits !== 16 && bits !== 24 && bits !== 32) {
    return { ok: false, result: fail('FMT_INVALID', `${bits} bits per sample is not supported`) };
  }
  if (channels < 1 || sampleRate < 1) {
    return { ok: false, result: fail('FMT_INVALID', `${channels} channels at ${sampleRate} Hz`) };
  }
  const format: PcmFormat = { sampleRate, channels, bitsPerSample: bits };
  if (blockAlign !== frameBytes(format)) {
    return { ok: false, result: fail('FMT_INVALID', `block align ${blockAlign} does not match ${formatLabel(format)}`) };
  }
  return { ok: true, format };
}

/**
 * Parses a WAV file: walks the chunks after "WAVE", takes the first fmt and data chunks, skips any other chunk
 * (LIST, fact, cue…) and the pad byte after an odd-sized chunk. The RIFF size field is not trusted (many
 * writers get it wrong); chunk sizes are, so a data chunk that runs past the end is CHUNK_TRUNCATED.
 */
export function parseWav(bytes: Uint8Array): WavParseResult {
  if (bytes.length < 12) return fail('TOO_SHORT', `${bytes.length} bytes is too short for a WAV header`);
  if (fourcc(bytes, 0) !== 'RIFF') return fail('NOT_RIFF', 'does not start with RIFF');
  if (fourcc(bytes, 8) !== 'WAVE') return fail('NOT_WAVE', 'RIFF form type is not WAVE');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: PcmFormat | undefined;
  let data: Uint8Array | undefined;
  let at = 12;
  while (at + 8 <= bytes.length && (format === undefined || data === undefined)) {
    const id = fourcc(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > bytes.length) return fail('CHUNK_TRUNCATED', `chunk "${id}" claims ${size} bytes, ${bytes.length - body} remain`);
    if (id === 'fmt ' && format === undefined) {
      const f = parseFmt(bytes, body, size);
      if (!f.ok) return f.result;
      format = f.format;
    } else if (id === 'data' && data === undefined) {
      data = bytes.subarray(body, body + size);
    }
    at = body + size + (size % 2);
  }
  if (format === undefined) return fail('NO_FMT', 'no fmt chunk');
  if (data === undefined) return fail('NO_DATA', 'no data chunk');
  if (data.length % frameBytes(format) !== 0) {
    return fail('PARTIAL_FRAME', `data is ${data.length} bytes, not a whole number of ${frameBytes(format)}-byte frames`);
  }
  return { ok: true, wav: { format, data } };
}

/** The canonical 44-byte header: RIFF, WAVE, a 16-byte PCM fmt chunk, then the data chunk header. */
export function wavHeader(format: PcmFormat, dataBytes: number): Uint8Array {
  const h = new Uint8Array(WAV_HEADER_BYTES);
  const v = new DataView(h.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) h[at + i] = s.charCodeAt(i);
  };
  const fb = frameBytes(format);
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes + (dataBytes % 2), true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, WAVE_FORMAT_PCM, true);
  v.setUint16(22, format.channels, true);
  v.setUint32(24, format.sampleRate, true);
  v.setUint32(28, format.sampleRate * fb, true);
  v.setUint16(32, fb, true);
  v.setUint16(34, format.bitsPerSample, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  return h;
}

/** A whole WAV file: canonical header, the samples, and the pad byte RIFF requires after odd-sized data. */
export function encodeWav(wav: WavAudio): Uint8Array {
  const pad = wav.data.length % 2;
  const out = new Uint8Array(WAV_HEADER_BYTES + wav.data.length + pad);
  out.set(wavHeader(wav.format, wav.data.length), 0);
  out.set(wav.data, WAV_HEADER_BYTES);
  return out;
}
