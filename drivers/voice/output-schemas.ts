/**
 * What the config needs of each voice output (`agents[].devices.voice.output`), without its sink: the device
 * kind in the health list. Kept apart from outputs.ts (which adds the sink) so the config schema, which the
 * hall server loads too, pulls in no player. A new output is added here and in outputs.ts alone.
 */
export const voiceOutputSchemas = {
  /** ALSA's aplay (alsa-utils) on the mini-PC's sound card; `device` picks the card. */
  aplay: { kind: 'voice-aplay' },
  /** Each call written as a WAV file into `wavDir` (the demo, rehearsals without speakers). */
  wav: { kind: 'voice-wav' },
} as const satisfies Record<string, { kind: string }>;

export type VoiceOutputId = keyof typeof voiceOutputSchemas;
/** For z.enum: every output id, the default (`aplay`) first. */
export const voiceOutputIds = Object.keys(voiceOutputSchemas) as [VoiceOutputId, ...VoiceOutputId[]];
