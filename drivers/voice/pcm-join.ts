/**
 * Joins clips sample-exactly: the output's samples are the clips' samples back to back (plus optional silence),
 * with no resampling and no header bytes in the middle. Pure.
 */
import { HallqError } from '../common/error.js';
import { formatLabel, frameBytes, sameFormat, type PcmFormat, type WavAudio } from './wav-codec.js';

/** One piece of a joined call: a clip, or a run of silence measured in frames (samples per channel). */
export type JoinPart = WavAudio | { silenceFrames: number };

/** Frames of silence for a duration, rounded to the nearest frame so repeated renders are identical. */
export function msToFrames(format: PcmFormat, ms: number): number {
  return Math.max(0, Math.round((format.sampleRate * ms) / 1000));
}

/**
 * Concatenates the parts. A clip in another format is a programming error (the library checked every clip on
 * load, and fallback TTS renders straight to the library format), so it throws HallqError AUDIO_FAILED rather
 * than silently producing noise.
 */
export function joinPcm(format: PcmFormat, parts: readonly JoinPart[]): WavAudio {
  const fb = frameBytes(format);
  let total = 0;
  for (const p of parts) {
    if ('silenceFrames' in p) {
      if (!Number.isInteger(p.silenceFrames) || p.silenceFrames < 0) {
        throw new HallqError('AUDIO_FAILED', `silence of ${p.silenceFrames} frames is not a whole non-negative number`);
      }
      total += p.silenceFrames * fb;
    } else {
      if (!sameFormat(p.format, format)) {
        throw new HallqError('AUDIO_FAILED', `cannot join a ${formatLabel(p.format)} clip into ${formatLabel(format)} audio`);
      }
      total += p.data.length;
    }
  }
  const data = new Uint8Array(total);
  // 8-bit WAV is unsigned: its silence is 0x80, not 0.
  const silentByte = format.bitsPerSample === 8 ? 0x80 : 0;
  let at = 0;
  for (const p of parts) {
    if ('silenceFrames' in p) {
      const n = p.silenceFrames * fb;
      if (silentByte !== 0) data.fill(silentByte, at, at + n);
      at += n;
    } else {
      data.set(p.data, at);
      at += p.data.length;
    }
  }
  return { format, data };
}
