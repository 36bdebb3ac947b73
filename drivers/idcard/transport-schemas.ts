import { z } from 'zod';
import { int } from '../common/int-schema.js';

/**
 * What the config needs of each way an ID-card reader is attached (`agents[].devices.idcard.transport`),
 * without its driver: the device kind in the health list and the config object. Kept apart from the
 * drivers so the config schema, which the hall server loads too, pulls in no reader (nor node-hid).
 */
export const idcardTransportSchemas = {
  /** A SAM reader on a serial port or USB-serial adapter (GA 467 frames, drivers/idcard/README.md). */
  serial: { kind: 'idcard-sam', config: z.strictObject({ transport: z.literal('serial'), path: z.string().min(1), baudRate: int().positive().default(115200) }) },
  hid: {
    kind: 'idcard-hid',
    config: z.strictObject({
      transport: z.literal('hid'),
      vendorId: int(0, 0xffff),
      productId: int(0, 0xffff),
      /** ⚠ Vendor-specific report framing (drivers/idcard/README.md). */
      framing: z.strictObject({ reportId: int(0, 255), reportSize: int(8, 1024), lengthOffset: int(0), payloadOffset: int(0) }).partial().default({}),
    }),
  },
  /** A keyboard-wedge reader types the ID number into the focused kiosk page: read by the page, not the agent. */
  wedge: { kind: 'idcard-wedge', config: z.strictObject({ transport: z.literal('wedge') }) },
} as const;

export type IdcardTransportId = keyof typeof idcardTransportSchemas;

/** `agents[].devices.idcard`: one of the transports above, by `transport`. */
export const idcardConfigSchema = z.discriminatedUnion('transport', [idcardTransportSchemas.serial.config, idcardTransportSchemas.hid.config, idcardTransportSchemas.wedge.config]);
export type IdcardConfig = z.infer<typeof idcardConfigSchema>;
