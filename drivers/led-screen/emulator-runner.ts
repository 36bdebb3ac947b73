/**
 * Lets one emulated device answer on a Transport directly (a single screen on a serial port or pty),
 * or as a network controller on TCP (BX controllers listen on 5005). The shared RS-485 line with
 * several devices and baud-rate timing is drivers/rs485's line emulator; this is the one-device case.
 */
import net from 'node:net';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Transport } from '../common/transport.js';
import type { DelayedReply, EmulatedBusDevice } from '../rs485/bus-device.js';

/** Sends replies in order, holding back delayed ones; cancel() drops what has not gone yet. */
function replySender(write: (frame: Buffer) => void): { send(replies: Array<Buffer | DelayedReply>): void; cancel(): void } {
  const timers = new Set<NodeJS.Timeout>();
  let chain = Promise.resolve();
  return {
    send(replies) {
      for (const r of replies) {
        if (Buffer.isBuffer(r)) {
          chain = chain.then(() => write(r));
          continue;
        }
        chain = chain.then(
          () =>
            new Promise<void>((done) => {
              const t = setTimeout(() => {
                timers.delete(t);
                write(r.bytes);
                done();
              }, r.delayMs);
              timers.add(t);
            }),
        );
      }
    },
    cancel() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/** Feed every received chunk to the device and write its replies back. Returns a stop function. */
export function serveOnTransport(device: EmulatedBusDevice, transport: Transport, logger: Logger = silentLogger): () => void {
  const sender = replySender((frame) => {
    transport.write(frame).catch((err: unknown) => logger.warn({ device: device.name, err: String(err) }, 'emulator reply not sent'));
  });
  const offData = transport.onData((chunk) => sender.send(device.hear(chunk)));
  const offSpontaneous = device.onSpontaneous?.((frame) => sender.send([frame]));
  return () => {
    offData();
    offSpontaneous?.();
    sender.cancel();
  };
}

export interface TcpEmulatorServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** Serve the device on TCP, one connection at a time or several (each hears only its own bytes). */
export function listenTcp(device: EmulatedBusDevice, opts: { port?: number; host?: string; logger?: Logger } = {}): Promise<TcpEmulatorServer> {
  const logger = opts.logger ?? silentLogger;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const sender = replySender((frame) => {
      if (!socket.destroyed) socket.write(frame);
    });
    const offSpontaneous = device.onSpontaneous?.((frame) => sender.send([frame]));
    socket.on('data', (chunk: Buffer) => sender.send(device.hear(chunk)));
    socket.on('error', (err) => logger.debug({ device: device.name, err: err.message }, 'emulator socket error'));
    socket.on('close', () => {
      sockets.delete(socket);
      offSpontaneous?.();
      sender.cancel();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 5005, opts.host ?? '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : (opts.port ?? 5005);
      logger.info({ device: device.name, port }, 'screen emulator listening');
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
