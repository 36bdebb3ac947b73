import { afterEach, beforeEach } from 'vitest';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { EscPosPrinter, type EscPosPrinterOptions } from '../../drivers/printer/driver.js';
import type { EscPosEmulator, EscPosEmulatorOptions } from '../../drivers/printer/emulator.js';
import { emulatedPrinter, type EmulatedPrinter } from '../agent/emulated.js';

/** The real printer driver on the host side of a socat pty, the emulator on the device side. */
export interface PtyPrinter {
  emulated: EmulatedPrinter;
  emulator: EscPosEmulator;
  printer: EscPosPrinter;
  /** The driver closed and a new one opened on the same pty with `options` (the emulator keeps its state). */
  reopen(options: EscPosPrinterOptions): Promise<EscPosPrinter>;
  /** The driver closed, the pty unplugged. */
  close(): Promise<void>;
}

async function openDriver(emulated: EmulatedPrinter, options: EscPosPrinterOptions): Promise<EscPosPrinter> {
  const printer = new EscPosPrinter(new SerialTransport({ path: emulated.pty.host, baudRate: 115200 }), options);
  await printer.open();
  return printer;
}

/** A printer emulator on a new pty and the driver opened on it at 115200 baud. */
export async function openPtyPrinter(options: EscPosPrinterOptions, emulator: EscPosEmulatorOptions = {}): Promise<PtyPrinter> {
  const emulated = await emulatedPrinter(undefined, emulator);
  const rig: PtyPrinter = {
    emulated,
    emulator: emulated.emulator,
    printer: await openDriver(emulated, options),
    reopen: async (next) => {
      await rig.printer.close();
      rig.printer = await openDriver(emulated, next);
      return rig.printer;
    },
    close: async () => {
      await rig.printer.close();
      await emulated.unplug();
    },
  };
  return rig;
}

/** openPtyPrinter() before each test of the enclosing scope and closed after it; the fields are set by the test's start. */
export function usePtyPrinter(options: EscPosPrinterOptions): Omit<PtyPrinter, 'close'> {
  const current = {} as { rig?: PtyPrinter };
  beforeEach(async () => {
    current.rig = await openPtyPrinter(options);
  });
  afterEach(async () => {
    await current.rig?.close();
    current.rig = undefined;
  });
  const rig = (): PtyPrinter => {
    if (!current.rig) throw new Error('usePtyPrinter: used outside a test');
    return current.rig;
  };
  return {
    get emulated() {
      return rig().emulated;
    },
    get emulator() {
      return rig().emulator;
    },
    get printer() {
      return rig().printer;
    },
    reopen: (next) => rig().reopen(next),
  };
}
