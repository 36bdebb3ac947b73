import { afterEach } from 'vitest';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';

/**
 * A real Mosquitto standing in for the city cluster, one per test, and what the test opened on it
 * (ingest, a hall's client), closed after each test in reverse order (registers the afterEach).
 */
export function brokerPerTest(): { start: () => Promise<Broker>; closeLater: (close: () => Promise<unknown>) => void } {
  let broker: Broker | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await broker?.stop();
    broker = undefined;
  });
  return {
    start: async () => (broker = await startMosquitto()),
    closeLater: (close) => closers.push(close),
  };
}
