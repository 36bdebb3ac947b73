/** Where rendered announcements go: the speaker (AplaySink) or files (WavFileSink). */

export interface PlayInfo {
  /** The announcement's sequence number, increasing from 1 per announcer. */
  seq: number;
  /** Short description for logs and file names, e.g. "A012@3". Never personal data. */
  label: string;
  durationMs: number;
}

export interface Sink {
  /** Resolves when the audio has finished playing (or been stored); rejects with HallqError AUDIO_FAILED. */
  play(wav: Uint8Array, info: PlayInfo): Promise<void>;
}
