import type { Logger } from '../../drivers/common/logger.js';
import { openSerialPtyPair, type PtyPair } from '../../drivers/common/pty-pair.js';
import { Keypad } from '../../drivers/keypad/driver.js';
import { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { BxScreen } from '../../drivers/led-screen/bx-screen.js';
import { BxScreenEmulator } from '../../drivers/led-screen/bx-emulator.js';
import { SamCardReader } from '../../drivers/idcard/driver.js';
import { SamCardEmulator } from '../../drivers/idcard/emulator.js';
import { EscPosPrinter } from '../../drivers/printer/driver.js';
import { EscPosEmulator } from '../../drivers/printer/emulator.js';
import { Rs485Bus } from '../../drivers/rs485/bus.js';
import { Rs485LineEmulator } from '../../drivers/rs485/line-emulator.js';

/**
 * The demo hall's hardware: every device is the real driver talking to its emulator over a real
 * pseudo-terminal (socat), at the device's own baud rate.
 */
export interface DemoHardware {
  cardReader: SamCardReader;
  cardEmulator: SamCardEmulator;
  printer: EscPosPrinter;
  printerEmulator: EscPosEmulator;
  screens: Map<number, BxScreen>;
  screenEmulators: Map<number, BxScreenEmulator>;
  keypads: Map<number, Keypad>;
  keypadEmulators: Map<number, KeypadEmulator>;
  ptys: { printer: PtyPair; rs485: PtyPair; idcard: PtyPair };
  close(): Promise<void>;
}

export async function startDemoHardware(windows: number[], logger: Logger): Promise<DemoHardware> {
  // Printer: 115200 8N1 serial, status read back (DLE EOT).
  const printerLink = await openSerialPtyPair(115200);
  const { host: printerHost, device: printerDevice } = printerLink;
  const printerEmulator = new EscPosEmulator({ logger: logger.child({ device: 'printer-emulator' }) });
  printerEmulator.attach(printerDevice);
  const printer = new EscPosPrinter(printerHost, { logger: logger.child({ device: 'printer' }), readBack: true, statusTimeoutMs: 1000 });
  await printer.open();
  // Poll paper often: the kiosk must stop offering printed tickets as soon as the roll runs out.
  printer.startPolling(1000);

  // One RS-485 line at 9600 baud: a screen and a caller keypad per window.
  const busLink = await openSerialPtyPair(9600);
  const { host: busHost, device: busDevice } = busLink;
  const line = new Rs485LineEmulator(busDevice, { baudRate: 9600, logger: logger.child({ device: 'rs485-emulator' }) });
  const bus = new Rs485Bus(busHost, { logger: logger.child({ device: 'rs485' }), defaultTimeoutMs: 300, defaultRetries: 2, baudRate: 9600 });
  const screens = new Map<number, BxScreen>();
  const screenEmulators = new Map<number, BxScreenEmulator>();
  const keypads = new Map<number, Keypad>();
  const keypadEmulators = new Map<number, KeypadEmulator>();
  for (const w of windows) {
    const se = new BxScreenEmulator({ address: w });
    const ke = new KeypadEmulator({ address: w });
    line.add(se);
    line.add(ke);
    screenEmulators.set(w, se);
    keypadEmulators.set(w, ke);
    screens.set(w, new BxScreen(bus, { address: w }, logger.child({ device: `screen-${w}` })));
    keypads.set(w, new Keypad({ address: w, bus, logger: logger.child({ device: `keypad-${w}` }), pollIntervalMs: 400, pollTimeoutMs: 300 }));
  }
  line.start();
  for (const k of keypads.values()) k.start();

  // ID-card reader: the SAM protocol at 115200, polled about once a second.
  const cardLink = await openSerialPtyPair(115200);
  const { host: cardHost, device: cardDevice } = cardLink;
  const cardEmulator = new SamCardEmulator(cardDevice, { logger: logger.child({ device: 'idcard-emulator' }) });
  await cardEmulator.start();
  const cardReader = new SamCardReader(cardHost, { logger: logger.child({ device: 'idcard' }), pollIntervalMs: 300, timeoutMs: 2000 });
  cardReader.on('error', () => undefined); // reported through health; the demo goes on
  await cardReader.start();

  return {
    printer,
    printerEmulator,
    screens,
    screenEmulators,
    keypads,
    keypadEmulators,
    cardReader,
    cardEmulator,
    ptys: { printer: printerLink.pty, rs485: busLink.pty, idcard: cardLink.pty },
    close: async () => {
      await cardReader.close();
      await cardEmulator.close();
      await cardLink.close();
      for (const k of keypads.values()) await k.stop();
      for (const k of keypadEmulators.values()) k.stop();
      printer.stopPolling();
      bus.close();
      line.stop();
      await printer.close();
      await printerEmulator.close();
      await Promise.all([busLink.close(), printerLink.close()]);
    },
  };
}
