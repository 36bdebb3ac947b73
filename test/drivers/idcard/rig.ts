/** Driver and emulator joined by a real socat pty pair, both ends through SerialTransport. */
import type { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../../../drivers/common/logger.js';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import { SamCardReader, type SamReaderOptions } from '../../../drivers/idcard/driver.js';
import { SamCardEmulator, type SamEmulatorOptions } from '../../../drivers/idcard/emulator.js';
import { openPtyPair, type PtyPair } from '../../helpers/pty.js';

export interface Rig {
  pty: PtyPair;
  /** The driver's side, for tests that watch the raw chunks. */
  host: SerialTransport;
  reader: SamCardReader;
  emulator: SamCardEmulator;
  close(): Promise<void>;
}

export async function openRig(options: { reader?: SamReaderOptions; emulator?: SamEmulatorOptions; logger?: Logger } = {}): Promise<Rig> {
  const pty = await openPtyPair();
  const host = new SerialTransport({ path: pty.host, baudRate: 115200 });
  const device = new SerialTransport({ path: pty.device, baudRate: 115200 });
  const emulator = new SamCardEmulator(device, { logger: options.logger ?? silentLogger, ...options.emulator });
  const reader = new SamCardReader(host, { pollIntervalMs: 50, statusIntervalMs: 500, timeoutMs: 1000, logger: options.logger ?? silentLogger, ...options.reader });
  try {
    await emulator.start();
    await host.open();
  } catch (e) {
    await emulator.close();
    await pty.close();
    throw e;
  }
  return {
    pty,
    host,
    reader,
    emulator,
    async close() {
      await reader.close();
      await emulator.close();
      await pty.close();
    },
  };
}

/** The next emission of `event`, or a rejection after `ms` so a broken test fails fast. */
export function next<T extends unknown[]>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const on = (...args: unknown[]) => {
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(args as T);
    };
    emitter.on(event, on);
  });
}

/** Resolves once the emulator has received `n` more requests named `name`. */
export function requests(emulator: SamCardEmulator, name: string, n: number, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      emulator.off('request', on);
      reject(new Error(`saw ${seen} of ${n} '${name}' requests within ${ms} ms`));
    }, ms);
    const on = (got: string) => {
      if (got === name && ++seen >= n) {
        clearTimeout(timer);
        emulator.off('request', on);
        resolve();
      }
    };
    emulator.on('request', on);
  });
}
