import type { Transport } from '../common/transport.js';
import { SamCardEmulator, type SamEmulatorOptions } from './emulator.js';
import type { IdcardConfig } from './transport-schemas.js';

/**
 * The ID-card reader as the demo and `hallq emulate idcard` rehearse it: the SAM reader's emulator on the
 * device end of a pseudo-terminal, and the agent's config for the other end. A reader that needs another
 * emulator is added here.
 */
export const idcardEmulation = {
  emulator: (device: Transport, opts: SamEmulatorOptions = {}) => new SamCardEmulator(device, opts),
  baudRate: 115200,
  configFor: (path: string): IdcardConfig => ({ transport: 'serial', path, baudRate: 115200 }),
};
export { TEST_CARDS, type TestCardName } from './test-cards.js';
