import type { Logger } from '../../drivers/common/logger.js';
import { openPtyPair, type PtyPair } from '../../drivers/common/pty-pair.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import type { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { keypadProtocols } from '../../drivers/keypad/protocols.js';
import { keypadPollingSchema } from '../../drivers/keypad/polling-schemas.js';
import { screenProtocols } from '../../drivers/led-screen/protocols.js';
import { SCREEN_REDRAW_SECONDS } from '../../drivers/led-screen/protocol-schemas.js';
import type { ScreenEmulatorBase } from '../../drivers/led-screen/screen-emulator.js';
import type { EmulatedBusDevice } from '../../drivers/rs485/bus-device.js';
import type { SamCardEmulator } from '../../drivers/idcard/emulator.js';
import { idcardEmulation } from '../../drivers/idcard/emulation.js';
import type { EscPosEmulator } from '../../drivers/printer/emulator.js';
import { printerEmulation } from '../../drivers/printer/transports.js';
import { Rs485LineEmulator } from '../../drivers/rs485/line-emulator.js';
import type { DevicesConfig } from '../config/schema.js';

/**
 * The demo hall's devices: only the emulators, each on the device end of a real pseudo-terminal
 * (socat) at the device's own baud rate. The other end's path goes into the agent's `devices` config,
 * and the real agent (src/agent: its DeviceManager and flows) opens it as it would open /dev/hallq/….
 */
export interface DemoHardware {
  cardEmulator: SamCardEmulator;
  printerEmulator: EscPosEmulator;
  screenEmulators: Map<number, ScreenEmulatorBase & EmulatedBusDevice>;
  keypadEmulators: Map<number, KeypadEmulator>;
  ptys: { printer: PtyPair; rs485: PtyPair; idcard: PtyPair };
  /** The agent's `devices` for these ptys: printer, ID-card reader, one RS-485 line with a screen and a keypad per window. */
  devices: DevicesConfig;
  close(): Promise<void>;
}

export async function startDemoHardware(windows: number[], logger: Logger): Promise<DemoHardware> {
  const [printerPty, busPty, cardPty] = ( await Promise.all([0, 1, 2].map(() => openPtyPair({ ownProcessGroup: true })))) as [PtyPair, PtyPair, PtyPair];
  // Printer: 115200 8N1 serial, status read back (DLE EOT).
  const printerDevice = new SerialTransport({ path: printerPty.device, baudRate: printerEmulation.baudRate });
  await printerDevice.open();
  const printerEmulator = printerEmulation.emulator({ logger: logger.child({ device: 'printer-emulator' }) });
  printerEmulator.attach(printerDevice);

  // One RS-485 line at 9600 baud: a screen and a caller keypad per window (same address).
  const busDevice = new SerialTransport({ path: busPty.device, baudRate: 9600 });
  await busDevice.open();
  const line = new Rs485LineEmulator(busDevice, { baudRate: 9600, logger: logger.child({ device: 'rs485-emulator' }) });
  const screenEmulators = new Map<number, ScreenEmulatorBase & EmulatedBusDevice>();
  const keypadEmulators = new Map<number, KeypadEmulator>();
  // The agent's defaults (compact poll frames); the emulated keypads answer the kind the agent is told to send.
  const keypadPolling = keypadPollingSchema.parse({});
  for (const w of windows) {
    const se = screenProtocols.bx.emulator(w);
    const ke = keypadProtocols.ff68.emulator(w, { pollFrames: keypadPolling.frames });
    line.add(se);
    line.add(ke);
    screenEmulators.set(w, se);
    keypadEmulators.set(w, ke);
  }
  line.start();

  // ID-card reader: the SAM protocol at 115200.
  const cardDevice = new SerialTransport({ path: cardPty.device, baudRate: idcardEmulation.baudRate });
  const cardEmulator = idcardEmulation.emulator(cardDevice, { logger: logger.child({ device: 'idcard-emulator' }) });
  await cardEmulator.start();

  const devices: DevicesConfig = {
    printer: printerEmulation.configFor(printerPty.host),
    idcard: idcardEmulation.configFor(cardPty.host),
    rs485: [
      {
        path: busPty.host,
        baudRate: 9600,
        screens: windows.map((w) => ({ window: w, protocol: 'bx' as const, address: w, redrawSeconds: SCREEN_REDRAW_SECONDS })),
        keypads: windows.map((w) => ({ window: w, protocol: 'ff68' as const, address: w, role: 'both' as const, mode: 'poll' as const })),
        keypadPolling,
        localEcho: false,
      },
    ],
  };
  return {
    printerEmulator,
    screenEmulators,
    keypadEmulators,
    cardEmulator,
    ptys: { printer: printerPty, rs485: busPty, idcard: cardPty },
    devices,
    close: async () => {
      for (const k of keypadEmulators.values()) k.stop();
      line.stop();
      await cardEmulator.close();
      await printerEmulator.close();
      await Promise.all([busDevice.close(), printerDevice.close()]);
      await Promise.all([printerPty.close(), busPty.close(), cardPty.close()]);
    },
  };
}
