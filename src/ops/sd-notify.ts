/**
 * sd_notify for Type=notify units (DESIGN §9): READY=1, WATCHDOG=1, STOPPING=1, STATUS=….
 *
 * Node has no unix datagram sockets, so each message is handed to systemd's own `systemd-notify`
 * binary (see src/ops/README.md for why, rather than a native addon). Its default BARRIER=1 handshake
 * keeps it alive until PID 1 has read the message, so a short-lived sender is still attributed to our
 * unit; the unit needs NotifyAccess=all because the sender is not the main PID.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../../drivers/common/logger.js';

export interface Notifier {
  /** Every method resolves once the message has been handed over (or dropped); none ever rejects. */
  ready(status?: string): Promise<void>;
  watchdog(): Promise<void>;
  stopping(): Promise<void>;
  status(text: string): Promise<void>;
  /**
   * Sends WATCHDOG=1 every WATCHDOG_USEC/2 while isHealthy() is true; a hung event loop or an unhealthy
   * daemon then misses its deadline and systemd restarts it. Returns the stop function.
   */
  startWatchdog(isHealthy: () => boolean): () => void;
}

export interface NotifierOptions {
  /** The helper binary; Debian ships it in the `systemd` package. */
  command?: string;
  /**
   * Wait until the manager has read each message (systemd-notify's default). Only a test listener
   * that keeps the barrier fd open (socat does) needs false, which passes --no-block.
   */
  barrier?: boolean;
  /** A helper that outlives this is killed; systemd-notify's own barrier timeout is 5 s. */
  timeoutMs?: number;
}

/** The argv for one message; exported so tests can pin the production flags. */
export function systemdNotifyArgs(fields: readonly string[], barrier = true): string[] {
  return [...(barrier ? [] : ['--no-block']), ...fields];
}

const noop = (): void => {};

export function createNotifier(env: NodeJS.ProcessEnv = process.env, logger: Logger, options: NotifierOptions = {}): Notifier {
  const socket = env.NOTIFY_SOCKET === '' ? undefined : env.NOTIFY_SOCKET;
  // The caller names the component (logger.child({ component: 'sd-notify' })).
  const log = logger;
  const command = options.command ?? 'systemd-notify';
  const barrier = options.barrier ?? true;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // The helper gets only what it needs: where to send, and where to find itself.
  const childEnv: NodeJS.ProcessEnv = { NOTIFY_SOCKET: socket, PATH: env.PATH ?? process.env.PATH ?? '/usr/bin:/bin' };

  let missing = false; // the binary is absent: warned once, every later call is a no-op
  let failing = false; // warn on the first failure of a run, not on every watchdog tick
  let queue: Promise<void> = Promise.resolve();

  function run(fields: readonly string[]): Promise<void> {
    return new Promise<void>((resolve) => {
      if (missing) {
        resolve();
        return;
      }
      let settled = false;
      let stderr = '';
      const child = spawn(command, systemdNotifyArgs(fields, barrier), { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      timer.unref();
      const finish = (error: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === undefined) {
          if (failing) log.info({ fields }, 'sd_notify works again');
          failing = false;
          log.debug({ fields }, 'sd_notify sent');
        } else if (!failing) {
          failing = true;
          log.warn({ fields, error }, 'sd_notify failed; systemd may consider the service not ready or hung');
        } else {
          log.debug({ fields, error }, 'sd_notify failed again');
        }
        resolve();
      };
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        if (stderr.length < 1000) stderr += text;
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          missing = true;
          settled = true;
          clearTimeout(timer);
          log.warn(
            { command, notifySocket: socket },
            `${command} not found (Debian package "systemd"): readiness and watchdog notifications are disabled`,
          );
          resolve();
          return;
        }
        finish(err.message);
      });
      child.on('close', (code, signal) => {
        finish(code === 0 ? undefined : `exit ${String(code ?? signal)}: ${stderr.trim()}`);
      });
    });
  }

  // One helper at a time, in call order: READY must never overtake STATUS, nor WATCHDOG overtake STOPPING.
  function send(fields: readonly string[]): Promise<void> {
    if (socket === undefined || missing) return Promise.resolve();
    const sent = queue.then(() => run(fields));
    queue = sent;
    return sent;
  }

  // sd_notify is newline-separated KEY=VALUE: a newline in a status would start a forged assignment.
  const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

  return {
    ready: (status) => send(status === undefined ? ['READY=1'] : ['READY=1', `STATUS=${oneLine(status)}`]),
    watchdog: () => send(['WATCHDOG=1']),
    stopping: () => send(['STOPPING=1']),
    status: (text) => send([`STATUS=${oneLine(text)}`]),
    startWatchdog(isHealthy) {
      if (socket === undefined) return noop;
      const usec = Number(env.WATCHDOG_USEC);
      if (!Number.isFinite(usec) || usec <= 0) {
        log.debug({ watchdogUsec: env.WATCHDOG_USEC }, 'no watchdog requested');
        return noop;
      }
      // WATCHDOG_PID names the process the watchdog is for; another process must not feed it.
      if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== process.pid) {
        log.debug({ watchdogPid: env.WATCHDOG_PID, pid: process.pid }, 'watchdog is for another process');
        return noop;
      }
      // setInterval caps at 2^31-1 ms; a longer watchdog is pinged more often than needed, which is harmless.
      const periodMs = Math.min(2 ** 31 - 1, Math.max(1, Math.floor(usec / 2000)));
      let inFlight = false;
      let healthy = true;
      const timer = setInterval(() => {
        let now = false;
        try {
          now = isHealthy();
        } catch (err) {
          log.warn({ err }, 'health check threw; treating as unhealthy');
        }
        if (now !== healthy) {
          healthy = now;
          if (now) log.info({}, 'healthy again; resuming WATCHDOG=1');
          else log.warn({}, 'unhealthy; withholding WATCHDOG=1 so systemd restarts the service if it persists');
        }
        // A ping still on its way already tells systemd we are alive; do not pile up helpers.
        if (!now || inFlight) return;
        inFlight = true;
        void send(['WATCHDOG=1']).then(() => {
          inFlight = false;
        });
      }, periodMs);
      timer.unref();
      log.debug({ periodMs }, 'watchdog started');
      return () => clearInterval(timer);
    },
  };
}
