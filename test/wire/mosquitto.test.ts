import { afterAll, beforeAll, describe, it } from 'vitest';
import type { AgentLink } from '../../src/agent/link.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from './rig.js';
import { hallScenario } from './scenario.js';

describe('the hall over a real Mosquitto', () => {
  let broker: Broker;
  let server: ServerRig;
  let agents: AgentLink[] = [];
  beforeAll(async () => {
    broker = await startMosquitto();
    server = await startServer(broker.url, tempDb(), hallClock());
    agents = [await startAgent(broker.url, 'kiosk-1'), await startAgent(broker.url, 'caller-1')];
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await server?.stop();
    await broker?.stop();
  });

  it('two agents and the HTTP API issue 200 tickets, 10 windows serve them, replicas end equal', async () => {
    await hallScenario(broker.url, () => server, agents);
  });
});
