import { afterAll, beforeAll, describe, it } from 'vitest';
import { startEmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { useHallRig } from './rig.js';
import { hallScenario } from './scenario.js';

describe('the hall over the embedded Aedes broker', () => {
  const rig = useHallRig(startEmbeddedBroker, { beforeAll, afterAll });

  it('runs the same 200-ticket scenario', async () => {
    const { brokerUrl, server, agents } = rig();
    await hallScenario(brokerUrl, () => server, agents);
  });
});
