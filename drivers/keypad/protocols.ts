import type { BusPort } from '../rs485/bus-port.js';
import type { z } from 'zod';
import { Keypad, type KeypadOptions } from './driver.js';
import { KeypadEmulator, type KeypadEmulatorOptions } from './emulator.js';
import { keypadProtocolSchemas, type KeypadProtocolId } from './protocol-schemas.js';

/** What the agent gives every keypad driver, whatever its protocol. */
export type KeypadDriverOptions = Omit<KeypadOptions, 'bus' | 'address' | 'protocol'>;

/**
 * What the demo and `hallq emulate rs485` give every keypad emulator: its mode, and which poll frames it
 * answers (the line's `keypadPolling.frames`, so it behaves as firmware implementing that kind; default both).
 */
export type KeypadEmulatorSetup = Pick<KeypadEmulatorOptions, 'mode' | 'pollFrames'>;

/**
 * One caller/rating keypad protocol on an RS-485 line, as the rest of hallq sees it: the config schema of
 * its address, the driver (the flows speak to a `Keypad`), the emulator. The agent's DeviceManager, the
 * config schema (protocol-schemas.ts), the demo and `hallq emulate rs485` read `keypadProtocols`, so a new
 * protocol is added here and in protocol-schemas.ts (and its own files in this folder) alone.
 */
export interface KeypadProtocolEntry {
  address: z.ZodType<number>;
  create(bus: BusPort, address: number, opts: KeypadDriverOptions): Keypad;
  emulator(address: number, setup?: KeypadEmulatorSetup): KeypadEmulator;
}

export const keypadProtocols = {
  ff68: {
    ...keypadProtocolSchemas.ff68,
    create: (bus, address, opts) => new Keypad({ ...opts, bus, address }),
    emulator: (address, setup = {}) => new KeypadEmulator({ ...setup, address }),
  },
} as const satisfies Record<KeypadProtocolId, KeypadProtocolEntry>;

export { keypadProtocolIds, type KeypadProtocolId } from './protocol-schemas.js';
