/**
 * espeak-ng rendered straight into the library's PCM format: the generator of the default clips, and the
 * fallback for text the library has no clip for (a missing token, a notice). espeak-ng writes 22050 Hz mono;
 * sox converts it, so the result can be joined with recorded clips sample-exactly.
 */
import { runTool } from './run-tool.js';
import { HallqError } from '../common/error.js';
import { frameBytes, type PcmFormat, type WavAudio } from './wav-codec.js';

export interface EspeakOptions {
  /** The library format to render into. */
  format: PcmFormat;
  /** espeak-ng voice (default cmn-latn-pinyin; see DEFAULT_VOICE). */
  voice?: string;
  /** Words per minute (espeak-ng -s); 150 is clear in a noisy hall, 175 is espeak-ng's default. */
  rate?: number;
  /** Cut leading and trailing silence, so clips join without dead air (the joiner adds fixed gaps instead). */
  trimSilence?: boolean;
  espeakPath?: string;
  soxPath?: string;
}

/**
 * Not plain `cmn`: in espeak-ng 1.51 (Debian 12) that voice turns most characters into pinyin with a tone digit
 * and then reads the Latin as English (号 → "hao four"). cmn-latn-pinyin reads the same pinyin as Mandarin.
 * Both read single capital letters the same way (A → ei, B → bi).
 */
export const DEFAULT_VOICE = 'cmn-latn-pinyin';
export const DEFAULT_RATE = 150;

// Below -50 dBFS counts as silence; 20 ms of sound ends the silence (so a click does not).
const TRIM = ['silence', '1', '0.02', '-50d', 'reverse', 'silence', '1', '0.02', '-50d', 'reverse'];

export async function espeakToPcm(text: string, opts: EspeakOptions): Promise<WavAudio> {
  const { format } = opts;
  // Text goes on stdin, so a notice that starts with "-" is never read as an option.
  const speech = await runTool(
    opts.espeakPath ?? 'espeak-ng',
    ['-v', opts.voice ?? DEFAULT_VOICE, '-s', String(opts.rate ?? DEFAULT_RATE), '-b', '1', '--stdin', '--stdout'],
    text,
  );
  if (speech.stdout.length === 0) {
    throw new HallqError('AUDIO_FAILED', `espeak-ng produced no audio for "${text}": ${speech.stderr.trim()}`, { voice: opts.voice ?? DEFAULT_VOICE });
  }
  // -D: no dither, so a clip renders to the same samples every time; -G: guard against clipping when resampling.
  const args = ['-V1', '-D', '-G', '-t', 'wav', '-', '-t', 'raw', '-r', String(format.sampleRate), '-c', String(format.channels)];
  args.push('-b', String(format.bitsPerSample), '-e', format.bitsPerSample === 8 ? 'unsigned-integer' : 'signed-integer', '-');
  if (opts.trimSilence ?? true) args.push(...TRIM);
  const raw = await runTool(opts.soxPath ?? 'sox', args, speech.stdout);
  const data = raw.stdout.subarray(0, raw.stdout.length - (raw.stdout.length % frameBytes(format)));
  if (data.length === 0) throw new HallqError('AUDIO_FAILED', `"${text}" rendered to silence`, { text });
  return { format, data: new Uint8Array(data) };
}
