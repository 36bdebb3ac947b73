/** Synthetic clips for the voice tests: each token's samples hold a distinct value, so order errors show. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipLibrary } from '../../../drivers/voice/clip-library.js';
import { encodeWav, type PcmFormat, type WavAudio } from '../../../drivers/voice/wav-codec.js';

export const FORMAT: PcmFormat = { sampleRate: 16000, channels: 1, bitsPerSample: 16 };

/** `frames` 16-bit samples all equal to `value`. */
export function clip(frames: number, value: number, format: PcmFormat = FORMAT): WavAudio {
  const data = new Uint8Array(frames * format.channels * (format.bitsPerSample / 8));
  const v = new DataView(data.buffer);
  for (let i = 0; i + 1 < data.length; i += 2) v.setInt16(i, value, true);
  return { format, data };
}

/** A library holding `tokens`, the i-th clip 100 + 10·i frames of value i + 1. */
export function syntheticLibrary(tokens: readonly string[]): ClipLibrary {
  return new ClipLibrary(FORMAT, new Map(tokens.map((t, i) => [t, clip(100 + 10 * i, i + 1)])));
}

export const CALL_TOKENS = ['请', 'A', '零', '一', '二', '三', '号', '到', '窗口', '办理'] as const;

const made: string[] = [];

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hallq-voice-${prefix}-`));
  made.push(dir);
  return dir;
}

/** For afterAll: removes every directory tempDir made in this test file. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Writes clips and a manifest (token → `${name}.wav`) into dir. */
export async function writeLibrary(dir: string, clips: Record<string, WavAudio>, names: Record<string, string> = {}): Promise<void> {
  const manifest: { version: 1; clips: Record<string, string> } = { version: 1, clips: {} };
  let i = 0;
  for (const [token, wav] of Object.entries(clips)) {
    const file = names[token] ?? `clip-${i++}.wav`;
    await writeFile(join(dir, file), encodeWav(wav));
    manifest.clips[token] = file;
  }
  await writeFile(join(dir, 'clips.json'), JSON.stringify(manifest));
}
