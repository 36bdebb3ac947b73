/**
 * Generates the default clip library with espeak-ng and sox, at install time. The manifest is written last and
 * atomically, so an interrupted run leaves a directory that fails to load instead of a half library that loads.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HallqError } from '../common/error.js';
import type { Logger } from '../common/logger.js';
import { MANIFEST_FILE, type ClipManifest } from './clip-manifest.js';
import { DEFAULT_CLIPS } from './default-clips.js';
import { espeakToPcm, type EspeakOptions } from './espeak-tts.js';
import { encodeWav, type PcmFormat } from './wav-codec.js';

/** 16 kHz mono 16-bit: telephone-plus quality, plenty for speech through a hall's PA, small clips. */
export const LIBRARY_FORMAT: PcmFormat = { sampleRate: 16000, channels: 1, bitsPerSample: 16 };

export interface GenerateOptions extends Partial<Omit<EspeakOptions, 'format'>> {
  format?: PcmFormat;
  /** Only these tokens (default: all of DEFAULT_CLIPS); a token outside the default set is an error. */
  tokens?: readonly string[];
  logger: Logger;
}

/** Writes one WAV per token and clips.json into dir; returns the manifest written. */
export async function generateDefaultClips(dir: string, opts: GenerateOptions): Promise<ClipManifest> {
  const format = opts.format ?? LIBRARY_FORMAT;
  const wanted = opts.tokens ?? DEFAULT_CLIPS.map((c) => c.token);
  const clips = wanted.map((t) => {
    const c = DEFAULT_CLIPS.find((d) => d.token === t);
    if (c === undefined) throw new HallqError('CONFIG_INVALID', `"${t}" is not in the default clip set`, { token: t });
    return c;
  });
  await mkdir(dir, { recursive: true });
  const manifest: ClipManifest = { version: 1, format, clips: {} };
  for (const c of clips) {
    const pcm = await espeakToPcm(c.text, { ...opts, format });
    await writeFile(join(dir, c.file), encodeWav(pcm));
    manifest.clips[c.token] = c.file;
  }
  const tmp = join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, join(dir, MANIFEST_FILE));
  opts.logger.info({ dir, clips: clips.length, voice: opts.voice }, 'default clips generated');
  return manifest;
}
