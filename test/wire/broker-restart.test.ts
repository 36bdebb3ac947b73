import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentLink } from '../../src/agent/link.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from './rig.js';
import { hallScenario } from './scenario.js';

describe('the broker restarted mid-scenario', () => {
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

  it('both daemons reconnect by themselves, catch up, and end consistent', async () => {
    await hallScenario(broker.url, () => server, agents, async () => {
      await broker.stop();
      await broker.restart();
      // Wait for the event: every daemon back on the broker.
      await Promise.all([...agents.map((a) => a.whenConnected()), server.mqtt.whenConnected()]);
      expect(server.mqtt.metrics.reconnects).toBeGreaterThan(0);
    });
  });
});
