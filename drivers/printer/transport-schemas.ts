import { z } from 'zod';
import { int } from '../common/int-schema.js';

const path = z.string().min(1);
const encoding = z.enum(['gbk', 'gb18030']).default('gbk');

/**
 * What the config needs of each way a ticket printer is attached (`agents[].devices.printer.transport`),
 * without its driver: the device kind in the health list and the config object. Kept apart from
 * transports.ts (which adds the link and the emulator) so the config schema, which the hall server loads
 * too, pulls in no printer driver. A new way is added here and in transports.ts alone.
 */
export const printerTransportSchemas = {
  /** The kernel's usblp character device (/dev/usb/lp*); most USB printers send no status back through it. */
  usblp: { kind: 'escpos-usblp', config: z.strictObject({ transport: z.literal('usblp'), path: path.default('/dev/hallq/printer'), readBack: z.boolean().default(false), encoding }) },
  /** RS-232 or a USB-serial adapter, status read back (DLE EOT). */
  serial: { kind: 'escpos-serial', config: z.strictObject({ transport: z.literal('serial'), path, baudRate: int().positive().default(115200), readBack: z.boolean().default(true), encoding }) },
  /** A network printer's raw port (9100). */
  tcp: { kind: 'escpos-tcp', config: z.strictObject({ transport: z.literal('tcp'), host: z.string().min(1), port: int(1, 65535).default(9100), readBack: z.boolean().default(true), encoding }) },
} as const;

export type PrinterTransportId = keyof typeof printerTransportSchemas;

/** `agents[].devices.printer`: one of the transports above, by `transport`. */
export const printerConfigSchema = z.discriminatedUnion('transport', [printerTransportSchemas.usblp.config, printerTransportSchemas.serial.config, printerTransportSchemas.tcp.config]);
export type PrinterConfig = z.infer<typeof printerConfigSchema>;
