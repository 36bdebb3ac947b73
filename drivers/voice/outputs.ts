import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { AplaySink } from './aplay-sink.js';
import { voiceOutputSchemas, type VoiceOutputId } from './output-schemas.js';
import type { Sink } from './sink.js';
import { WavFileSink } from './wav-file-sink.js';

/** Where one voice output plays, from the voice config's own keys. */
export interface VoiceOutputOptions {
  logger: Logger;
  /** ALSA device for aplay, e.g. "plughw:0,0". */
  device?: string;
  /** Where the wav output writes each call (default a folder under the system's temp dir). */
  wavDir?: string;
}

/**
 * One voice output, as the rest of hallq sees it: its device kind and its sink. The agent's DeviceManager,
 * the config schema (output-schemas.ts) and the demo (the wav output) read this registry.
 */
export interface VoiceOutput {
  kind: string;
  sink(o: VoiceOutputOptions): Sink;
}

export const voiceOutputs = {
  aplay: { ...voiceOutputSchemas.aplay, sink: (o) => new AplaySink({ logger: o.logger, ...(o.device ? { device: o.device } : {}) }) },
  wav: { ...voiceOutputSchemas.wav, sink: (o) => new WavFileSink(o.wavDir ?? join(tmpdir(), 'hallq-voice')) },
} as const satisfies Record<VoiceOutputId, VoiceOutput>;

export { voiceOutputIds, type VoiceOutputId } from './output-schemas.js';
