import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/mosquitto.js';
import { watchStderr } from '../helpers/stderr-ready.js';

// Whichever major Debian installed (15 on Debian 12, 17 on Debian 13): the newest one here.
const majors = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)) : [];
const BIN = `/usr/lib/postgresql/${majors.sort((a, b) => Number(b) - Number(a))[0] ?? '15'}/bin`;

/** How long PostgreSQL may take to accept connections after its start. */
const READY_MS = 60_000;

export interface TestPostgres {
  /** postgres://…@127.0.0.1:<port>/postgres (trust auth on loopback only). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Debian's PostgreSQL (its installed major) in a temp folder on a free loopback port, its socket in the same folder.
 * PostgreSQL refuses to run as root, so as root (CI) the cluster belongs to `nobody` and every
 * binary runs through `runuser -u nobody`.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-pg-'));
  const data = join(dir, 'data');
  const root = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]): [string, string[]] => (root ? ['runuser', ['-u', 'nobody', '--', cmd, ...args]] : [cmd, args]);
  if (root) {
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    chownSync(dir, nobody, nobody);
  }
  const user = root ? 'nobody' : userInfo().username;
  const [c1, a1] = as(join(BIN, 'initdb'), ['-D', data, '-U', user, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  execFileSync(c1, a1, { stdio: 'pipe' });
  const port = await freePort();
  const [c2, a2] = as(join(BIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50']);
  const child: ChildProcess = spawn(c2, a2, { stdio: ['ignore', 'ignore', 'pipe'] });
  // Bounded (watchStderr), and stopped then: a signal to runuser would not reach postgres; pg_ctl does.
  await watchStderr(child, /ready to accept connections/, {
    what: 'postgres',
    ms: READY_MS,
    onTimeout: () => {
      const [c, a] = as(join(BIN, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate']);
      spawn(c, a, { stdio: 'ignore' });
    },
  }).ready;
  return {
    url: `postgres://${user}@127.0.0.1:${port}/postgres`,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.removeAllListeners('exit');
        child.once('exit', done);
        // Fast shutdown by pg_ctl (a signal to runuser would not reach postgres).
        const [c3, a3] = as(join(BIN, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
        spawn(c3, a3, { stdio: 'ignore' });
      }),
  };
}
