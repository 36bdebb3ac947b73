import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeAllDayHallYaml } from '../helpers/all-day-hall-yaml.js';
import { READY, spawnHallq } from '../helpers/hallq-process.js';

/** `hallq server` as a real child process, for kill and log tests. */

/** The wire hall: two windows of service A, kiosk-1 and kiosk-2 each with a window's keypad on an absent RS-485 line. */
export function writeConfig(dir: string, brokerUrl: string, httpPort: number, logLevel: 'info' | 'debug' = 'info'): string {
  return writeAllDayHallYaml({
    dir,
    id: 'wire-hall',
    name: { zh: '联调大厅', en: 'Wire hall' },
    windows: 2,
    agents: [
      '{ id: kiosk-1, kiosk: {}, devices: { rs485: [{ path: /dev/hallq/rs485-0, keypads: [{ window: 1, address: 1 }] }] } }',
      '{ id: kiosk-2, kiosk: {}, devices: { rs485: [{ path: /dev/hallq/rs485-0, keypads: [{ window: 2, address: 2 }] }] } }',
    ],
    brokerUrl,
    httpPort,
    logLevel,
  });
}

/** issue 9: the technician CLI's bearer header for a server started from this config (its token file is next to the database). */
export function cliAuth(configPath: string): Record<string, string> {
  return { authorization: `Bearer ${readFileSync(join(dirname(configPath), 'hall.db.cli-token'), 'utf8').trim()}` };
}

/**
 * Starts `hallq server` and resolves when it logs that it is ready (the event, not a sleep); rejects if
 * it exits first. `output.stdout` gets everything it writes (stdout and stderr), `onData` after each piece.
 */
export async function startServerProcess(config: string, output?: { stdout: string; onData?: () => void }): Promise<ChildProcess> {
  const d = spawnHallq(['server', '--config', config]);
  if (output) {
    const take = (s: string) => {
      output.stdout += s;
      output.onData?.();
    };
    d.child.stdout?.on('data', take);
    d.child.stderr?.on('data', take);
  }
  await d.says(READY.server);
  return d.child;
}

/** SIGKILLs `child` and resolves when it has exited (at once when it already has: 'exit' fires only once). */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
