/**
 * Turns tokens (or a call) into one WAV: the clips joined sample-exactly with a fixed gap between tokens, the
 * whole phrase repeated with a pause between repetitions. Tokens the library lacks go to the fallback TTS.
 */
import { HallqError } from '../common/error.js';
import type { ClipLibrary } from './clip-library.js';
import { joinPcm, type JoinPart } from './pcm-join.js';
import { callPhrase, DEFAULT_CALL_TEMPLATE, type VoiceCall } from './phrase.js';
import type { WavAudio } from './wav-codec.js';

/** Speaks text the library has no clip for, in the library's format (see espeakToPcm). */
export type FallbackTts = (text: string) => Promise<WavAudio>;

export interface RenderOptions {
  /** Silence between tokens, in frames. */
  gapFrames?: number;
  /** How many times the phrase is spoken (≥ 1). */
  repeat?: number;
  /** Silence between repetitions, in frames. */
  pauseFrames?: number;
  fallback?: FallbackTts;
}

/**
 * Frames out = repeat × (sum of token frames + (tokens − 1) × gap) + (repeat − 1) × pause, exactly.
 * Without a fallback, a token with no clip is HallqError AUDIO_FAILED naming every missing token.
 */
export async function renderTokens(library: ClipLibrary, tokens: readonly string[], opts: RenderOptions = {}): Promise<WavAudio> {
  const repeat = opts.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new HallqError('AUDIO_FAILED', `repeat ${repeat} is not a whole number ≥ 1`);
  if (tokens.length === 0) throw new HallqError('AUDIO_FAILED', 'nothing to say: no tokens');
  const missing = library.missing(tokens);
  const spoken = new Map<string, WavAudio>();
  if (missing.length > 0) {
    if (opts.fallback === undefined) {
      throw new HallqError('AUDIO_FAILED', `no clip for ${missing.map((t) => `"${t}"`).join(', ')}`, { missing });
    }
    for (const t of missing) spoken.set(t, await opts.fallback(t));
  }
  const phrase: JoinPart[] = [];
  tokens.forEach((t, i) => {
    if (i > 0 && (opts.gapFrames ?? 0) > 0) phrase.push({ silenceFrames: opts.gapFrames ?? 0 });
    const clip = library.get(t) ?? spoken.get(t);
    // Unreachable: every token is either in the library or was just rendered by the fallback.
    if (clip === undefined) throw new HallqError('INTERNAL', `token "${t}" vanished`);
    phrase.push(clip);
  });
  const parts: JoinPart[] = [];
  for (let r = 0; r < repeat; r++) {
    if (r > 0 && (opts.pauseFrames ?? 0) > 0) parts.push({ silenceFrames: opts.pauseFrames ?? 0 });
    parts.push(...phrase);
  }
  return joinPcm(library.format, parts);
}

/** A call spoken through the template; an unreadable ticket or bad window is HallqError PAYLOAD_INVALID. */
export async function renderCall(
  library: ClipLibrary,
  call: VoiceCall,
  opts: RenderOptions & { template?: string } = {},
): Promise<WavAudio> {
  const phrase = callPhrase(call, opts.template ?? DEFAULT_CALL_TEMPLATE);
  if (!phrase.ok) throw new HallqError('PAYLOAD_INVALID', phrase.error.message, { reason: phrase.error.type, ticket: call.ticket });
  return renderTokens(library, phrase.tokens, opts);
}
