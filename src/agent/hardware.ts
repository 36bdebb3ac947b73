import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Logger } from '../../drivers/common/logger.js';
import type { DeviceHealth } from '../bus/messages.js';
import { personFromCard, wedgeInto } from '../bus/person.js';
import type { ThisAgent } from '../config/agents.js';
import type { HallqConfig } from '../config/schema.js';
import { settledWithin } from '../ops/bounded.js';
import { DeviceManager, type DeviceManagerOptions } from './devices/manager.js';
import { attachCaller } from './flows/caller.js';
import { staffByNumber } from './flows/staff-number.js';
import type { KeypadRefusals } from './flows/keypad-refusals.js';
import { attachDisplays } from './flows/display.js';
import { KioskFlow } from './flows/kiosk.js';
import type { KioskJournal } from './kiosk-journal.js';
import type { IslandContacts } from './island/contacts.js';
import { attachVoice } from './flows/voice.js';
import { CardSlot, startKioskHttp, type KioskExtraRoutes } from './kiosk-http.js';
import type { AgentLink } from './link.js';

/** The agent's hardware and the flows on it: what a reload (SIGHUP) closes and opens again. */
export interface RunningHardware {
  devices: DeviceManager;
  kioskHttp: http.Server | undefined;
  /** Shows every screen and keypad the present state again (after a resync or a line coming back). */
  reattachDisplays(): void;
  stop(): Promise<void>;
}

/** The config key of an agent's kiosk port, as error messages name it. */
export const kioskPortKey = (agentId: string): string => `agents[${agentId}].kiosk.port`;

/** A staff member logs in on a keypad with their id, or with their place in the staff list (1-based). */
function staffLookup(config: HallqConfig): (n: string) => string | undefined {
  return (n) => staffByNumber(config.staff, n);
}

/**
 * Opens this agent's devices (`agents[].devices`) and attaches the flows to them: displays, caller
 * keypads, voice, and the kiosk (its page, the card on the reader, printed tickets). Device trouble is
 * health, never a rejection. `onDevices` hears the device list after every change.
 */
export async function startHardware(
  link: AgentLink,
  config: HallqConfig,
  me: ThisAgent,
  logger: Logger,
  o: {
    devices?: Omit<DeviceManagerOptions, 'logger'>;
    onDevices: (list: DeviceHealth[]) => void;
    kioskRoutes?: KioskExtraRoutes;
    /** The kiosk's durable print journal (kiosk-journal.ts). */
    journal?: KioskJournal;
    /** Where the caller flows say the keypad inputs they refuse themselves (flows/keypad-refusals.ts). */
    keypadRefusals?: KeypadRefusals;
    /** Island mode's keeper of the numbers citizens give during an island (island/contacts.ts). */
    islandContacts?: IslandContacts;
  },
): Promise<RunningHardware> {
  const devices = new DeviceManager(me.devices, { ...o.devices, logger });
  const offs: (() => void)[] = [devices.onChange(o.onDevices)];
  await devices.start();
  o.onDevices(devices.list());

  // Displays: re-attached when a line comes back, so every screen and keypad is shown the present state again
  // (the line's screens have forgotten what they showed by then, so each is written, changed or not).
  let offDisplays = attachDisplays(link, devices.screens, devices.displayKeypads, logger.child({ component: 'display' }));
  const reattachDisplays = () => {
    offDisplays();
    offDisplays = attachDisplays(link, devices.screens, devices.displayKeypads, logger.child({ component: 'display' }));
  };
  offs.push(
    devices.onReopen((name) => {
      if (name.startsWith('rs485-')) reattachDisplays();
    }),
  );
  const staff = staffLookup(config);
  for (const k of devices.keypads) offs.push(attachCaller(link, k.window, k.keypad, staff, logger.child({ component: 'caller', window: k.window }), o.keypadRefusals));
  if (devices.announcer) offs.push(attachVoice(link, devices.announcer, { recentMs: (me.devices.voice?.announceMissedWithinSeconds ?? 30) * 1000 }));

  // The kiosk: its page, the card on the reader, printed tickets.
  let kioskHttp: http.Server | undefined;
  if (me.kiosk) {
    const k = me.kiosk;
    const key = me.idHashKeyFile ? readFileSync(me.idHashKeyFile) : randomBytes(32);
    if (!me.idHashKeyFile) logger.warn({}, 'agent.idHashKeyFile not set: ID hashes match only within this agent process');
    const card = new CardSlot();
    const reader = devices.idcard;
    if (reader) {
      const onCard = (c: { idNumber: string; name: string }) => card.put(personFromCard(c.idNumber, c.name, key));
      // Taken off the reader: forgotten at once (the page told through its stream), so it is never the
      // next citizen's. An issue that took it before (the button pressed while it lay there) keeps it.
      const onRemoved = () => {
        if (card.clear()) logger.info({}, 'the card taken off the reader is forgotten');
      };
      reader.on('card', onCard);
      reader.on('removed', onRemoved);
      offs.push(() => {
        reader.off('card', onCard);
        reader.off('removed', onRemoved);
      });
    }
    const kiosk = new KioskFlow(link, devices.printer, { statusBaseUrl: k.statusBaseUrl, logger: logger.child({ component: 'kiosk' }), answerTimeoutMs: k.answerTimeoutSeconds * 1000, idHashKey: key, ...(o.journal ? { journal: o.journal } : {}), ...(o.islandContacts ? { islandContacts: o.islandContacts } : {}) });
    try {
      kioskHttp = await startKioskHttp(
        link,
        kiosk,
        card,
        { host: k.host, port: k.port, statusBaseUrl: k.statusBaseUrl, wedge: wedgeInto(card, key), idHashKey: key, key: kioskPortKey(me.id), ...(o.kioskRoutes ? { extraRoutes: o.kioskRoutes } : {}) },
        logger.child({ component: 'kiosk-http' }),
      );
    } catch (e) {
      // The kiosk's port taken: the devices opened above are closed again (a reload reopens the
      // running config on them; a start ends), never left holding their serial ports.
      offDisplays();
      for (const off of offs.splice(0)) off();
      await settledWithin(devices.stop(), 3000);
      throw e;
    }
  }

  return {
    devices,
    kioskHttp,
    reattachDisplays,
    stop: async () => {
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
    },
  };
}
