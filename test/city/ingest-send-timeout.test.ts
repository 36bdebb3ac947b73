import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CityIngest } from '../../src/city/ingest.js';
import type { CityStore } from '../../src/city/store.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { isHallqError } from '../../drivers/common/error.js';

/**
 * A cluster that takes the connection but never acknowledges a QoS 1 publish (two of three NATS
 * nodes down: no JetStream quorum). `send` must not hang: it gives up after its timeout with the
 * message id, and keeps the message as sent (it may still arrive), never dropped.
 */
function mute(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => {
      const type = (d[0] ?? 0) >> 4;
      if (type === 1) s.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNECT → CONNACK
      if (type === 12) s.write(Buffer.from([0xd0, 0x00])); // PINGREQ → PINGRESP
      // PUBLISH (3): no PUBACK, ever.
    });
    s.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
      }),
    ),
  );
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe("the city's messages to halls when the cluster does not confirm", () => {
  it('gives up after the timeout with the message id and keeps the message as sent', async () => {
    const broker = await mute();
    closers.push(broker.close);
    const sent: string[] = [];
    const dropped: string[] = [];
    const store = {
      ensureHalls: async () => undefined,
      lastSeqs: async () => new Map<string, number>(),
      messageSent: async (id: string) => void sent.push(id),
      messageDropped: async (id: string) => void dropped.push(id),
    } as unknown as CityStore;
    const ingest = new CityIngest(store, { urls: [broker.url], username: 'city', clientId: 'city-test-1', halls: ['h1'], catchUpTimeoutMs: 300, catchUpGraceMs: 100, clock: Date.now, sendTimeoutMs: 200 }, silentLogger);
    await ingest.start();
    closers.push(() => Promise.race([ingest.stop(), new Promise((r) => setTimeout(r, 500))]));
    let error: unknown;
    try {
      await ingest.send('h1', 'notice', { action: 'clear' });
    } catch (e) {
      error = e;
    }
    expect(isHallqError(error) && error.code).toBe('REQUEST_TIMEOUT');
    expect(sent).toHaveLength(1);
    expect((error as Error).message).toBe(sent[0]);
    expect(dropped).toEqual([]);
  });
});
