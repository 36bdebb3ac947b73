// Emulated devices on real socat ptys for the agent tests: the device side of each pair runs the emulator.
import { renameSync, symlinkSync } from 'node:fs';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { BxScreenEmulator } from '../../drivers/led-screen/bx-emulator.js';
import { ExternalCallScreenEmulator } from '../../drivers/led-screen/external-call-emulator.js';
import { EscPosEmulator, type EscPosEmulatorOptions } from '../../drivers/printer/emulator.js';
import { Rs485LineEmulator } from '../../drivers/rs485/line-emulator.js';
import type { DeviceHealth } from '../../src/bus/messages.js';
import type { DeviceManager } from '../../src/agent/devices/manager.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';

/**
 * Points the stable name `link` at `target`, atomically. An unplugged device's link is pointed at a path
 * that never exists (still dangling, as a stale by-id link is): left at the freed /dev/pts/N, the driver's
 * reopen could open whatever pty takes that number next on this machine (the next emulator's other end),
 * and wait there for replies that never come.
 */
function pointLink(link: string, target: string): void {
  symlinkSync(target, `${link}.new`);
  renameSync(`${link}.new`, link);
}

export interface EmulatedPrinter {
  pty: PtyPair;
  /** The device side of the pair (what the printer receives: a test may watch the bytes arrive). */
  device: SerialTransport;
  emulator: EscPosEmulator;
  /** Unplug: socat goes away, the host side of the pty with it. */
  unplug(): Promise<void>;
}

/**
 * A printer emulator on a new pty pair; the host side (`pty.host`) is what a driver opens. `link` (a
 * symlink path), when given, is pointed at the host side, atomically.
 */
export async function emulatedPrinter(link?: string, options: EscPosEmulatorOptions = {}): Promise<EmulatedPrinter> {
  const pty = await openPtyPair();
  const device = new SerialTransport({ path: pty.device, baudRate: 115200 });
  await device.open();
  const emulator = new EscPosEmulator(options);
  emulator.attach(device);
  if (link) pointLink(link, pty.host);
  return {
    pty,
    device,
    emulator,
    unplug: async () => {
      if (link) pointLink(link, `${link}.unplugged`);
      await emulator.close();
      await pty.close();
      await device.close();
    },
  };
}

export interface EmulatedLine {
  pty: PtyPair;
  screens: Map<number, BxScreenEmulator | ExternalCallScreenEmulator>;
  keypads: Map<number, KeypadEmulator>;
  /** Takes window `w`'s keypad off the line (its cable pulled: it answers nothing); `plugKeypad` puts it back. */
  unplugKeypad(w: number): void;
  plugKeypad(w: number): void;
  close(): Promise<void>;
}

/** One RS-485 line at 9600 baud: a BX screen at odd windows, an external-call card at even ones, a keypad per window; address = window. */
export async function emulatedLine(windows: number[], link?: string): Promise<EmulatedLine> {
  const pty = await openPtyPair();
  if (link) pointLink(link, pty.host);
  const device = new SerialTransport({ path: pty.device, baudRate: 9600 });
  await device.open();
  const line = new Rs485LineEmulator(device, { baudRate: 9600 });
  const screens = new Map<number, BxScreenEmulator | ExternalCallScreenEmulator>();
  const keypads = new Map<number, KeypadEmulator>();
  const unplug = new Map<number, () => void>();
  for (const w of windows) {
    const s = w % 2 === 1 ? new BxScreenEmulator({ address: w }) : new ExternalCallScreenEmulator({ cardId: w });
    const k = new KeypadEmulator({ address: w });
    line.add(s);
    unplug.set(w, line.add(k));
    screens.set(w, s);
    keypads.set(w, k);
  }
  line.start();
  return {
    pty,
    screens,
    keypads,
    unplugKeypad: (w) => {
      unplug.get(w)?.();
      unplug.delete(w);
    },
    plugKeypad: (w) => {
      const k = keypads.get(w);
      if (k && !unplug.has(w)) unplug.set(w, line.add(k));
    },
    close: async () => {
      if (link) pointLink(link, `${link}.unplugged`);
      for (const k of keypads.values()) k.stop();
      line.stop();
      await device.close();
      await pty.close();
    },
  };
}

/** The config entry matching emulatedLine(windows). */
export function lineConfig(path: string, windows: number[]) {
  return {
    path,
    baudRate: 9600,
    screens: windows.map((w) => ({ window: w, protocol: w % 2 === 1 ? ('bx' as const) : ('external-call' as const), address: w })),
    keypads: windows.map((w) => ({ window: w, address: w, role: 'both' as const, mode: 'poll' as const })),
    // The emulated keypads answer from this test's own process, which a loaded CI machine can hold past the
    // shipped 80 ms poll timeout; a keypad taken offline then waits out offlineIntervalMs. What these tests
    // check is behaviour, not the timeout (test/drivers/keypad/offline-poll.test.ts checks the defaults).
    keypadPolling: { timeoutMs: 300 },
  };
}

/** Resolves with the health list once `pred` holds for it (now or at a later change). */
export function healthWhen(devices: DeviceManager, pred: (list: DeviceHealth[]) => boolean): Promise<DeviceHealth[]> {
  const now = devices.list();
  if (pred(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = devices.onChange((list) => {
      if (!pred(list)) return;
      off();
      resolve(list);
    });
  });
}

export const stateOf = (list: DeviceHealth[], name: string): DeviceHealth['state'] | undefined => list.find((d) => d.name === name)?.state;

/** Resolves with the screen's view once its text contains `text`. */
export function screenShows(screen: BxScreenEmulator | ExternalCallScreenEmulator, text: string): Promise<string> {
  if (screen.view.text.includes(text)) return Promise.resolve(screen.view.text);
  return new Promise((resolve) => {
    const off = screen.onChange((v) => {
      if (!v.text.includes(text)) return;
      off();
      resolve(v.text);
    });
  });
}
