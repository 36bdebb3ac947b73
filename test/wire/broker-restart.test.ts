import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { useHallRig } from './rig.js';
import { hallScenario } from './scenario.js';

describe('the broker restarted mid-scenario', () => {
  let broker: Broker | undefined;
  const rig = useHallRig(async () => {
    broker = await startMosquitto();
    return { url: broker.url, close: broker.stop };
  }, { beforeAll, afterAll });

  it('both daemons reconnect by themselves, catch up, and end consistent', async () => {
    const { brokerUrl, server, agents } = rig();
    await hallScenario(brokerUrl, () => server, agents, async () => {
      await broker?.stop();
      await broker?.restart();
      // Wait for the events: every daemon back on the broker.
      await Promise.all([...agents.map((a) => a.whenConnected()), server.mqtt.whenConnected()]);
      expect(server.mqtt.metrics.reconnects).toBeGreaterThan(0);
    });
  });
});
