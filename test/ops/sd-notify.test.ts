import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger } from '../../drivers/common/logger.js';
import { createNotifier, systemdNotifyArgs } from '../../src/ops/sd-notify.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAVE_NOTIFY = has('systemd-notify');
const HAVE_SOCAT = has('socat');
const ABSENT = !HAVE_NOTIFY
  ? 'systemd-notify is not installed (Debian package "systemd")'
  : !HAVE_SOCAT
    ? 'socat is not installed (scripts/install-system-deps.sh)'
    : undefined;

/**
 * A real unix datagram listener. Node cannot bind one, so socat does and copies every datagram to its
 * stdout (without separators, hence the token matching below). socat keeps the fd that systemd-notify's
 * BARRIER=1 sends, where systemd would close it, so notifiers under test pass barrier: false.
 */
interface Listener {
  address: string;
  text(): string;
  waitFor(pattern: RegExp): Promise<void>;
  close(): void;
}

const listeners: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of listeners.splice(0)) child.kill();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function listen(kind: 'path' | 'abstract'): Promise<Listener> {
  let address: string;
  let socatAddress: string;
  if (kind === 'path') {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-notify-'));
    dirs.push(dir);
    address = join(dir, 'notify.sock');
    socatAddress = `UNIX-RECV:${address}`;
  } else {
    const name = `hallq-notify-test-${process.pid}-${listeners.length}`;
    address = `@${name}`;
    socatAddress = `ABSTRACT-RECV:${name}`;
  }
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', '-u', socatAddress, 'STDOUT'], { stdio: ['ignore', 'pipe', 'pipe'] });
    listeners.push(child);
    let out = '';
    const waiters: Array<{ pattern: RegExp; done: () => void }> = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      for (const w of waiters.splice(0)) {
        if (w.pattern.test(out)) w.done();
        else waiters.push(w);
      }
    });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      log += chunk;
      // Bound and reading: the event, not a sleep.
      if (/starting data transfer loop/.test(log)) {
        resolve({
          address,
          text: () => out,
          waitFor: (pattern) =>
            new Promise<void>((done) => {
              if (pattern.test(out)) done();
              else waiters.push({ pattern, done });
            }),
          close: () => child.kill(),
        });
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`socat exited with ${String(code)}: ${log}`)));
  });
}

const tokens = (text: string) => [...text.matchAll(/(READY|WATCHDOG|STOPPING)=1|STATUS=probe/g)].map((m) => m[0]);

describe('sd_notify', () => {
  it('waits for the manager to read each message in production (no --no-block)', () => {
    expect(systemdNotifyArgs(['READY=1'])).toEqual(['READY=1']);
    expect(systemdNotifyArgs(['WATCHDOG=1'], false)).toEqual(['--no-block', 'WATCHDOG=1']);
  });

  it('does nothing at all without NOTIFY_SOCKET', async () => {
    const log = recordingLogger();
    // A missing helper would warn if the notifier tried to run it.
    const n = createNotifier({ WATCHDOG_USEC: '1000' }, log, { command: '/nonexistent/systemd-notify' });
    await n.ready('up');
    await n.watchdog();
    await n.status('x');
    await n.stopping();
    let asked = 0;
    n.startWatchdog(() => ++asked > 0)();
    expect(log.records).toEqual([]);
    expect(asked).toBe(0);
  });

  it('warns once and then stays quiet when the helper binary is missing', async () => {
    const log = recordingLogger();
    const n = createNotifier({ NOTIFY_SOCKET: '/run/nothing/notify' }, log, { command: '/nonexistent/systemd-notify' });
    await Promise.all([n.ready(), n.watchdog(), n.status('a')]);
    await n.stopping();
    const warnings = log.records.filter((r) => r.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/not found.*disabled/);
  });

  it('sends READY=1, then WATCHDOG=1 only while healthy, then STOPPING=1, in order', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    const listener = await listen('path');
    const env = { NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) };
    const n = createNotifier(env, silentLogger, { barrier: false });

    await n.ready();
    await listener.waitFor(/READY=1/);

    // Unhealthy: let the watchdog tick three times (we see it ask), then push a probe through the same
    // ordered queue; anything the ticks had sent would arrive before it.
    let healthy = false;
    let asked = 0;
    let onThird: () => void = () => {};
    const thirdTick = new Promise<void>((resolve) => (onThird = resolve));
    const stop = n.startWatchdog(() => {
      if (++asked === 3) onThird();
      return healthy;
    });
    await thirdTick;
    await n.status('probe');
    await listener.waitFor(/STATUS=probe/);
    expect(tokens(listener.text())).toEqual(['READY=1', 'STATUS=probe']);

    healthy = true;
    await listener.waitFor(/WATCHDOG=1/);
    stop();
    await n.stopping();
    await listener.waitFor(/STOPPING=1/);

    const seen = tokens(listener.text());
    expect(seen.slice(0, 3)).toEqual(['READY=1', 'STATUS=probe', 'WATCHDOG=1']);
    expect(seen[seen.length - 1]).toBe('STOPPING=1');
    expect(seen.filter((t) => t !== 'WATCHDOG=1')).toEqual(['READY=1', 'STATUS=probe', 'STOPPING=1']);
  });

  it('reaches an abstract socket (@name) and keeps a status on one line', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    const listener = await listen('abstract');
    const n = createNotifier({ NOTIFY_SOCKET: listener.address }, silentLogger, { barrier: false });
    await n.ready('printer ok\nWATCHDOG=1');
    await listener.waitFor(/READY=1/);
    // A newline inside the status would have forged a WATCHDOG=1 line.
    expect(listener.text()).toBe('READY=1\nSTATUS=printer ok WATCHDOG=1');
  });

  it('leaves a watchdog meant for another process alone', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    const listener = await listen('path');
    const base = { NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: '100000' };
    const other = createNotifier({ ...base, WATCHDOG_PID: String(process.pid + 1) }, silentLogger, { barrier: false });
    const mine = createNotifier({ ...base, WATCHDOG_PID: String(process.pid) }, silentLogger, { barrier: false });
    let otherAsked = 0;
    let mineAsked = 0;
    const stopOther = other.startWatchdog(() => ++otherAsked > 0);
    // Same period, started after: by its third tick, a running "other" would have ticked at least twice.
    await new Promise<void>((resolve) => {
      const stopMine = mine.startWatchdog(() => {
        if (++mineAsked === 3) {
          stopMine();
          resolve();
        }
        return false;
      });
    });
    stopOther();
    expect(otherAsked).toBe(0);
  });
});
