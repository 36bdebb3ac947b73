import type { z } from 'zod';
import { int } from '../common/int-schema.js';

/**
 * What the config needs of each caller/rating keypad protocol (`agents[].devices.rs485[].keypads[].protocol`),
 * without its driver: what `address` means. Kept apart from protocols.ts (which adds the driver and the
 * emulator) so the config schema, which the hall server loads too, pulls in no keypad driver.
 */
export const keypadProtocolSchemas = {
  /** `FF 68 L L 68 ADDR FUNC DATA… CS 16` frames (drivers/keypad/README.md): address 1–254. */
  ff68: { address: int(1, 254) },
} as const satisfies Record<string, { address: z.ZodType<number> }>;

/** Every address some protocol above accepts (the config's JSON Schema shows it; each protocol then checks its own). */
export const keypadAnyAddress = int(1, 254);

export type KeypadProtocolId = keyof typeof keypadProtocolSchemas;
/** For z.enum: every protocol id, the default (`ff68`) first. */
export const keypadProtocolIds = Object.keys(keypadProtocolSchemas) as [KeypadProtocolId, ...KeypadProtocolId[]];
