import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import { hallAcl } from '../../src/bus/acl.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import type { ServerStatus } from '../../src/bus/messages.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { topics } from '../../src/bus/topics.js';
import { HallEngine } from '../../src/server/engine.js';
import { probeClientId, probeServerInstance, type ProbeOptions } from '../../src/server/instance-probe.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { testConfig } from '../http/rig.js';
import { RestartableBroker } from '../helpers/restartable-broker.js';

/**
 * The start's probe (issue 13) against a real MqttServer holding the hall's server identity: on the
 * embedded broker with users (client ids bound to users, but for a user's own probe id, as the demo
 * and a small hall run it), and on a real Mosquitto with the shipped config that restarts under it.
 */
const HALL = 'demo-hall';
const USER = 'hallq-server';
const PASSWORD = 'server-secret';
const t = topics(HALL);
const OTHER = 'b'.repeat(32);

let broker: EmbeddedBroker | undefined;
let mosquitto: RestartableBroker | undefined;
const servers: { mqtt: MqttServer; engine: HallEngine }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.mqtt.stop();
    s.engine.close();
  }
  await broker?.close();
  broker = undefined;
  await mosquitto?.stop();
  mosquitto = undefined;
});

/** A hall server on `url` with its own database, heartbeating every `heartbeatMs`; resolves once connected. */
async function running(url: string, dir: string, heartbeatMs = 200): Promise<{ mqtt: MqttServer; instance: string }> {
  const engine = HallEngine.open(join(dir, `hall-${servers.length}.db`), testConfig(), silentLogger, Date.now());
  const instance = engine.log.instanceId();
  const mqtt = new MqttServer(
    engine,
    { url, hall: HALL, username: USER, password: PASSWORD, clock: Date.now, authorize: requestAuthorizer([]), instance, host: 'hall-srv', heartbeatMs, reconnect: { initialMs: 100, maxMs: 200 } },
    silentLogger,
  );
  servers.push({ mqtt, engine });
  await mqtt.start();
  return { mqtt, instance };
}

async function embedded(): Promise<{ url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-probe-'));
  const passwordFile = join(dir, 'passwd');
  writeFileSync(passwordFile, `${USER}:${hashPassword(PASSWORD)}\nkiosk-1:${hashPassword('kiosk-secret')}\n`);
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, auth: { passwordFile, acl: hallAcl(HALL, USER) } });
  return { url: broker.url, dir };
}

const probe = (url: string, instance: string, more: Partial<ProbeOptions> = {}) =>
  probeServerInstance({ url, clientId: probeClientId(USER), username: USER, password: PASSWORD, statusTopic: t.serverStatus, heartbeatTopic: t.serverHeartbeat, fenceTopic: `${t.root}/server/probe`, instance, heartbeatWaitMs: 1500, ...more });

/** Leaves a retained status as a server that is gone would (a client of the server's user under its own id). */
async function leaveStatus(url: string, status: ServerStatus): Promise<void> {
  const c = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: probeClientId(USER), username: USER, password: PASSWORD, reconnectPeriod: 0 });
  await c.publishAsync(t.serverStatus, JSON.stringify(status), { qos: 1, retain: true });
  await c.endAsync();
}

/** A logger that calls `on` with every message logged at info or warn. */
function watching(on: (msg: string) => void): Logger {
  const l: Logger = { debug: () => undefined, info: (_o, m) => on(m ?? ''), warn: (_o, m) => on(m ?? ''), error: () => undefined, child: () => l };
  return l;
}

describe('the server instance probe on the embedded broker (issue 13)', () => {
  it('finds a running server of another database by its heartbeat, and never takes its session', async () => {
    const r = await embedded();
    const a = await running(r.url, r.dir);
    const result = await probe(r.url, OTHER);
    expect(result).toMatchObject({ kind: 'running', other: { instance: a.instance, host: 'hall-srv', online: true } });
    expect(a.mqtt.metrics.connected).toBe(true);
    expect(a.mqtt.metrics.reconnects).toBe(0);
  });

  it('an idle hall sends its agents nothing: the heartbeat goes to the server user only, and the retained status only when it changes', async () => {
    const r = await embedded();
    const a = await running(r.url, r.dir);
    // The server's user sees the heartbeats, live (never retained), online, from the server's instance.
    const watcher = await mqtt.connectAsync(r.url, { protocolVersion: 4, clientId: probeClientId(USER), username: USER, password: PASSWORD, reconnectPeriod: 0 });
    const beats: ServerStatus[] = [];
    const beatWaiters: { n: number; done: () => void }[] = [];
    watcher.on('message', (topic, payload, packet) => {
      if (topic !== t.serverHeartbeat || packet.retain) return;
      beats.push(JSON.parse(payload.toString()) as ServerStatus);
      for (const w of beatWaiters.splice(0)) (beats.length >= w.n ? w.done : () => beatWaiters.push(w))();
    });
    const beat = (n: number) => new Promise<void>((done) => (beats.length >= n ? done() : beatWaiters.push({ n, done })));
    await watcher.subscribeAsync(t.serverHeartbeat, { qos: 1 });
    // One beat first: what the server sent at its connect (status, views) has passed the broker by then.
    await beat(1);
    // The agent subscribes to every topic of the hall; the broker's ACL decides what it gets. Retained
    // copies (what a new subscription is handed) aside, it counts what the broker sends it live.
    const agent = await mqtt.connectAsync(r.url, { protocolVersion: 4, clientId: 'kiosk-1', username: 'kiosk-1', password: 'kiosk-secret', reconnectPeriod: 0 });
    const live: string[] = [];
    const retained: string[] = [];
    agent.on('message', (topic, _p, packet) => (packet.retain ? retained : live).push(topic));
    await agent.subscribeAsync(`${t.root}/#`, { qos: 1 });
    await beat(4);
    expect(beats.every((b) => b.online && b.instance === a.instance)).toBe(true);
    // Then a message the agent may read, published after the fourth beat: when it arrives, everything
    // the broker routed to the agent before it has arrived too. Live before it: nothing.
    const marker = `${t.root}/state/marker`;
    const marked = new Promise<void>((done) => agent.on('message', (topic) => topic === marker && done()));
    await watcher.publishAsync(marker, '{}', { qos: 1 });
    await marked;
    expect(live).toEqual([marker]);
    // It has the server's status all the same (the retained copy), never the heartbeat.
    expect(retained).toContain(t.serverStatus);
    expect(retained).not.toContain(t.serverHeartbeat);
    await Promise.all([agent.endAsync(true), watcher.endAsync(true)]);
  });

  it("clears at once for the same database's instance, a clean stop, and an empty broker", async () => {
    const r = await embedded();
    expect(await probe(r.url, 'c'.repeat(32))).toEqual({ kind: 'clear', seen: 'none' });
    const a = await running(r.url, r.dir);
    // Never waits for a heartbeat: the longest wait is far beyond the test's bound.
    expect(await probe(r.url, a.instance, { heartbeatWaitMs: 600_000 })).toEqual({ kind: 'clear', seen: 'same-instance' });
    await a.mqtt.stop();
    expect(await probe(r.url, 'c'.repeat(32), { heartbeatWaitMs: 600_000 })).toEqual({ kind: 'clear', seen: 'offline' });
  });

  it("clears as stale another server's online status when no heartbeat of it comes", async () => {
    const r = await embedded();
    await leaveStatus(r.url, { online: true, seq: 4, at: Date.now(), instance: 'e'.repeat(32), host: 'old-box' });
    const steps: string[] = [];
    expect(await probe(r.url, OTHER, { heartbeatWaitMs: 300, logger: watching((m) => steps.push(m)) })).toEqual({ kind: 'clear', seen: 'stale' });
    expect(steps).toContain("another hall server's status is online: waiting for its heartbeat");
  });

  it("keeps a user's own probe id only: an agent asking for the server user's probe id gets its own", async () => {
    const r = await embedded();
    const a = await running(r.url, r.dir);
    const id = probeClientId(USER);
    const holder = await mqtt.connectAsync(r.url, { protocolVersion: 4, clientId: id, username: USER, password: PASSWORD, reconnectPeriod: 0 });
    const closed = new Promise<'closed'>((resolve) => holder.once('close', () => resolve('closed')));
    const agent = await mqtt.connectAsync(r.url, { protocolVersion: 4, clientId: id, username: 'kiosk-1', password: 'kiosk-secret', reconnectPeriod: 0 });
    // The agent got kiosk-1: a round trip of the holder shows it still connected.
    await holder.subscribeAsync(`${t.root}/server/probe`, { qos: 1 });
    expect(await Promise.race([closed, Promise.resolve('open')])).toBe('open');
    await Promise.all([agent.endAsync(true), holder.endAsync(true)]);
    expect(a.mqtt.metrics.reconnects).toBe(0);
  });

  it('says unreachable (never refuses) when no broker answers', async () => {
    const s = net.createServer();
    await new Promise<void>((done) => s.listen(0, '127.0.0.1', () => done()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((done) => s.close(done));
    expect(await probe(`mqtt://127.0.0.1:${port}`, 'd'.repeat(32))).toMatchObject({ kind: 'unreachable' });
  });
});

describe('the server instance probe on Mosquitto (shipped config) restarting under it (issue 13)', () => {
  const shipped = async (): Promise<{ url: string; dir: string }> => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-probe-mosquitto-'));
    mosquitto = await RestartableBroker.create(dir, { id: HALL, serverUser: USER, agents: [] }, new Map([[USER, PASSWORD]]));
    return { url: mosquitto.url, dir };
  };
  /** Restarts the broker (SIGTERM: it saves the retained status and hands it out again) the first time the probe waits for a heartbeat. */
  const restartWhileWaiting = (steps: string[]): { logger: Logger; restarted: Promise<void> } => {
    let restart: () => void = () => undefined;
    const restarted = new Promise<void>((resolve) => {
      restart = () => void (mosquitto?.stop('SIGTERM') ?? Promise.resolve()).then(() => mosquitto?.start()).then(() => resolve());
    });
    const logger = watching((m) => {
      steps.push(m);
      if (m.endsWith('waiting for its heartbeat') && steps.filter((s) => s === m).length === 1) restart();
    });
    return { logger, restarted };
  };

  it("a broker restart while it waits for a stale status's heartbeat is no refusal: the retained copy again is not a heartbeat", async () => {
    const r = await shipped();
    await leaveStatus(r.url, { online: true, seq: 9, at: Date.now(), instance: 'e'.repeat(32), host: 'old-box' });
    const steps: string[] = [];
    const w = restartWhileWaiting(steps);
    const result = await probe(r.url, OTHER, { logger: w.logger });
    await w.restarted;
    expect(steps).toContain('broker connection lost while checking for another hall server: asking again');
    // Asked again after the restart: the broker still held the stale status, and the probe waited again.
    expect(steps.filter((s) => s.endsWith('waiting for its heartbeat'))).toHaveLength(2);
    expect(result).toEqual({ kind: 'clear', seen: 'stale' });
  }, 30_000);

  it('a broker restart while it waits does not hide a running server: its heartbeat refuses', async () => {
    const r = await shipped();
    const a = await running(r.url, r.dir, 1000);
    const steps: string[] = [];
    const w = restartWhileWaiting(steps);
    const result = await probe(r.url, OTHER, { logger: w.logger });
    await w.restarted;
    expect(result).toMatchObject({ kind: 'running', other: { instance: a.instance } });
  }, 30_000);
});
