import type { z } from 'zod';
import { silentLogger, type Logger } from '../common/logger.js';
import type { EmulatedBusDevice } from '../rs485/bus-device.js';
import type { BusPort } from '../rs485/bus-port.js';
import type { UpkeepOptions } from './bus-screen.js';
import { BxScreen } from './bx-screen.js';
import { BxScreenEmulator } from './bx-emulator.js';
import { ExternalCallScreen } from './external-call-screen.js';
import { ExternalCallScreenEmulator } from './external-call-emulator.js';
import type { ScreenEmulatorBase } from './screen-emulator.js';
import type { WindowScreen } from './window-screen.js';
import { screenProtocolSchemas, type ScreenProtocolId } from './protocol-schemas.js';

/**
 * One LED window-screen protocol on an RS-485 line, as the rest of hallq sees it: the config schema
 * of its address, the driver, the emulator. The agent's DeviceManager, the config schema
 * (`agents[].devices.rs485[].screens[].protocol`), the demo and `hallq emulate rs485` all read
 * `screenProtocols` (the config schema only protocol-schemas.ts, so the server loads no screen driver),
 * so a new protocol is added here and in protocol-schemas.ts (and its own files in this folder) alone.
 */
export interface ScreenProtocol {
  /** Device kind in the agent's health list, e.g. `led-bx`. */
  kind: string;
  /** What `address` means for this protocol, and its range. */
  address: z.ZodType<number>;
  create(bus: BusPort, address: number, logger?: Logger, upkeep?: UpkeepOptions): WindowScreen;
  emulator(address: number, logger?: Logger): ScreenEmulatorBase & EmulatedBusDevice;
}

export const screenProtocols = {
  bx: {
    ...screenProtocolSchemas.bx,
    create: (bus, address, logger = silentLogger, upkeep?) => new BxScreen(bus, { address, ...(upkeep ? { upkeep } : {}) }, logger),
    emulator: (address, logger?) => new BxScreenEmulator({ address, ...(logger ? { logger } : {}) }),
  },
  'external-call': {
    ...screenProtocolSchemas['external-call'],
    create: (bus, cardId, logger = silentLogger, upkeep?) => new ExternalCallScreen(bus, { cardId, ...(upkeep ? { upkeep } : {}) }, logger),
    emulator: (cardId, logger?) => new ExternalCallScreenEmulator({ cardId, ...(logger ? { logger } : {}) }),
  },
} as const satisfies Record<ScreenProtocolId, ScreenProtocol>;

export { screenProtocolIds, type ScreenProtocolId } from './protocol-schemas.js';
