import { afterAll, beforeAll } from 'vitest';
import type { AgentLink } from '../../src/agent/link.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';

/** A kiosk agent's link to a real server over a real Mosquitto, for the printer fault tests at the kiosk. */
export interface KioskHall {
  broker: Broker;
  server: ServerRig;
  link: AgentLink;
  clock: ReturnType<typeof hallClock>;
}

/** Starts the hall before the enclosing describe's tests and stops it after them; its parts are set by then. */
export function useKioskHall(agentId = 'kiosk-2'): KioskHall {
  const hall = { clock: hallClock() } as KioskHall;
  beforeAll(async () => {
    hall.broker = await startMosquitto();
    hall.server = await startServer(hall.broker.url, tempDb(), hall.clock);
    hall.link = await startAgent(hall.broker.url, agentId);
  });
  afterAll(async () => {
    await hall.link?.stop();
    await hall.server?.stop();
    await hall.broker?.stop();
  });
  return hall;
}
