import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeConfig } from '../wire/server-process.js';

/** `hallq server` / `hallq agent` as real child processes, their output kept, for shutdown and outage tests. */
export interface Daemon {
  child: ChildProcess;
  /** Everything written on stdout and stderr so far. */
  output(): string;
  /** Resolves when the output from character `from` on (0: all of it) contains `text` (now or later). */
  says(text: string | RegExp, from?: number): Promise<void>;
  /** Resolves with the exit code and signal (at once if it has exited). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startDaemon(kind: 'server' | 'agent', config: string, env: NodeJS.ProcessEnv = {}): Daemon {
  const child = spawn(process.execPath, ['bin/hallq.js', kind, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const waiters = new Set<() => void>();
  const take = (d: string) => {
    out += d;
    for (const w of [...waiters]) w();
  };
  child.stdout?.setEncoding('utf8').on('data', take);
  child.stderr?.setEncoding('utf8').on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => out,
    exited,
    says: (text, from = 0) =>
      new Promise<void>((resolve, reject) => {
        const hit = () => (typeof text === 'string' ? out.includes(text, from) : text.test(out.slice(from)));
        if (hit()) return resolve();
        const check = () => {
          if (!hit()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        void exited.then(({ code, signal }) => {
          if (waiters.delete(check)) reject(new Error(`hallq ${kind} exited (${String(code ?? signal)}) before saying ${String(text)}:\n${out}`));
        });
      }),
  };
}

/**
 * The wire hall's config (test/wire/server-process.ts) plus this mini-PC's own section, so the same
 * file runs `hallq agent` as kiosk-1 (its kiosk page on a free port, its RS-485 line absent: offline, not fatal).
 */
export function writeHallConfig(dir: string, brokerUrl: string, httpPort: number, kioskPort: number): string {
  const file = writeConfig(dir, brokerUrl, httpPort);
  const text = readFileSync(file, 'utf8').replace('{ id: kiosk-1, kiosk: {},', `{ id: kiosk-1, kiosk: { port: ${kioskPort} },`);
  writeFileSync(file, `${text}agent: { id: kiosk-1, mqtt: { url: "${brokerUrl}" } }\n`);
  return file;
}

/** Resolves with `p`'s value, or rejects after `ms` naming what did not happen: a bound, not a speed check. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
