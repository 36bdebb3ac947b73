import type { Browser, Page } from 'playwright-core';
import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import type { EscPosPrinter } from '../../drivers/printer/driver.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { CardSlot, startKioskHttp } from '../../src/agent/kiosk-http.js';
import type { AgentLink } from '../../src/agent/link.js';
import type { HallConfig } from '../../src/core/index.js';
import { startEmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { hallClock, startAgent, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';
import { launchChromium } from './browser.js';
import { freePort } from './mosquitto.js';

/** What a kiosk test drives: the hall server, the kiosk agent's link, its flow and its HTTP listener. */
export interface KioskRig {
  server: ServerRig;
  link: AgentLink;
  kiosk: KioskFlow;
  /** The card on the reader, as the agent's reader events put and clear it (hardware.ts). */
  card: CardSlot;
  clock: () => number;
  /** The kiosk listener, by address (for fetch) and by a host name other than localhost (for the page). */
  base: string;
  pageUrl: string;
  /** A touch screen of 1080×1920 in Chromium, opened on the kiosk page; launched at the first call. */
  page(): Promise<Page>;
  stop(): Promise<void>;
}

/**
 * One box (an embedded broker): the wire hall's server configured with or without SMS, the agent
 * kiosk-1 caught up with it, its kiosk flow on `printer` (a stand-in: the tests set its health) and
 * the kiosk's HTTP listener on a free port. `book` runs before the agent joins (e.g. a BookAppointment).
 */
export async function startKioskRig(o: { smsEnabled: boolean; printer: unknown; idHashKey?: Buffer; book?: (server: ServerRig, clock: () => number) => void; db?: string; logger?: Logger; hall?: HallConfig; snapshotEveryMs?: number }): Promise<KioskRig> {
  const clock = hallClock();
  const broker = await startEmbeddedBroker();
  const server = await startServer(broker.url, o.db ?? tempDb(), clock);
  const configured = server.mqtt.run({ id: `configure-sms-${String(o.smsEnabled)}`, type: 'Configure', config: { ...(o.hall ?? wireConfig), smsEnabled: o.smsEnabled }, source: 'system' });
  if (!configured.ok) throw new Error(`the wire hall refused its config: ${configured.code}`);
  o.book?.(server, clock);
  const link = await startAgent(broker.url, 'kiosk-1');
  await link.reach(server.engine.state.seq);
  // A stand-in printer that tells no health changes (the page then reads them at the stream's timed
  // snapshot) gets a silent onHealth: the kiosk's stream listens to the real driver's.
  const printer = o.printer as Partial<EscPosPrinter>;
  if (printer !== undefined && printer !== null && typeof printer.onHealth !== 'function') Object.assign(printer, { onHealth: () => () => undefined });
  const kiosk = new KioskFlow(link, printer as EscPosPrinter, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
  const port = await freePort();
  const card = new CardSlot();
  const http = await startKioskHttp(link, kiosk, card, { host: '127.0.0.1', port, statusBaseUrl: 'http://hall.test', ...(o.idHashKey ? { idHashKey: o.idHashKey } : {}), ...(o.snapshotEveryMs === undefined ? {} : { snapshotEveryMs: o.snapshotEveryMs }) }, o.logger ?? silentLogger);
  let browser: Browser | undefined;
  const pageUrl = `http://hall.test:${port}/kiosk`;
  return {
    server,
    link,
    kiosk,
    card,
    clock,
    base: `http://127.0.0.1:${port}`,
    pageUrl,
    page: async () => {
      browser ??= await launchChromium();
      return (await browser.newContext({ hasTouch: true, viewport: { width: 1080, height: 1920 } })).newPage();
    },
    stop: async () => {
      await browser?.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await link.stop();
      await server.stop();
      await broker.close();
    },
  };
}
