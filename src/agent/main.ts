import { readFileSync } from 'node:fs';
import type { Logger } from '../../drivers/common/logger.js';
import type { DeviceHealth } from '../bus/messages.js';
import { loadConfigOrThrow } from '../config/load.js';
import { thisAgent } from '../config/agents.js';
import type { HallqConfig } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import { createNotifier } from '../ops/sd-notify.js';
import { DeviceManager, type DeviceManagerOptions } from './devices/manager.js';
import { attachCaller } from './flows/caller.js';
import { attachDisplays } from './flows/display.js';
import { attachVoice } from './flows/voice.js';
import { KioskFlow } from './flows/kiosk.js';
import { CardSlot, startKioskHttp } from './kiosk-http.js';
import { personFromCard, wedgeInto } from '../bus/person.js';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { AgentLink } from './link.js';
import { settledWithin } from '../ops/bounded.js';
import type { IslandMode } from './island/island-mode.js';
import { startIsland } from './island/start.js';

export interface RunningAgent {
  link: AgentLink;
  /** Island mode, when configured (src/agent/island). */
  island?: IslandMode;
  devices: DeviceManager;
  /** The kiosk page's port as bound (the configured one, or the one the OS gave for port 0); absent without a kiosk. */
  kioskPort?: number;
  stop(): Promise<void>;
}

export interface AgentStartOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Test hooks: faster polls and reopen backoff. */
  devices?: Omit<DeviceManagerOptions, 'logger'>;
  /** Link request timeout (default the link's own). */
  requestTimeoutMs?: number;
  /** The hall's clock for island mode's own core (default Date.now; tests run a fixed day). */
  clock?: () => number;
}

/** `hallq agent --config FILE`. */
export async function runAgent(configPath: string): Promise<RunningAgent> {
  const config = loadConfigOrThrow(configPath);
  return startAgentFrom(config, { logger: createLogger({ level: thisAgent(config).logLevel }) });
}

/** A staff member logs in on a keypad with their id, or with their place in the staff list (1-based). */
function staffLookup(config: HallqConfig): (n: string) => string | undefined {
  return (n) => config.staff.find((s) => s.id === n)?.id ?? config.staff[Number(n) - 1]?.id;
}

function summary(list: DeviceHealth[]): string {
  const down = list.filter((d) => d.state === 'offline').map((d) => d.name);
  const counts = `${list.filter((d) => d.state === 'ok').length}/${list.length} devices ok`;
  return down.length > 0 ? `${counts}; offline (reopening, not fatal): ${down.join(', ')}` : counts;
}

/**
 * The mini-PC daemon: its link and replica, then its hardware and the flows between them.
 * READY=1 once the broker link is up, the replica has caught up and every device has been opened
 * once; a device that did not open is reported offline (and retried), never fatal.
 */
export async function startAgentFrom(config: HallqConfig, opts: AgentStartOptions = {}): Promise<RunningAgent> {
  const me = thisAgent(config);
  const logger: Logger = (opts.logger ?? createLogger({ level: me.logLevel })).child({ component: 'agent', agent: me.id });
  const notifier = createNotifier(opts.env ?? process.env, logger.child({ component: 'sd-notify' }));
  const password = me.mqtt.passwordFile ? readFileSync(me.mqtt.passwordFile, 'utf8').trim() : undefined;
  const link = new AgentLink(
    {
      url: me.mqtt.url,
      hall: config.hall.id,
      agentId: me.id,
      maxMessageBytes: me.mqtt.maxMessageBytes,
      ...(me.mqtt.username ? { username: me.mqtt.username } : {}),
      ...(password ? { password } : {}),
      ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }),
    },
    logger.child({ component: 'link' }),
  );
  await link.start();
  await link.catchUp();

  const devices = new DeviceManager(me.devices, { ...opts.devices, logger });
  const offs: (() => void)[] = [];
  offs.push(
    devices.onChange((list) => {
      link.publishDevices(list);
      void notifier.status(`agent ${me.id}: ${summary(list)}`);
    }),
  );
  await devices.start();
  link.publishDevices(devices.list());

  // Displays: re-attached when a line comes back, so every screen and keypad is shown the present state again.
  let offDisplays = attachDisplays(link, devices.screens, devices.displayKeypads, logger.child({ component: 'display' }));
  offs.push(
    devices.onReopen((name) => {
      if (!name.startsWith('rs485-')) return;
      offDisplays();
      offDisplays = attachDisplays(link, devices.screens, devices.displayKeypads, logger.child({ component: 'display' }));
    }),
  );
  // Island mode: the outbox and leases, the watch on the server; after a return the screens show the server's state again.
  const island = config.island ? startIsland(link, config.island, me.id, logger.child({ component: 'island' }), opts.clock, config.agents) : undefined;
  offs.push(
    link.onResync(() => {
      offDisplays();
      offDisplays = attachDisplays(link, devices.screens, devices.displayKeypads, logger.child({ component: 'display' }));
    }),
  );
  const staff = staffLookup(config);
  for (const k of devices.keypads) offs.push(attachCaller(link, k.window, k.keypad, staff, logger.child({ component: 'caller', window: k.window })));
  if (devices.announcer) offs.push(attachVoice(link, devices.announcer, { recentMs: (me.devices.voice?.announceMissedWithinSeconds ?? 30) * 1000 }));

  // The kiosk: its page, the card on the reader, printed tickets.
  let kioskHttp: http.Server | undefined;
  if (me.kiosk) {
    const k = me.kiosk;
    const key = me.idHashKeyFile ? readFileSync(me.idHashKeyFile) : randomBytes(32);
    if (!me.idHashKeyFile) logger.warn({}, 'agent.idHashKeyFile not set: ID hashes match only within this agent process');
    const card = new CardSlot();
    devices.idcard?.on('card', (c) => card.put(personFromCard(c.idNumber, c.name, key)));
    const kiosk = new KioskFlow(link, devices.printer, { statusBaseUrl: k.statusBaseUrl, logger: logger.child({ component: 'kiosk' }), answerTimeoutMs: k.answerTimeoutSeconds * 1000 });
    kioskHttp = await startKioskHttp(link, kiosk, card, { host: k.host, port: k.port, statusBaseUrl: k.statusBaseUrl, wedge: wedgeInto(card, key), idHashKey: key }, logger.child({ component: 'kiosk-http' }));
  }

  // Alive = the event loop runs the timer; a server, broker or device outage must not restart the agent.
  const stopWatchdog = notifier.startWatchdog(() => true);
  const list = devices.list();
  await notifier.ready(`agent ${me.id} at seq ${link.replica.seq}; ${summary(list)}`);
  logger.info({ seq: link.replica.seq, devices: list.map((d) => `${d.name}:${d.state}`) }, 'agent ready');
  const address = kioskHttp?.address();
  return {
    link,
    devices,
    ...(island ? { island: island.mode } : {}),
    ...(address && typeof address === 'object' ? { kioskPort: address.port } : {}),
    stop: async () => {
      await notifier.stopping();
      stopWatchdog();
      island?.stop();
      offDisplays();
      for (const off of offs.splice(0)) off();
      if (kioskHttp) {
        const server = kioskHttp;
        const closed = new Promise<void>((r) => server.close(() => r()));
        // The kiosk page holds its event stream open: end it, or the close never completes.
        server.closeAllConnections();
        await settledWithin(closed, 2000);
      }
      // Bounded: a device that does not answer its close must not hold the stop.
      await settledWithin(devices.stop(), 3000);
      await link.stop();
    },
  };
}
