import { afterAll, beforeAll, describe, it } from 'vitest';
import type { AgentLink } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from './rig.js';
import { hallScenario } from './scenario.js';

describe('the hall over the embedded Aedes broker', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let agents: AgentLink[] = [];
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), hallClock());
    agents = [await startAgent(broker.url, 'kiosk-1'), await startAgent(broker.url, 'caller-1')];
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await server?.stop();
    await broker?.close();
  });

  it('runs the same 200-ticket scenario', async () => {
    await hallScenario(broker.url, () => server, agents);
  });
});
