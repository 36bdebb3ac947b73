/** Writes each announcement to its own WAV file: for tests (measure with sox), the demo, and halls without a speaker. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HallqError } from '../common/error.js';
import { fileProblem } from '../common/system-words.js';
import type { PlayInfo, Sink } from './sink.js';

export class WavFileSink implements Sink {
  /** Paths written, in order. */
  readonly written: string[] = [];

  constructor(readonly dir: string) {}

  async play(wav: Uint8Array, info: PlayInfo): Promise<void> {
    const name = `${String(info.seq).padStart(4, '0')}-${info.label.replace(/[^A-Za-z0-9_@-]/g, '_')}.wav`;
    const path = join(this.dir, name);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(path, wav);
    } catch (e) {
      const p = fileProblem('write', path, e);
      throw new HallqError('AUDIO_FAILED', p.en, { file: path, messageZh: p.zh }, { cause: e });
    }
    this.written.push(path);
  }
}
