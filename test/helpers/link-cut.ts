import net from 'node:net';

/**
 * A TCP relay in front of a broker whose link can be cut: cut() destroys every connection through it
 * and refuses new ones (as a pulled cable or a dead switch port would look to the client) until
 * restore(). The broker itself keeps running for everyone else.
 */
export interface LinkCut {
  url: string;
  cut(): Promise<void>;
  restore(): void;
  close(): Promise<void>;
}

export async function linkCut(target: { host: string; port: number }): Promise<LinkCut> {
  let down = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    for (const s of [client, upstream]) s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  const closeAll = () =>
    Promise.all(
      [...sockets].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.destroyed) return resolve();
            s.once('close', () => resolve());
            s.destroy();
          }),
      ),
    );
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut: async () => {
      down = true;
      await closeAll();
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      down = true;
      await closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
