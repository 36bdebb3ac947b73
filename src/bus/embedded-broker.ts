import net from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The embedded Aedes broker, for a single box that must run alone (the demo, a small hall without
 * Mosquitto). MQTT 3.1.1 only, like the rest of hallq.
 */
export async function startEmbeddedBroker(opts: { host?: string; port?: number } = {}): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server = net.createServer(aedes.handle);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
        // Connected clients keep the server open; aedes.close ends them.
      }),
  };
}
