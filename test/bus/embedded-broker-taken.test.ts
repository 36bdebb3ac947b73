import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../src/bus/embedded-broker.js';

/**
 * The embedded broker on a port that is taken (a Mosquitto already on 1883, as the demo meets it):
 * the start fails, and nothing of the broker is left running. Before, Aedes's two timers stayed and
 * kept the demo's process alive after "hallq demo stopped."
 */
describe('the embedded broker on a taken port', () => {
  it('rejects and leaves no timer behind', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as net.AddressInfo).port;
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await expect(startEmbeddedBroker({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(timers()).toBe(before);
    await new Promise<void>((r) => holder.close(() => r()));
  });
});
