/**
 * Issue 13: a second `hallq server` on ANOTHER database, with the same broker user, would take the
 * running server's session, and the two would knock each other off for ever. It is refused (exit 4,
 * `error: SERVER_RUNNING: …`) and the first keeps the hall without ever losing its broker link: the
 * check connects under an id of its own, reads the retained status and waits for the running server's
 * heartbeat. A restart on the same database is never refused nor delayed, even while the broker still
 * shows the old process online; a server on another database starts once a SIGKILLed server's
 * heartbeat is stale. Real processes from this tree's build (dist/) on a real Mosquitto with the
 * shipped config (users, client ids bound on the LAN listener only) and the ACL `hallq broker` writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { ownClientId } from '../../src/city/client-id.js';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import { hashPassword } from '../../src/bus/passwd.js';
import type { ServerStatus } from '../../src/bus/messages.js';
import { startShippedMosquitto, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { killHard, writeConfig } from '../wire/server-process.js';

const HALL = 'wire-hall';
const STATUS = `hallq/v1/${HALL}/server/status`;
/** The running server's heartbeat: read by the server's user only (the start probe), never by an agent. */
const HEARTBEAT = `hallq/v1/${HALL}/server/heartbeat`;
const PASSWORDS = new Map([
  ['hallq-server', 'server-secret'],
  ['kiosk-1', 'kiosk-secret'],
]);
const env = { ...process.env, HALLQ_RUN: 'dist' };

let dir = '';
let broker: ShippedBroker | undefined;
const children: ChildProcess[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hallq-second-server-'));
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, [...PASSWORDS].map(([u, p]) => `${u}:${hashPassword(p)}`).join('\n') + '\n', { mode: 0o600 });
  const acl = join(dir, 'acl');
  writeFileSync(acl, mosquittoAcl(hallAcl(HALL, 'hallq-server'), ['kiosk-1']), { mode: 0o600 });
  writeFileSync(join(dir, 'server.pw'), PASSWORDS.get('hallq-server') ?? '', { mode: 0o600 });
  broker = await startShippedMosquitto(dir, { passwd, acl });
});
afterEach(async () => {
  for (const c of children.splice(0)) await killHard(c);
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A hall server config with its own database under `name`, the hall's server broker user. */
function serverConfig(name: string): string {
  const d = join(dir, name);
  if (!existsSync(d)) mkdirSync(d);
  const url = broker?.url ?? '';
  const file = writeConfig(d, url, 0);
  writeFileSync(file, readFileSync(file, 'utf8').replace(`mqtt: { url: "${url}" }`, `mqtt: { url: "${url}", username: hallq-server, passwordFile: ${join(dir, 'server.pw')} }`));
  return file;
}

interface Daemon {
  child: ChildProcess;
  out: () => string;
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function server(config: string): Daemon {
  const child = spawn(process.execPath, ['bin/hallq.js', 'server', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  let stderr = '';
  const waiters: { pattern: RegExp; done: () => void }[] = [];
  const check = () => {
    for (const w of waiters.splice(0)) (w.pattern.test(text) ? w.done : () => waiters.push(w))();
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    text += d;
    check();
  });
  child.stderr?.on('data', (d: string) => {
    text += d;
    stderr += d;
    check();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return {
    child,
    out: () => text,
    waitFor: (pattern) =>
      new Promise<void>((done) => {
        if (pattern.test(text)) done();
        else waiters.push({ pattern, done });
      }),
    exited,
  };
}

/**
 * The kiosk's view of the server status topic (or, `heartbeat`, the server user's view of the heartbeat,
 * under an id of its own): every status received, and a wait for one that fits.
 */
async function statusWatcher(heartbeat = false): Promise<{ seen: ServerStatus[]; next(fits: (s: ServerStatus) => boolean, from?: number): Promise<ServerStatus> }> {
  const user = heartbeat ? 'hallq-server' : 'kiosk-1';
  const c = await mqtt.connectAsync(broker?.url ?? '', { clientId: heartbeat ? 'hallq-server.watch' : 'kiosk-1', username: user, password: PASSWORDS.get(user) ?? '', reconnectPeriod: 0 });
  clients.push(c);
  const seen: ServerStatus[] = [];
  const waiters: { fits: (s: ServerStatus) => boolean; from: number; done: (s: ServerStatus) => void }[] = [];
  c.on('message', (_t, p) => {
    seen.push(JSON.parse(p.toString()) as ServerStatus);
    for (const w of waiters.splice(0)) {
      const hit = seen.slice(w.from).find(w.fits);
      if (hit) w.done(hit);
      else waiters.push(w);
    }
  });
  await c.subscribeAsync(heartbeat ? HEARTBEAT : STATUS, { qos: 1 });
  return {
    seen,
    next: (fits, from = 0) =>
      new Promise((done) => {
        const hit = seen.slice(from).find(fits);
        if (hit) done(hit);
        else waiters.push({ fits, from, done });
      }),
  };
}

/**
 * What a host that lost power leaves behind: its online status, retained, until the broker's
 * keepalive runs out. Published by a client of the server's user under an id of its own.
 */
async function leaveOnlineStatus(status: ServerStatus): Promise<void> {
  const c = await mqtt.connectAsync(broker?.url ?? '', { clientId: 'hallq-server.test', username: 'hallq-server', password: PASSWORDS.get('hallq-server') ?? '', reconnectPeriod: 0 });
  await c.publishAsync(STATUS, JSON.stringify(status), { qos: 1, retain: true });
  await c.endAsync();
}

const lines = (d: Daemon, text: string) => d.out().split('\n').filter((l) => l.includes(text)).length;
const connects = (d: Daemon) => lines(d, '"connected to broker"');
/** The server's client id on the localhost listener (derived from its password, src/server/mqtt-server.ts). */
const SERVER_ID = ownClientId('hallq-server', PASSWORDS.get('hallq-server') ?? '');

describe('two hall servers on one broker (issue 13)', () => {
  it('refuses a second server on another database with exit 4 and SERVER_RUNNING in en/zh; the first never loses its broker link', async () => {
    const watch = await statusWatcher();
    const beats = await statusWatcher(true);
    const first = server(serverConfig('first'));
    await first.waitFor(/"connected to broker"/);
    const firstStatus = await watch.next((s) => s.online && s.instance !== undefined);
    expect(firstStatus.host).toBe(hostname());
    const mark = watch.seen.length;
    const logMark = broker?.log().length ?? 0;

    const second = server(serverConfig('second'));
    const outcome = await Promise.race([second.exited, second.waitFor(/"connected to broker"/).then(() => 'connected' as const)]);
    expect(outcome, second.out()).not.toBe('connected');
    const exit = await second.exited;
    expect(exit.code).toBe(4);
    expect(exit.stderr).toContain(`error: SERVER_RUNNING: hallq server cannot start: another hallq server (database instance ${firstStatus.instance} on host ${hostname()}) is serving hall ${HALL} on this broker`);
    expect(exit.stderr).toContain('另一台 hallq 服务');
    // The way out it gives is one that works: another broker user with the same hall.id is refused all the same (a tryout).
    expect(exit.stderr).toContain("if this one is meant for another hall, give it that hall's own hall.id");
    expect(exit.stderr).not.toContain('broker user');
    expect(second.out()).not.toContain('hall server ready');

    // A heartbeat after the refusal: the first is still there, under its own instance.
    await beats.next((s) => s.online && s.instance === firstStatus.instance, beats.seen.length);
    // Its broker link never dropped: one connection, no loss, no reconnect, no last will (an offline
    // status), and the broker never closed its session for another connection with its id.
    expect(connects(first)).toBe(1);
    expect(first.out()).not.toContain('broker connection lost');
    expect(watch.seen.slice(mark).every((s) => s.online && s.instance === firstStatus.instance)).toBe(true);
    const brokerLog = broker?.log().slice(logMark) ?? '';
    expect(brokerLog).toMatch(/as hallq-server\.probe\.[0-9a-f]{12} /);
    expect(brokerLog).not.toContain(SERVER_ID);
    // And it says nothing of another server: the second never published as the hall's server.
    expect(first.out()).not.toContain('another hallq server is serving this hall');
    expect(first.child.exitCode).toBeNull();
    // How the second knew: the first's heartbeat, waited for.
    expect(second.out()).toContain('waiting for its heartbeat');
  }, 60_000);

  it('a restart on the same database after SIGKILL is never refused nor delayed, even while the broker still shows the old process online', async () => {
    const watch = await statusWatcher();
    const config = serverConfig('restart');
    const before = server(config);
    await before.waitFor(/"connected to broker"/);
    const was = await watch.next((s) => s.online && s.instance !== undefined);
    await killHard(before.child);
    await leaveOnlineStatus(was);

    const after = server(config);
    await after.waitFor(/"connected to broker"/);
    expect(after.out()).toContain('"seen":"same-instance"');
    // Not delayed: it never waited for a heartbeat.
    expect(after.out()).not.toContain('waiting for its heartbeat');
    expect(after.out()).not.toContain('stale status');
    await watch.next((s) => s.online && s.instance === was.instance && (s.at ?? 0) > (was.at ?? 0));
  }, 60_000);

  it('a server on another database starts at once after the first was SIGKILLed (its socket closed, its will fired)', async () => {
    const watch = await statusWatcher();
    const killed = server(serverConfig('killed'));
    await killed.waitFor(/"connected to broker"/);
    const was = await watch.next((s) => s.online && s.instance !== undefined);
    const mark = watch.seen.length;
    await killHard(killed.child);
    await watch.next((s) => !s.online && s.instance === was.instance, mark);
    const replacement = server(serverConfig('after-kill'));
    await replacement.waitFor(/"connected to broker"/);
    expect(replacement.out()).toContain('"seen":"offline"');
    expect(replacement.out()).not.toContain('waiting for its heartbeat');
    await watch.next((s) => s.online && s.instance !== undefined && s.instance !== was.instance, mark);
  }, 60_000);

  it('a server on another database starts once the heartbeat of a server the broker still holds is stale (frozen: no will, no heartbeat), with a warning', async () => {
    const watch = await statusWatcher();
    const frozen = server(serverConfig('frozen'));
    await frozen.waitFor(/"connected to broker"/);
    const was = await watch.next((s) => s.online && s.instance !== undefined);
    // SIGSTOP: its connection stays open, the broker keeps its session and online status (a box that
    // lost power, or a SIGKILLed server whose broker has not noticed yet, until the keepalive runs out).
    frozen.child.kill('SIGSTOP');
    const replacement = server(serverConfig('after-freeze'));
    await replacement.waitFor(/"connected to broker"/);
    expect(replacement.out()).toContain('waiting for its heartbeat');
    expect(replacement.out()).toContain('a stale status; starting');
    await watch.next((s) => s.online && s.instance !== undefined && s.instance !== was.instance);
    expect(replacement.child.exitCode).toBeNull();
    // The stale status it judged at the start is no alarm.
    expect(replacement.out()).not.toContain('another hallq server is serving this hall');
    frozen.child.kill('SIGCONT');
  }, 60_000);

  it("another database's stale online status left by a clean disconnect (no will) lets the new server start, with a warning", async () => {
    await leaveOnlineStatus({ online: true, seq: 7, at: Date.now(), instance: 'f'.repeat(32), host: 'old-box' });
    const replacement = server(serverConfig('replacement'));
    await replacement.waitFor(/"connected to broker"/);
    expect(replacement.out()).toContain('a stale status; starting');
    expect(replacement.child.exitCode).toBeNull();
    expect(replacement.out()).not.toContain('another hallq server is serving this hall');
  }, 60_000);

  it("an idle server sends an agent nothing, on the shipped ACL: the heartbeat reaches the server's user only", async () => {
    const idle = server(serverConfig('idle'));
    await idle.waitFor(/"hall server ready"/);
    const beats = await statusWatcher(true);
    // One beat first: what the server sent at its connect (status, views) has passed the broker by then.
    const first = await beats.next((s) => s.online && s.instance !== undefined);
    // The kiosk subscribes to every topic of the hall; the ACL decides what it gets. Retained copies (what a
    // new subscription is handed) aside, it counts what the broker sends it live.
    const kiosk = await mqtt.connectAsync(broker?.url ?? '', { clientId: 'kiosk-1', username: 'kiosk-1', password: PASSWORDS.get('kiosk-1') ?? '', reconnectPeriod: 0 });
    clients.push(kiosk);
    const live: string[] = [];
    const retained: string[] = [];
    kiosk.on('message', (topic, _p, packet) => (packet.retain ? retained : live).push(topic));
    await kiosk.subscribeAsync(`hallq/v1/${HALL}/#`, { qos: 1 });
    // Two more heartbeats (the status was republished at each one before).
    const mark = beats.seen.length;
    await beats.next((s) => s.instance === first.instance, mark);
    await beats.next((s) => s.instance === first.instance, mark + 1);
    // Then a message the kiosk may read, published after them: when it arrives, everything the broker
    // routed to the kiosk before it has arrived too. Live before it: nothing.
    const marker = `hallq/v1/${HALL}/state/marker`;
    const marked = new Promise<void>((done) => kiosk.on('message', (topic) => topic === marker && done()));
    const serverUser = await mqtt.connectAsync(broker?.url ?? '', { clientId: 'hallq-server.marker', username: 'hallq-server', password: PASSWORDS.get('hallq-server') ?? '', reconnectPeriod: 0 });
    clients.push(serverUser);
    await serverUser.publishAsync(marker, '{}', { qos: 1 });
    await marked;
    expect(live).toEqual([marker]);
    expect(retained).toContain(STATUS);
    expect(retained).not.toContain(HEARTBEAT);
  }, 60_000);

  it('a server that sees another instance online (one that started while the broker was away) says so in its log', async () => {
    const watch = await statusWatcher();
    const startedAt = Date.now();
    const running = server(serverConfig('knocked'));
    await running.waitFor(/"connected to broker"/);
    // Its own online status, published after its subscriptions on the same connection: once the broker
    // has routed it, the server listens live (a status published before that reaches it as the retained
    // copy of its first connection, which the start's probe judges, not this check).
    await watch.next((s) => s.online && (s.at ?? 0) >= startedAt && s.instance !== 'e'.repeat(32));
    // Another instance publishes its status while this one runs.
    await leaveOnlineStatus({ online: true, seq: 3, at: Date.now(), instance: 'e'.repeat(32), host: 'rogue-box' });
    await running.waitFor(/another hallq server is serving this hall on the broker with this server's identity/);
    expect(running.out()).toContain('"otherHost":"rogue-box"');
  }, 60_000);
});
