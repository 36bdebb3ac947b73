// Nagle off on hallq's MQTT client sockets (issue 12: an answer held 40 ms for a delayed ACK), on the
// first connection and after a reconnect (a new socket): real embedded broker, real TCP.
import net from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { noDelayOn } from '../../src/bus/no-delay.js';

let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await broker?.close();
  broker = undefined;
});

/** Client sockets to the broker's port that had TCP_NODELAY switched on. */
function noDelayClientSockets(spy: { mock: { contexts: unknown[]; calls: unknown[][] } }, port: number): net.Socket[] {
  return spy.mock.contexts.filter((s, i): s is net.Socket => s instanceof net.Socket && s.remotePort === port && spy.mock.calls[i]?.[0] !== false);
}

describe('noDelayOn', () => {
  it('sets TCP_NODELAY on the client socket, and again on the new socket of a reconnect', async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    const client = mqtt.connect(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
    noDelayOn(client);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const first = noDelayClientSockets(spy, broker.port);
    expect(first.length).toBeGreaterThan(0);
    client.reconnect();
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const after = new Set(noDelayClientSockets(spy, broker.port));
    expect([...after].some((s) => !first.includes(s))).toBe(true);
    await client.endAsync();
  });
});
