import { spawn, type ChildProcess } from 'node:child_process';

/** `hallq …` as a real child process, its output kept, for start, shutdown, kill and outage tests. */
export interface Daemon {
  child: ChildProcess;
  /** Everything written on stdout and stderr so far (interleaved as it came). */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves when the output after the first `from` characters contains `text` (now or later); rejects if the process exits first. */
  says(text: string | RegExp, from?: number): Promise<void>;
  /** Resolves with the exit code and signal once it has exited and its output is all read (at once if so). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (no goodbye: the broker sends the last will) and resolves once it has exited; at once if it already has. */
  kill(): Promise<void>;
}

/** The line each daemon logs when it serves (after READY=1). */
export const READY = { server: 'hall server ready', agent: 'agent ready' } as const;

/** Spawns `node [nodeArgs] bin/hallq.js <args>` (dist, or tsx in a clone without a build). */
export function spawnHallq(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Daemon {
  const child = spawn(process.execPath, [...nodeArgs, 'bin/hallq.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const take = (to: 'stdout' | 'stderr') => (d: string) => {
    out += d;
    if (to === 'stdout') stdout += d;
    else stderr += d;
    for (const w of [...waiters]) w();
  };
  child.stdout?.setEncoding('utf8').on('data', take('stdout'));
  child.stderr?.setEncoding('utf8').on('data', take('stderr'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    says: (text, from = 0) =>
      new Promise<void>((resolve, reject) => {
        const hit = () => (typeof text === 'string' ? out.slice(from).includes(text) : text.test(out.slice(from)));
        if (hit()) return resolve();
        const check = () => {
          if (!hit()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        void exited.then(({ code, signal }) => {
          if (waiters.delete(check)) reject(new Error(`hallq ${args[0] ?? ''} exited (${String(code ?? signal)}) before saying ${String(text)}:\n${out}`));
        });
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `hallq server|agent --config <config>`, not waited for. */
export function startDaemon(kind: 'server' | 'agent', config: string, env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Daemon {
  return spawnHallq([kind, '--config', config], env, nodeArgs);
}

/** Starts the daemon and resolves once it says it is ready (rejects if it exits, or after 60 s: a bound, not a speed check). */
export async function startReady(kind: 'server' | 'agent', config: string, env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Promise<Daemon> {
  const d = startDaemon(kind, config, env, nodeArgs);
  await within(d.says(READY[kind]), 60_000, `hallq ${kind} ready`).catch(async (e: unknown) => {
    await d.kill();
    throw e;
  });
  return d;
}

/** Resolves with `p`'s value, or rejects after `ms` naming what did not happen: a bound, not a speed check. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
