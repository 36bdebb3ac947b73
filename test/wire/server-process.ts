import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `hallq server` as a real child process, for kill and log tests. */

export function writeConfig(dir: string, brokerUrl: string, httpPort: number): string {
  const file = join(dir, 'hall.yaml');
  const allDay = '[{ from: "00:00", to: "24:00" }]';
  writeFileSync(
    file,
    `hall: { id: wire-hall, name: { zh: 联调大厅, en: Wire hall } }
hours:
  weekly: { mon: ${allDay}, tue: ${allDay}, wed: ${allDay}, thu: ${allDay}, fri: ${allDay}, sat: ${allDay}, sun: ${allDay} }
  issuingCutoffMinutes: 0
services:
  - { id: A, prefix: A, name: { zh: 社保, en: Social } }
windows:
  - { id: 1, kind: general, tiers: [[A]] }
  - { id: 2, kind: general, tiers: [[A]] }
staff: [{ id: s1, name: S1 }, { id: s2, name: S2 }]
agents:
  - { id: kiosk-1, kiosk: {}, devices: { rs485: [{ path: /dev/hallq/rs485-0, keypads: [{ window: 1, address: 1 }] }] } }
  - { id: kiosk-2, kiosk: {}, devices: { rs485: [{ path: /dev/hallq/rs485-0, keypads: [{ window: 2, address: 2 }] }] } }
policy: {}
server:
  mqtt: { url: "${brokerUrl}" }
  http: { host: 127.0.0.1, port: ${httpPort} }
  database: ${join(dir, 'hall.db')}
  logLevel: info
`,
  );
  return file;
}

/** Starts `hallq server` and resolves when it logs that it is ready (the event, not a sleep). */
/** issue 9: the technician CLI's bearer header for a server started from this config (its token file is next to the database). */
export function cliAuth(configPath: string): Record<string, string> {
  return { authorization: `Bearer ${readFileSync(join(dirname(configPath), 'hall.db.cli-token'), 'utf8').trim()}` };
}

export function startServerProcess(config: string, output?: { stdout: string; onData?: () => void }): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hallq.js', 'server', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      out += d;
      if (output) {
        output.stdout += d;
        output.onData?.();
      }
      if (out.includes('hall server ready')) resolve(child);
    });
    child.stderr?.on('data', (d: string) => {
      err += d;
    });
    child.once('exit', (code) => reject(new Error(`server exited ${String(code)}: ${err}${out}`)));
  });
}

/** SIGKILLs `child` and resolves when it has exited (at once when it already has: 'exit' fires only once). */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

