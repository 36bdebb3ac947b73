/**
 * One window screen on a real RS-485 line: a socat pty pair at 9600 baud, the screen's emulator behind the
 * line emulator on one end, the real Rs485Bus and the screen's driver on the other. Each part's close is
 * pushed onto `cleanups`, in the order they are to run reversed.
 */
import type { Logger } from '../../drivers/common/logger.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import type { UpkeepOptions } from '../../drivers/led-screen/bus-screen.js';
import { BxScreenEmulator } from '../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../drivers/led-screen/bx-screen.js';
import { ExternalCallScreenEmulator } from '../../drivers/led-screen/external-call-emulator.js';
import { ExternalCallScreen } from '../../drivers/led-screen/external-call-screen.js';
import type { ScreenEmulatorBase } from '../../drivers/led-screen/screen-emulator.js';
import type { WindowScreen } from '../../drivers/led-screen/window-screen.js';
import type { EmulatedBusDevice } from '../../drivers/rs485/bus-device.js';
import { Rs485Bus } from '../../drivers/rs485/bus.js';
import { Rs485LineEmulator } from '../../drivers/rs485/line-emulator.js';
import { openPtyPair } from './pty.js';

export type ScreenEmulator = ScreenEmulatorBase & EmulatedBusDevice;

export interface ScreenLineOptions {
  logger: Logger;
  /** The bus's own defaults for an exchange (ms, tries after the first). */
  bus: { timeoutMs: number; retries: number };
  /** The screen driver's: its exchange's timeout and retries, and its upkeep (retries of unconfirmed text, health, poll). */
  screen: { timeoutMs: number; retries: number; upkeep: UpkeepOptions };
}

export async function screenOnLine(protocol: 'bx' | 'external-call', address: number, o: ScreenLineOptions, cleanups: Array<() => Promise<void> | void>): Promise<{ screen: WindowScreen; emulator: ScreenEmulator }> {
  const pty = await openPtyPair();
  const dev = new SerialTransport({ path: pty.device, baudRate: 9600 });
  const host = new SerialTransport({ path: pty.host, baudRate: 9600 });
  await dev.open();
  await host.open();
  const line = new Rs485LineEmulator(dev, { baudRate: 9600 });
  const emulator: ScreenEmulator = protocol === 'bx' ? new BxScreenEmulator({ address }) : new ExternalCallScreenEmulator({ cardId: address });
  line.add(emulator);
  line.start();
  const bus = new Rs485Bus(host, { baudRate: 9600, defaultTimeoutMs: o.bus.timeoutMs, defaultRetries: o.bus.retries, logger: o.logger });
  const screen = protocol === 'bx' ? new BxScreen(bus, { address, ...o.screen }, o.logger) : new ExternalCallScreen(bus, { cardId: address, ...o.screen }, o.logger);
  cleanups.push(
    () => pty.close(),
    () => dev.close(),
    () => host.close(),
    () => line.stop(),
    () => bus.close(),
    () => screen.stop(),
  );
  return { screen, emulator };
}
