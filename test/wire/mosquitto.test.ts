import { afterAll, beforeAll, describe, it } from 'vitest';
import { startMosquitto } from '../helpers/mosquitto.js';
import { useHallRig } from './rig.js';
import { hallScenario } from './scenario.js';

describe('the hall over a real Mosquitto', () => {
  const rig = useHallRig(async () => {
    const b = await startMosquitto();
    return { url: b.url, close: b.stop };
  }, { beforeAll, afterAll });

  it('two agents and the HTTP API issue 200 tickets, 10 windows serve them, replicas end equal', async () => {
    const { brokerUrl, server, agents } = rig();
    await hallScenario(brokerUrl, () => server, agents);
  });
});
