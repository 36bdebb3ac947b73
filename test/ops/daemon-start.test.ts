/**
 * `hallq server` / `hallq agent` when the start cannot complete: a port taken, the database in use by
 * another server, a SIGTERM while the broker is still away. Each ends (exit 1 with the key named, or the
 * clean stop) instead of staying up half-started. The real CLI from this tree's build (dist/).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAllDayHallYaml } from '../helpers/all-day-hall-yaml.js';
import { spawnHallq, startReady, type Daemon } from '../helpers/hallq-process.js';
import { writeConfig } from '../wire/server-process.js';
import { keptEntryDigest } from '../../src/config/config-cache.js';

const env = { ...process.env, HALLQ_RUN: 'dist' };
const dirs: string[] = [];
const children: Daemon[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A path as a literal in a RegExp. */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

/** `hallq <args>` from the build, killed after the test if it still runs. */
function hallq(...args: string[]): Daemon {
  const d = spawnHallq(args, env);
  children.push(d);
  return d;
}

/** Runs `hallq <args>` to its end: the exit code and what it wrote on each stream. */
async function ends(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const d = hallq(...args);
  const { code } = await d.exited;
  return { code, stdout: d.stdout(), stderr: d.stderr() };
}

/** `hallq server` from the build, ready. */
async function server(config: string): Promise<Daemon> {
  const d = await startReady('server', config, env);
  children.push(d);
  return d;
}

function agentConfig(dir: string, brokerPort: number, kioskPort: number): string {
  return writeAllDayHallYaml({
    dir,
    file: 'agent.yaml',
    id: 'start-hall',
    name: { zh: '启动大厅', en: 'Start hall' },
    windows: 1,
    agents: [`{ id: kiosk-1, kiosk: { host: 127.0.0.1, port: ${kioskPort} }, devices: {} }`],
    brokerUrl: `mqtt://127.0.0.1:${brokerPort}`,
    httpPort: 0,
    extra: 'agent: { id: kiosk-1, health: { host: 127.0.0.1, port: 0 } }\n',
  });
}

describe('a daemon whose start cannot complete ends', () => {
  it('server: HTTP port taken → exit 1 naming server.http.port, before the broker is reached', async () => {
    const dir = scratch();
    const port = await takenPort();
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await closedPort()}`, port);
    const r = await ends('server', '--config', config);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: LISTEN_FAILED: hallq server cannot start: server.http.port: 127.0.0.1:${port} is already in use (EADDRINUSE)`);
    expect(r.stderr).toContain(`(hallq server 未能启动：server.http.port：127.0.0.1:${port} 已被占用`);
    // The broker link comes after the HTTP port: a server that cannot serve never takes the running one's client id.
    expect(r.stdout).not.toMatch(/broker connection|connected to broker/);
    expect(r.stdout).toContain('start failed; everything it opened is closed');
  }, 60_000);

  it('server: a second server on the same database is refused before it reads or writes the log; the first keeps serving', async () => {
    const dir = scratch();
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await closedPort()}`, 0);
    const first = await server(config);
    const second = await ends('server', '--config', config);
    expect(second.code).toBe(1);
    // The one error form of the CLI, with its Chinese (issue 13), and the JSON log line.
    expect(second.stderr).toMatch(new RegExp(`^error: STORE_LOCKED: hallq server cannot start: ${escape(join(dir, 'hall.db'))} is in use by another hallq server .*\\(hallq server 未能启动：${escape(join(dir, 'hall.db'))} 正被另一个 hallq 服务器使用.*\\)$`, 'm'));
    expect(second.stdout).toContain('start failed; everything it opened is closed');
    expect(second.stdout).not.toContain('event log replayed');
    expect(first.child.exitCode).toBeNull();
  }, 60_000);

  it('server: the lock is the process: after a SIGKILL the next server starts on the same file', async () => {
    const dir = scratch();
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await closedPort()}`, 0);
    await (await server(config)).kill();
    await server(config);
    expect(existsSync(join(dir, 'hall.db.lock'))).toBe(true);
  }, 60_000);

  it('server under CacheDirectory: the first start keeps the checked config (0600), the next one on the same bytes takes it; an invalid file leaves nothing', async () => {
    const dir = scratch();
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    const config = writeConfig(dir, `mqtt://127.0.0.1:${await closedPort()}`, 0);
    const cached = { ...env, CACHE_DIRECTORY: cache };
    const first = await startReady('server', config, cached);
    children.push(first);
    const files = readdirSync(cache);
    expect(files).toHaveLength(1);
    const entry = join(cache, files[0] ?? '');
    expect(statSync(entry).mode & 0o777).toBe(0o600);
    await first.kill();
    // Proof that the second start took the kept config, not the file: the database the kept entry names.
    const kept = JSON.parse(readFileSync(entry, 'utf8')) as { key: string; digest: string; config: { server: { database: string } } };
    expect(kept.config.server.database).toBe(join(dir, 'hall.db'));
    kept.config.server.database = join(dir, 'from-cache.db');
    writeFileSync(entry, JSON.stringify({ ...kept, digest: keptEntryDigest(kept.key, JSON.stringify(kept.config)) }));
    children.push(await startReady('server', config, cached));
    expect(existsSync(join(dir, 'from-cache.db'))).toBe(true);
    // An invalid config is refused (exit 3) and never kept.
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `${readFileSync(config, 'utf8')}\nbogusTopKey: [unclosed\n`);
    const d = spawnHallq(['server', '--config', bad], cached);
    children.push(d);
    expect((await d.exited).code).toBe(3);
    expect(readdirSync(cache)).toEqual(files);
  }, 60_000);

  it('agent: kiosk port taken → exit 1 naming the key, before it connects to the broker', async () => {
    const dir = scratch();
    const port = await takenPort();
    const r = await ends('agent', '--config', agentConfig(dir, await closedPort(), port));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: LISTEN_FAILED: hallq agent cannot start: agents[kiosk-1].kiosk.port: 127.0.0.1:${port} is already in use (EADDRINUSE)`);
    expect(r.stdout).not.toMatch(/broker connection|connected to broker/);
  }, 60_000);

  it('agent: SIGTERM while the start waits for the broker → the clean stop, exit 0', async () => {
    const dir = scratch();
    const run = hallq('agent', '--config', agentConfig(dir, await closedPort(), 0));
    // In the start: the health listener is up and the link is retrying the broker that is away.
    await run.says(/broker connection error|backoffMs/);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain('stopped during the start');
    expect(run.stdout()).not.toContain('agent ready');
  }, 60_000);
});
