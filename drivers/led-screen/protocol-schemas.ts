import type { z } from 'zod';
import { int } from '../common/int-schema.js';

/**
 * What the config needs of each LED window-screen protocol, without its driver or emulator: its device
 * kind and what `address` means. Kept apart from protocols.ts (which adds the driver and the emulator)
 * so that the config schema, which the hall server loads too, pulls in no screen driver.
 */
export const screenProtocolSchemas = {
  /** Onbon BX-5/6 (drivers/led-screen/README.md): address 0–0xFFFE. */
  bx: { kind: 'led-bx', address: int(0, 0xfffe) },
  /** The common 外接叫号屏 card protocol: card id 0–0xFFFE. */
  'external-call': { kind: 'led-external-call', address: int(0, 0xfffe) },
} as const satisfies Record<string, { kind: string; address: z.ZodType<number> }>;

export type ScreenProtocolId = keyof typeof screenProtocolSchemas;

/**
 * `screens[].redrawSeconds`' default: an idle screen is drawn again with its present text ten minutes after
 * it confirmed it. Not a minute: each redraw is a frame a call can land behind (~119 ms at 9600 baud), and at
 * 60 s a line of 40 screens spent 8 % of its time on them, so about one call in twelve waited one more frame
 * (issue 12: call → frame p99 ≤ 1.2 × its wire time); at 600 s, 0.8 %. A blanked screen shows its text again
 * within ten minutes, or at its window's next call, whichever is first.
 */
export const SCREEN_REDRAW_SECONDS = 600;
/** For z.enum: every protocol id, the default (`bx`) first. */
export const screenProtocolIds = Object.keys(screenProtocolSchemas) as [ScreenProtocolId, ...ScreenProtocolId[]];
