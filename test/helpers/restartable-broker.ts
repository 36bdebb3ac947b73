import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { freePort } from './mosquitto.js';
import { adaptShippedConf } from './shipped-mosquitto.js';
import { watchStderr } from './stderr-ready.js';

/**
 * The shipped Mosquitto (config/mosquitto.conf, adapted as test/helpers/shipped-mosquitto.ts does) for
 * one hall, with a password per user and the hall's ACL (src/bus/acl.ts), on fixed ports so it can be
 * killed and started again in place: a broker outage (the island campaigns, test/agent/island-*.ts).
 */
export class RestartableBroker {
  private child: ChildProcess | undefined;
  private constructor(
    readonly url: string,
    private readonly conf: string,
  ) {}

  /** `passwords`: every user (the server's, the agents', any observer) and its password. */
  static async create(dir: string, hall: { id: string; serverUser: string; agents: readonly string[] }, passwords: ReadonlyMap<string, string>): Promise<RestartableBroker> {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, [...passwords].map(([u, p]) => `${u}:${hashPassword(p)}`).join('\n') + '\n', { mode: 0o600 });
    const acl = join(dir, 'acl');
    // Every user of the password file but the server is named as an agent (an observer too), as `hallq broker` names every user it writes.
    const agents = [...new Set([...hall.agents, ...passwords.keys()])].filter((u) => u !== hall.serverUser);
    writeFileSync(acl, mosquittoAcl(hallAcl(hall.id, hall.serverUser), agents), { mode: 0o600 });
    const ports: [number, number] = [await freePort(), await freePort()];
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, adaptShippedConf(ports, dir, { passwd, acl }));
    const b = new RestartableBroker(`mqtt://127.0.0.1:${ports[0]}`, conf);
    await b.start();
    return b;
  }

  /** Starts Mosquitto; resolves when it says it is running. */
  async start(): Promise<void> {
    const child = spawn('/usr/sbin/mosquitto', ['-c', this.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    await watchStderr(child, / running/, { what: `mosquitto (${this.url})`, ms: 30_000, onTimeout: () => child.kill('SIGKILL') }).ready;
  }

  /**
   * SIGKILLs Mosquitto (an outage, not a shutdown; what it had not saved is lost), or with SIGTERM
   * stops it as a restart does (it saves its retained messages first); resolves when it has exited.
   */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
