import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchStderr } from './stderr-ready.js';

export interface Broker {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts the broker again on the same port (after stop), for restart tests. */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A real Mosquitto (Debian's /usr/sbin/mosquitto) on a free loopback port, ready when it says it is listening. */
export async function startMosquitto(extraConf = ''): Promise<Broker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hallq-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\nset_tcp_nodelay true\n${extraConf}\n`);
  let child: ChildProcess | undefined;
  const launch = () => {
    const c = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    return watchStderr(c, / running/, { what: `mosquitto on port ${port}`, ms: 30_000, onTimeout: () => c.kill('SIGKILL') }).ready;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  await launch();
  return { url: `mqtt://127.0.0.1:${port}`, port, stop, restart: launch };
}
