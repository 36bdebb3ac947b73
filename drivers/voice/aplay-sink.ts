/**
 * Plays through ALSA with `aplay -q -`, the WAV on stdin. aplay returns when playback ends, which is what keeps
 * calls from overlapping. A missing aplay, a busy or absent sound card, or a hung aplay is HallqError AUDIO_FAILED.
 */
import type { Logger } from '../common/logger.js';
import { runTool } from './run-tool.js';
import type { PlayInfo, Sink } from './sink.js';

export interface AplayOptions {
  logger: Logger;
  /** Path or name of the aplay binary. */
  command?: string;
  /** ALSA device (aplay -D), e.g. "plughw:1,0"; default: ALSA's default device. */
  device?: string;
  /** Allowed beyond the audio's duration before a hung aplay is killed. */
  slackMs?: number;
}

export class AplaySink implements Sink {
  constructor(private readonly opts: AplayOptions) {}

  async play(wav: Uint8Array, info: PlayInfo): Promise<void> {
    const args = ['-q', ...(this.opts.device === undefined ? [] : ['-D', this.opts.device]), '-'];
    try {
      await runTool(this.opts.command ?? 'aplay', args, wav, info.durationMs + (this.opts.slackMs ?? 5000));
    } catch (e) {
      this.opts.logger.error({ err: e, seq: info.seq, label: info.label }, 'aplay failed');
      throw e;
    }
  }
}
