/**
 * The shipped broker config (config/mosquitto.conf) and example ACL (config/mosquitto.acl.example) on a real
 * Mosquitto: only the listener, persistence and file paths are swapped for test ones, so a change to the
 * shipped files that lets anonymous clients in or lets an agent forge another's requests fails here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { adaptShippedConf } from '../helpers/shipped-mosquitto.js';
import { watchStderr } from '../helpers/stderr-ready.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MOSQUITTO = '/usr/sbin/mosquitto';
const ABSENT = !existsSync(MOSQUITTO) ? 'mosquitto is not installed (Debian package "mosquitto")' : undefined;
const shippedConf = readFileSync(join(import.meta.dirname, '../../config/mosquitto.conf'), 'utf8');
const acl = join(import.meta.dirname, '../../config/mosquitto.acl.example');

const USERS = { 'hallq-server': 'server-secret', 'kiosk-1': 'kiosk-secret', 'counter-1': 'counter-secret' } as const;
type User = keyof typeof USERS;
const T = 'hallq/v1/demo-hall';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let broker: ChildProcess | undefined;
/** What Mosquitto printed while it read its config and started (its warnings among it). */
let startLog = '';
let dir = '';
let url = '';
const clients: MqttClient[] = [];

beforeAll(async () => {
  if (ABSENT) return;
  dir = mkdtempSync(join(tmpdir(), 'hallq-broker-'));
  const passwd = join(dir, 'passwd');
  Object.entries(USERS).forEach(([user, password], i) => {
    // -c creates the file (first user only), -b takes the password from the command line.
    const made = spawnSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', passwd, user, password], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  });
  const port = await freePort();
  url = `mqtt://127.0.0.1:${port}`;
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, adaptShippedConf([port, await freePort()], dir, { passwd, acl }));
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  broker = child;
  await watchStderr(child, / running/, { what: 'mosquitto (shipped config)', ms: 30_000, onTimeout: () => child.kill('SIGKILL'), onText: (d) => (startLog += d) }).ready;
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  const child = broker;
  if (child && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the client once CONNACK accepts it, rejects with the CONNACK return code if it refuses. */
function connect(user?: User, password?: string): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(user === undefined ? {} : { username: user, password: password ?? USERS[user] }),
  });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => reject(err));
  });
}

describe('shipped mosquitto.conf', () => {
  it('listens on localhost and the LAN, authenticates everyone, persists', () => {
    const lines = shippedConf.split('\n').map((l) => l.trim());
    expect(lines).toContain('allow_anonymous false');
    expect(lines).toContain('listener 1883 127.0.0.1');
    expect(lines.filter((l) => /^listener 1883 /.test(l))).toHaveLength(2);
    expect(lines).toContain('persistence true');
    expect(lines.some((l) => /^password_file \//.test(l))).toBe(true);
    expect(lines.some((l) => /^acl_file \//.test(l))).toBe(true);
    // A listener setting in Mosquitto 2: right after its listener, or it opens a default listener on 1883 of every address.
    // The LAN listener (the agents') binds client ids to users; the localhost one lets the hall server's
    // start probe use an id of its own (README "One server per hall on a broker").
    const lan = lines.findIndex((l) => /^listener 1883 /.test(l) && l !== 'listener 1883 127.0.0.1');
    expect(lines[lan + 1]).toBe('use_username_as_clientid true');
    expect(lines[lines.indexOf('listener 1883 127.0.0.1') + 1]).not.toBe('use_username_as_clientid true');
    expect(lines.filter((l) => l === 'use_username_as_clientid true')).toHaveLength(1);
  });

  it('turns Nagle off on client sockets: a small answer is not held for a delayed ACK (40 ms a command)', () => {
    expect(shippedConf.split('\n').map((l) => l.trim())).toContain('set_tcp_nodelay true');
  });
});

describe('broker ACL on a real mosquitto', () => {
  it('starts without a warning about the ACL (Mosquitto 2 warns for every pattern line without %u or %c)', (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    expect(startLog).toMatch(/ running/);
    expect(startLog).not.toMatch(/Warning: ACL pattern/);
    expect(startLog).not.toMatch(/does not contain '%c' or '%u'/);
  });

  it('gives every agent of the file what the rules give it: the second agent of the file reads the shared topics too, and only its own answers', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    // counter-1 (the file's second agent block) reads what kiosk-1 reads, and publishes under its own id only.
    const counter = await connect('counter-1');
    await counter.subscribeAsync([`${T}/events`, `${T}/state/#`, `${T}/server/status`, `${T}/res/+`, `${T}/island/fwd/+`, `${T}/island/ev/+`], { qos: 1 });
    const server = await connect('hallq-server');
    const received: string[] = [];
    const last = new Promise<void>((resolve) => {
      counter.on('message', (topic) => {
        received.push(topic);
        if (topic === `${T}/island/ev/kiosk-1`) resolve();
      });
    });
    for (const topic of [`${T}/res/kiosk-1`, `${T}/events`, `${T}/state/window/3`, `${T}/server/status`, `${T}/res/counter-1`, `${T}/island/fwd/kiosk-1`, `${T}/island/ev/kiosk-1`]) {
      await server.publishAsync(topic, 'x', { qos: 1 });
    }
    await last;
    expect(received).toEqual([`${T}/events`, `${T}/state/window/3`, `${T}/server/status`, `${T}/res/counter-1`, `${T}/island/fwd/kiosk-1`, `${T}/island/ev/kiosk-1`]);
  });

  it('refuses anonymous clients and wrong passwords', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    await expect(connect()).rejects.toMatchObject({ code: 5 });
    // 3.1.1 return code 4 (bad user name or password) or 5 (not authorised), depending on the version.
    await expect(connect('kiosk-1', 'guess')).rejects.toMatchObject({ code: expect.any(Number) as number });
  });

  it('lets an agent publish only its own requests and status, never another agent\'s or the server\'s topics', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    const server = await connect('hallq-server');
    const kiosk = await connect('kiosk-1');
    const granted = await server.subscribeAsync(`${T}/#`, { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);

    const received: string[] = [];
    const last = new Promise<void>((resolve) => {
      server.on('message', (topic) => {
        received.push(topic);
        if (topic === `${T}/agent/kiosk-1/status`) resolve();
      });
    });
    // The forbidden ones first: from one client, mosquitto delivers in order, so had any of them got
    // through, it would arrive before the allowed ones. A 3.1.1 broker acks and drops a denied publish.
    for (const topic of [`${T}/req/counter-1`, `${T}/agent/counter-1/status`, `${T}/events`, `${T}/state/queue`, `${T}/res/counter-1`, 'hallq/v1/other-hall/req/kiosk-1']) {
      await kiosk.publishAsync(topic, 'forged', { qos: 1 });
    }
    await kiosk.publishAsync(`${T}/req/kiosk-1`, '{"type":"ping"}', { qos: 1 });
    await kiosk.publishAsync(`${T}/agent/kiosk-1/status`, '{"online":true}', { qos: 1 });
    await last;
    expect(received).toEqual([`${T}/req/kiosk-1`, `${T}/agent/kiosk-1/status`]);
  });

  it('lets an agent read its answers, events, state and the server\'s status, but not another agent\'s answers or requests, nor the server\'s heartbeat', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    const kiosk = await connect('kiosk-1');
    // Mosquitto 2.0 grants the subscription and checks "read" on each message, so the proof is in delivery.
    await kiosk.subscribeAsync([`${T}/res/+`, `${T}/req/+`, `${T}/events`, `${T}/state/#`, `${T}/server/#`], { qos: 1 });
    const server = await connect('hallq-server');
    const received: string[] = [];
    const last = new Promise<void>((resolve) => {
      kiosk.on('message', (topic) => {
        received.push(topic);
        if (topic === `${T}/server/status`) resolve();
      });
    });
    for (const topic of [`${T}/res/counter-1`, `${T}/req/counter-1`, `${T}/res/kiosk-1`, `${T}/events`, `${T}/state/queue`, `${T}/server/heartbeat`, `${T}/server/status`]) {
      await server.publishAsync(topic, 'x', { qos: 1 });
    }
    await last;
    expect(received).toEqual([`${T}/res/kiosk-1`, `${T}/events`, `${T}/state/queue`, `${T}/server/status`]);
  });
  it('lets an agent publish island forwards, answers and events only under its own id, and read the others\' (island mode, README)', async (ctx) => {
    if (ABSENT) return ctx.skip(ABSENT);
    const kiosk = await connect('kiosk-1');
    const counter = await connect('counter-1');
    await counter.subscribeAsync([`${T}/island/fwd/+`, `${T}/island/ans/+/+`, `${T}/island/ev/+`, `${T}/agent/+/status`], { qos: 1 });
    const received: string[] = [];
    const last = new Promise<void>((resolve) => {
      counter.on('message', (topic) => {
        received.push(topic);
        if (topic === `${T}/agent/kiosk-1/status`) resolve();
      });
    });
    // Forged first (another agent's id as sender, or an answer meant for a third agent), then the allowed ones.
    for (const topic of [`${T}/island/fwd/counter-1`, `${T}/island/ans/counter-1/kiosk-1`, `${T}/island/ev/counter-1`, `${T}/island/ans/kiosk-1/kiosk-2`]) {
      await kiosk.publishAsync(topic, 'forged', { qos: 1 });
    }
    for (const topic of [`${T}/island/fwd/kiosk-1`, `${T}/island/ans/kiosk-1/counter-1`, `${T}/island/ev/kiosk-1`, `${T}/agent/kiosk-1/status`]) {
      await kiosk.publishAsync(topic, '{}', { qos: 1 });
    }
    await last;
    // island/ans/kiosk-1/kiosk-2 was published (kiosk-1 may answer anyone) but is kiosk-2's to read, not counter-1's.
    expect(received).toEqual([`${T}/island/fwd/kiosk-1`, `${T}/island/ans/kiosk-1/counter-1`, `${T}/island/ev/kiosk-1`, `${T}/agent/kiosk-1/status`]);
  });
});
