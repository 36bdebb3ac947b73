/**
 * `hallq server` / `hallq agent` when the start cannot complete: a port taken, the database in use by
 * another server, a SIGTERM while the broker is still away. Each ends (exit 1 with the key named, or the
 * clean stop) instead of staying up half-started. The real CLI from this tree's build (dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killHard, startServerProcess, writeConfig } from '../wire/server-process.js';

const env = { ...process.env, HALLQ_RUN: 'dist' };
const dirs: string[] = [];
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await killHard(c);
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'hallq-daemon-start-'));
  dirs.push(d);
  return d;
}

/** A port held by this test (what another program on the box would do). */
async function takenPort(): Promise<number> {
  const s = createServer();
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  if (a === null || typeof a !== 'object') throw new Error('no port');
  return a.port;
}

/** A port nobody listens on: the broker that is away. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  await new Promise((r) => s.close(r));
  if (a === null || typeof a !== 'object') throw new Error('no port');
  return a.port;
}

interface Run {
  child: ChildProcess;
  out: () => string;
  /** Resolves when stdout or stderr has matched. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
}

function hallq(...args: string[]): Run {
  const child = spawn(process.execPath, ['bin/hallq.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; done: () => void }[] = [];
  const check = () => {
    for (const w of waiters.splice(0)) (w.pattern.test(stdout + stderr) ? w.done : () => waiters.push(w))();
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
    check();
  });
  child.stderr.on('data', (d: string) => {
    stderr += d;
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr, stdout })));
  return {
    child,
    out: () => stdout + stderr,
    waitFor: (pattern) =>
      new Promise<void>((done) => {
        if (pattern.test(stdout + stderr)) done();
        else waiters.push({ pattern, done });
      }),
    exited,
  };
}

function agentConfig(dir: string, brokerPort: number, kioskPort: number): string {
  const file = join(dir, 'agent.yaml');
  const allDay = '[{ from: "00:00", to: "24:00" }]';
  writeFileSync(
    file,
    `hall: { id: start-hall, name: { zh: 启动大厅, en: Start hall } }
hours:
  weekly: { mon: ${allDay}, tue: ${allDay}, wed: ${allDay}, thu: ${allDay}, fri: ${allDay}, sat: ${allDay}, sun: ${allDay} }
services:
  - { id: A, prefix: A, name: { zh: 社保, en: Social } }
windows:
  - { id: 1, kind: general, tiers: [[A]] }
staff: [{ id: s1, name: S1 }]
agents:
  - { id: kiosk-1, kiosk: { host: 127.0.0.1, port: ${kioskPort} }, devices: {} }
agent: { id: kiosk-1, health: { host: 127.0.0.1, port: 0 } }
policy: {}
server:
  mqtt: { url: "mqtt://127.0.0.1:${brokerPort}" }
  http: { host: 127.0.0.1, port: 0 }
  database: ${join(dir, 'hall.db')}
`,
  );
  return file;
}

describe('a daemon whose start cannot complete ends', () => {
  it('server: HTTP port taken → exit 1 naming server.http.port, before the broker is reached', async () => {
    const dir = scratch();
    const port = await takenPort();
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await closedPort()}`, port);
    const r = await hallq('server', '--config', config).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: LISTEN_FAILED: hallq server cannot start: server.http.port: 127.0.0.1:${port} is already in use (EADDRINUSE)`);
    // The broker link comes after the HTTP port: a server that cannot serve never takes the running one's client id.
    expect(r.stdout).not.toMatch(/broker connection|connected to broker/);
    expect(r.stdout).toContain('start failed; everything it opened is closed');
  }, 60_000);

  it('server: a second server on the same database is refused before it reads or writes the log; the first keeps serving', async () => {
    const dir = scratch();
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await closedPort()}`, 0);
    const first = await startServerProcess(config);
    children.push(first);
    const second = await hallq('server', '--config', config).exited;
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`error: STORE_LOCKED: hallq server cannot start: ${join(dir, 'hall.db')} is in use by another hallq server`);
    expect(second.stdout).not.toContain('event log replayed');
    expect(first.exitCode).toBeNull();
  }, 60_000);

  it('server: the lock is the process: after a SIGKILL the next server starts on the same file', async () => {
    const dir = scratch();
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await closedPort()}`, 0);
    await killHard(await startServerProcess(config));
    children.push(await startServerProcess(config));
    expect(existsSync(join(dir, 'hall.db.lock'))).toBe(true);
  }, 60_000);

  it('agent: kiosk port taken → exit 1 naming the key, before it connects to the broker', async () => {
    const dir = scratch();
    const port = await takenPort();
    const r = await hallq('agent', '--config', agentConfig(dir, await closedPort(), port)).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: LISTEN_FAILED: hallq agent cannot start: agents[kiosk-1].kiosk.port: 127.0.0.1:${port} is already in use (EADDRINUSE)`);
    expect(r.stdout).not.toMatch(/broker connection|connected to broker/);
  }, 60_000);

  it('agent: SIGTERM while the start waits for the broker → the clean stop, exit 0', async () => {
    const dir = scratch();
    const run = hallq('agent', '--config', agentConfig(dir, await closedPort(), 0));
    // In the start: the health listener is up and the link is retrying the broker that is away.
    await run.waitFor(/broker connection error|backoffMs/);
    run.child.kill('SIGTERM');
    const r = await run.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stopped during the start');
    expect(r.stdout).not.toContain('agent ready');
  }, 60_000);
});
