import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { freePort } from './mosquitto.js';
import { watchStderr } from './stderr-ready.js';

/** The shipped config/mosquitto.conf, as installed in /etc/mosquitto/conf.d. */
export const shippedMosquittoConf = (): string => readFileSync(join(import.meta.dirname, '../../config/mosquitto.conf'), 'utf8');

/**
 * The shipped broker settings with only what a test cannot use swapped out: the two listeners (port
 * 1883 on localhost and the LAN address) for two free loopback ports, and the /etc and /var paths (password file, ACL,
 * persistence) for files in `dir`. Every other line (allow_anonymous, use_username_as_clientid,
 * max_packet_size…) is the shipped one.
 */
export function adaptShippedConf(ports: [number, number], dir: string, files: { passwd: string; acl: string }): string {
  const replaced = /^(password_file|acl_file|persistence_location|log_dest|pid_file|user)\b/;
  let listeners = 0;
  const kept = shippedMosquittoConf()
    .split('\n')
    .filter((line) => !replaced.test(line.trim()))
    // Each listener in its place (its own settings follow it), on a free loopback port.
    .map((line) => (/^listener\b/.test(line.trim()) ? `listener ${ports[Math.min(listeners++, 1)]} 127.0.0.1` : line));
  if (listeners !== 2) throw new Error(`config/mosquitto.conf: expected 2 listeners, found ${listeners}`);
  return [
    ...kept,
    `password_file ${files.passwd}`,
    `acl_file ${files.acl}`,
    `persistence_location ${dir}/`,
    'log_dest stderr',
    // As root, mosquitto would drop to its own user, which cannot read a 0700 temp dir; as anyone else this is ignored.
    'user root',
    '',
  ].join('\n');
}

/** The shipped value of a setting, e.g. shippedSetting('max_packet_size') → '262144'. */
export function shippedSetting(name: string): string | undefined {
  const line = shippedMosquittoConf()
    .split('\n')
    .find((l) => l.trim().startsWith(`${name} `));
  return line?.trim().split(/\s+/)[1];
}

export interface ShippedBroker {
  /** The shipped localhost listener. */
  url: string;
  /** The shipped LAN listener (moved to loopback). */
  lanUrl: string;
  /** Everything Mosquitto logged so far (connections, disconnections and why). */
  log(): string;
  stop(): Promise<void>;
  /** Starts it again after stop(), on the same ports with the same config (a broker outage and back). */
  resume(): Promise<void>;
  /**
   * Sends the broker process a signal: SIGSTOP freezes it with every TCP connection left open (nothing
   * flows: a box that lost power without closing them), SIGCONT lets it go on.
   */
  signal(sig: NodeJS.Signals): void;
}

/** A real Mosquitto (Debian's) with the adapted shipped config, ready when it says it is running. */
export async function startShippedMosquitto(dir: string, files: { passwd: string; acl: string }): Promise<ShippedBroker> {
  const ports: [number, number] = [await freePort(), await freePort()];
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, adaptShippedConf(ports, dir, files));
  let before = '';
  const spawnIt = async () => {
    const c = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    const w = watchStderr(c, / running/, { what: 'mosquitto (shipped config)', ms: 30_000, onTimeout: () => c.kill('SIGKILL') });
    await w.ready;
    return { c, w };
  };
  let { c: child, w: watch } = await spawnIt();
  return {
    url: `mqtt://127.0.0.1:${ports[0]}`,
    lanUrl: `mqtt://127.0.0.1:${ports[1]}`,
    log: () => before + watch.text(),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        // A frozen one (signal) acts on SIGTERM only once it goes on.
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }),
    signal: (sig) => {
      child.kill(sig);
    },
    resume: async () => {
      before += watch.text();
      ({ c: child, w: watch } = await spawnIt());
    },
  };
}

/**
 * The shipped broker for one hall with its users made as `hallq broker` makes them: a password per
 * user (mosquitto_passwd's $7$ format) and the hall's ACL (src/bus/acl.ts). Resolves with each
 * user's password, for the clients to connect with.
 */
export async function startShippedHallBroker(hall: string, serverUser: string, agents: readonly string[]): Promise<ShippedBroker & { passwords: ReadonlyMap<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-shipped-mosquitto-'));
  const passwords = new Map([serverUser, ...agents].map((u) => [u, `pw-${u}-${Math.random().toString(36).slice(2)}`] as const));
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, [...passwords].map(([u, p]) => `${u}:${hashPassword(p)}`).join('\n') + '\n', { mode: 0o600 });
  const acl = join(dir, 'acl');
  writeFileSync(acl, mosquittoAcl(hallAcl(hall, serverUser), agents), { mode: 0o600 });
  return { ...(await startShippedMosquitto(dir, { passwd, acl })), passwords };
}
