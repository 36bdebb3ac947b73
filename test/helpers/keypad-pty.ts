import { openSerialPtyPair } from '../../drivers/common/pty-pair.js';
import { Keypad } from '../../drivers/keypad/driver.js';
import { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { Rs485Bus } from '../../drivers/rs485/bus.js';
import { Rs485LineEmulator } from '../../drivers/rs485/line-emulator.js';

/** A caller keypad's driver and its emulator at `address` on an RS-485 line over a pty (9600 baud), polled every 15 ms. */
export interface KeypadOnPty {
  keypad: Keypad;
  emulator: KeypadEmulator;
  stop(): Promise<void>;
}

export async function startKeypadOnPty(address: number): Promise<KeypadOnPty> {
  const pty = await openSerialPtyPair(9600);
  const line = new Rs485LineEmulator(pty.device, { baudRate: 9600 });
  line.start();
  const bus = new Rs485Bus(pty.host, { turnaroundMs: 2 });
  const emulator = new KeypadEmulator({ address });
  line.add(emulator);
  const keypad = new Keypad({ address, bus, pollIntervalMs: 15, pollTimeoutMs: 200, pollRetries: 1, offlinePollIntervalMs: 100 });
  keypad.start();
  return {
    keypad,
    emulator,
    stop: async () => {
      const closers: (() => unknown)[] = [() => keypad.stop(), () => emulator.stop(), () => line.stop(), () => bus.close(), () => pty.close()];
      for (const close of closers) await close();
    },
  };
}
