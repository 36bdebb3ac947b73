/**
 * The clip library: one WAV clip per token, every clip in ONE PCM format, so a call is joined by copying samples.
 * Loading checks every clip up front and names the offending file, so a bad clip is found at start-up,
 * not in the middle of a call.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HallqError } from '../common/error.js';
import { fileProblem } from '../common/system-words.js';
import type { Logger } from '../common/logger.js';
import { clipManifestSchema, MANIFEST_FILE } from './clip-manifest.js';
import { formatLabel, frameCount, parseWav, sameFormat, type PcmFormat, type WavAudio } from './wav-codec.js';

export class ClipLibrary {
  constructor(
    readonly format: PcmFormat,
    private readonly clips: ReadonlyMap<string, WavAudio>,
  ) {
    for (const [token, clip] of clips) {
      if (!sameFormat(clip.format, format)) {
        throw new HallqError('AUDIO_FAILED', `clip "${token}" is ${formatLabel(clip.format)}, library is ${formatLabel(format)}`, { token });
      }
    }
  }

  has(token: string): boolean {
    return this.clips.has(token);
  }

  get(token: string): WavAudio | undefined {
    return this.clips.get(token);
  }

  tokens(): string[] {
    return [...this.clips.keys()];
  }

  /** The tokens of a phrase that have no clip, each once, in order of first appearance. */
  missing(tokens: readonly string[]): string[] {
    return [...new Set(tokens.filter((t) => !this.clips.has(t)))];
  }
}

async function readOrThrow(path: string, what: string, whatZh: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    // In words (never Node's "ENOENT: no such file or directory, open …"); the errno kept for whoever says what to do.
    const p = fileProblem('read', path, e);
    throw new HallqError('CONFIG_NOT_FOUND', `${what}: ${p.en}`, { file: path, errno: p.errno, messageZh: `${whatZh}：${p.zh}` }, { cause: e });
  }
}

/** Loads dir/clips.json and every clip it names. Throws HallqError naming the file on the first bad one. */
export async function loadClipLibrary(dir: string, logger: Logger): Promise<ClipLibrary> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const text = (await readOrThrow(manifestPath, 'clip manifest', '语音片段清单')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HallqError('CONFIG_INVALID', `${manifestPath} is not JSON: ${(e as Error).message}`, { file: manifestPath }, { cause: e });
  }
  const parsed = clipManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.map(String).join('.');
    throw new HallqError('CONFIG_INVALID', `${manifestPath}: ${where} ${issue?.message ?? 'invalid'}`.trim(), { file: manifestPath, path: where });
  }
  const manifest = parsed.data;
  let format: PcmFormat | undefined = manifest.format;
  let formatFrom = manifestPath;
  const clips = new Map<string, WavAudio>();
  for (const [token, file] of Object.entries(manifest.clips)) {
    const path = join(dir, file);
    const r = parseWav(await readOrThrow(path, `clip for "${token}"`, `“${token}”的语音片段`));
    if (!r.ok) {
      throw new HallqError('AUDIO_FAILED', `clip ${path} for "${token}" is not a usable WAV: ${r.error.message}`, { file: path, token, reason: r.error.type });
    }
    if (format === undefined) {
      format = r.wav.format;
      formatFrom = path;
    } else if (!sameFormat(format, r.wav.format)) {
      throw new HallqError(
        'AUDIO_FAILED',
        `clip ${path} for "${token}" is ${formatLabel(r.wav.format)}, but ${formatFrom} sets ${formatLabel(format)}; convert it with sox`,
        { file: path, token },
      );
    }
    if (frameCount(r.wav) === 0) throw new HallqError('AUDIO_FAILED', `clip ${path} for "${token}" is empty`, { file: path, token });
    clips.set(token, r.wav);
  }
  if (format === undefined) throw new HallqError('CONFIG_INVALID', `${manifestPath} lists no clips`, { file: manifestPath });
  logger.info({ dir, clips: clips.size, format: formatLabel(format) }, 'clip library loaded');
  return new ClipLibrary(format, clips);
}
