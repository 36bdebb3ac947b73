import type { Logger } from '../common/logger.js';
import { SerialTransport } from '../common/serial-transport.js';
import type { Transport } from '../common/transport.js';
import { SamCardReader } from './driver.js';
import { HidCardReader, nodeHidOpener } from './hid-reader.js';
import { idcardTransportSchemas, type IdcardConfig, type IdcardTransportId } from './transport-schemas.js';

/** A reader's health entry as the agent lists it (name `idcard`, kind from the registry). */
export interface ReaderHealth {
  state: 'ok' | 'offline' | 'unknown';
  detail?: string;
  /** Whether this state stands until something changes (false: a reading is still expected). */
  final: boolean;
}

/** Up, or down with why (the agent's reopening link: src/agent/devices/reopening-transport.ts). */
export type ReaderLinkState = { up: true } | { up: false; error: Error; retryInMs: number };

/** A link that stays the same object while the port behind it comes and goes, reopened with backoff. */
export interface ReopeningLink extends Transport {
  readonly isOpen: boolean;
  onLink(fn: (s: ReaderLinkState) => void): () => void;
}

/** What the agent gives a reader to start with: its logger, where health goes, reopening links. */
export interface IdcardContext {
  logger: Logger;
  health(h: ReaderHealth): void;
  reopening(where: string, make: () => Transport): ReopeningLink;
  /** The health detail of a link that went down at `path` (why, what is there instead, when it is retried). */
  downDetail(path: string, s: Extract<ReaderLinkState, { up: false }>): string;
  /** Registers an unsubscribe for the agent's stop. */
  own(off: () => void): void;
}

/**
 * One way of attaching an ID-card reader, as the agent's DeviceManager sees it: its kind and how it is
 * started, health included (a serial reader on a link reopened after an unplug, a HID reader through
 * node-hid, a keyboard wedge read by the kiosk page: no reader here). The config part is in
 * transport-schemas.ts, the emulation for the demo and `hallq emulate idcard` in emulation.ts, so a new
 * reader is added in this folder alone.
 */
export interface IdcardReaderEntry<C extends IdcardConfig> {
  kind: string;
  /** The reader whose 'card' events the kiosk takes (undefined: none in the agent). Never rejects for device trouble. */
  start(c: C, ctx: IdcardContext): Promise<SamCardReader | undefined>;
}

export const idcardReaders: { [K in IdcardTransportId]: IdcardReaderEntry<Extract<IdcardConfig, { transport: K }>> } = {
  wedge: {
    kind: idcardTransportSchemas.wedge.kind,
    start: (_c, ctx) => {
      // A keyboard-wedge reader types into the focused page: the kiosk page reads it, not the agent.
      ctx.health({ state: 'unknown', detail: 'keyboard wedge: read by the kiosk page', final: true });
      return Promise.resolve(undefined);
    },
  },
  hid: {
    kind: idcardTransportSchemas.hid.kind,
    start: async (c, ctx) => {
      const id = `${c.vendorId.toString(16).padStart(4, '0')}:${c.productId.toString(16).padStart(4, '0')}`;
      const framing = Object.fromEntries(Object.entries(c.framing).filter(([, v]) => v !== undefined));
      const reader = new HidCardReader(nodeHidOpener({ vendorId: c.vendorId, productId: c.productId }), { logger: ctx.logger, framing, description: `hid ${id}`, skipCardAtStart: true });
      ctx.health({ state: 'unknown', detail: id, final: false });
      reader.on('error', (e) => ctx.logger.debug({ code: e.code }, 'id-card reader error'));
      reader.on('health', (h) => ctx.health({ state: h.ok ? 'ok' : 'offline', ...(h.error ? { detail: h.error.code } : {}), final: false }));
      await reader.start().catch((e: unknown) => ctx.health({ state: 'offline', detail: `${id}: ${e instanceof Error ? e.message : String(e)}`, final: true }));
      return reader;
    },
  },
  serial: {
    kind: idcardTransportSchemas.serial.kind,
    start: async (c, ctx) => {
      const link = ctx.reopening(c.path, () => new SerialTransport({ path: c.path, baudRate: c.baudRate }));
      const reader = new SamCardReader(link, { logger: ctx.logger, skipCardAtStart: true });
      ctx.health({ state: 'unknown', detail: c.path, final: false });
      // Without an 'error' listener the reader only logs; with one the agent sees codes (never personal data).
      reader.on('error', (e) => ctx.logger.debug({ code: e.code }, 'id-card reader error'));
      reader.on('health', (h) => {
        if (!link.isOpen) return;
        ctx.health({ state: h.ok ? 'ok' : 'offline', ...(h.error ? { detail: h.error.code } : {}), final: false });
      });
      ctx.own(
        link.onLink((s) => {
          if (s.up) void reader.start().catch((e: unknown) => ctx.logger.warn({ err: String(e) }, 'id-card reader did not start'));
          else ctx.health({ state: 'offline', detail: ctx.downDetail(c.path, s), final: true });
        }),
      );
      await reader.start();
      return reader;
    },
  },
};

/** The registry entry of a reader config, bound to it. */
export function idcardReaderOf(c: IdcardConfig): { kind: string; start(ctx: IdcardContext): Promise<SamCardReader | undefined> } {
  const e = idcardReaders[c.transport] as IdcardReaderEntry<IdcardConfig>;
  return { kind: e.kind, start: (ctx) => e.start(c, ctx) };
}
