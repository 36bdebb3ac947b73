import type { Logger } from '../common/logger.js';
import { SerialTransport } from '../common/serial-transport.js';
import { TcpTransport } from '../common/tcp-transport.js';
import type { Transport } from '../common/transport.js';
import { ChardevTransport } from './chardev-transport.js';
import { EscPosPrinter, type EscPosPrinterOptions } from './driver.js';
import { EscPosEmulator, type EscPosEmulatorOptions } from './emulator.js';
import { printerTransportSchemas, type PrinterConfig, type PrinterTransportId } from './transport-schemas.js';

/**
 * One way of attaching the ticket printer, as the rest of hallq sees it: its config (transport-schemas.ts),
 * where it is (for the health list and errors), the path to check for stable names (none over TCP), and
 * how to open its link. The agent's DeviceManager, the config schema, the demo and `hallq emulate printer`
 * read this registry, so a new way of attaching a printer is added in this folder alone.
 */
export interface PrinterTransportEntry<C extends PrinterConfig> {
  kind: string;
  where(c: C): string;
  /** The device path, for "does not exist, these stable names do" (undefined: not a path). */
  path(c: C): string | undefined;
  link(c: C): Transport;
}

export const printerTransports: { [K in PrinterTransportId]: PrinterTransportEntry<Extract<PrinterConfig, { transport: K }>> } = {
  usblp: { kind: printerTransportSchemas.usblp.kind, where: (c) => c.path, path: (c) => c.path, link: (c) => new ChardevTransport({ path: c.path, readBack: c.readBack }) },
  serial: { kind: printerTransportSchemas.serial.kind, where: (c) => c.path, path: (c) => c.path, link: (c) => new SerialTransport({ path: c.path, baudRate: c.baudRate }) },
  tcp: { kind: printerTransportSchemas.tcp.kind, where: (c) => `tcp://${c.host}:${c.port}`, path: () => undefined, link: (c) => new TcpTransport(c.host, c.port) },
};

/** The registry entry of a printer config, bound to it. */
export function printerTransportOf(c: PrinterConfig): { kind: string; where: string; path: string | undefined; link: () => Transport } {
  const e = printerTransports[c.transport] as PrinterTransportEntry<PrinterConfig>;
  return { kind: e.kind, where: e.where(c), path: e.path(c), link: () => e.link(c) };
}

/** The ESC/POS driver on a link (the same for every transport). */
export function createPrinter(link: Transport, c: PrinterConfig, opts: Omit<EscPosPrinterOptions, 'encoding' | 'readBack'> & { logger?: Logger }): EscPosPrinter {
  return new EscPosPrinter(link, { ...opts, encoding: c.encoding, readBack: c.readBack });
}

/**
 * The printer's emulator (ESC/POS, status replies, paper, cutter), for the demo and `hallq emulate printer`,
 * and the agent's config for a printer emulated at the other end of a pseudo-terminal `path`.
 */
export const printerEmulation = {
  emulator: (opts: EscPosEmulatorOptions = {}) => new EscPosEmulator(opts),
  baudRate: 115200,
  configFor: (path: string): PrinterConfig => ({ transport: 'serial', path, baudRate: 115200, readBack: true, encoding: 'gbk' }),
};
