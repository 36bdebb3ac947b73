import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Broker } from './mosquitto.js';

/** The broker settings hallq ships, as installed on a hall server. */
export const SHIPPED_CONF = new URL('../../config/mosquitto.conf', import.meta.url);

/**
 * The shipped config/mosquitto.conf, adapted only where a test must differ: one loopback listener
 * on a free port instead of the hall's two, anonymous clients instead of the password file and
 * ACL, persistence in a temp directory, logs on stderr. Every other line (max_packet_size,
 * max_queued_messages, …) is the shipped one, so a change to the shipped cap is tested.
 */
export function adaptShippedConf(shipped: string, port: number, dir: string): string {
  const out: string[] = [];
  let listener = false;
  for (const line of shipped.split('\n')) {
    const t = line.trim();
    if (t.startsWith('listener ')) {
      if (!listener) out.push(`listener ${port} 127.0.0.1`);
      listener = true;
    } else if (t.startsWith('allow_anonymous ')) out.push('allow_anonymous true');
    else if (t.startsWith('password_file ') || t.startsWith('acl_file ')) out.push(`# (test) ${t}`);
    else out.push(line);
  }
  out.push(`persistence_location ${dir}/`, 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information');
  return `${out.join('\n')}\n`;
}

/** The shipped value of a setting, e.g. shippedSetting('max_packet_size') → '262144'. */
export function shippedSetting(name: string): string | undefined {
  const line = readFileSync(SHIPPED_CONF, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith(`${name} `));
  return line?.trim().split(/\s+/)[1];
}

export interface ShippedBroker extends Broker {
  /** Everything Mosquitto logged (connections, disconnections and why). */
  log(): string;
}

/** A real Mosquitto running the shipped config (adapted as above), ready when it says it is running. */
export async function startShippedMosquitto(): Promise<ShippedBroker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hallq-shipped-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, adaptShippedConf(readFileSync(SHIPPED_CONF, 'utf8'), port, dir));
  let child: ChildProcess | undefined;
  let text = '';
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      c.stderr?.setEncoding('utf8');
      c.stderr?.on('data', (d: string) => {
        text += d;
        if (/ running/.test(text)) resolve();
      });
      c.once('error', reject);
      c.once('exit', (code) => reject(new Error(`mosquitto exited with ${String(code)}: ${text}`)));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  await launch();
  return { url: `mqtt://127.0.0.1:${port}`, port, stop, restart: launch, log: () => text };
}
