import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import type { LogRecord } from '../../drivers/common/logger.js';
import type { AgentLink } from '../../src/agent/link.js';
import type { Response, ServerStatus } from '../../src/bus/messages.js';
import { topics } from '../../src/bus/topics.js';
import { agentEntrySchema, type AgentEntry } from '../../src/config/schema.js';
import { startAgent, startServer, tempDb, wireConfig, type Credentials, type ServerRig } from './rig.js';

/**
 * Per-agent authorization over a real broker with authentication and the shipped rules (issue 9):
 * the same test body runs over Mosquitto (shipped config) and the embedded Aedes broker.
 */

export const SERVER_USER = 'hallq-server';
const line = (keypads: { window: number; address: number; role: 'caller' | 'rating' | 'both' }[]) => ({ path: '/dev/hallq/rs485-0', keypads });
/** kiosk-1: a kiosk only. counter-3: window 3's caller keypad and, at another address, its rating keypad. counter-5: window 5's keypad (both roles). spare-1, watch-1: nothing. */
export const authAgents: AgentEntry[] = [
  agentEntrySchema.parse({ id: 'kiosk-1', kiosk: {} }),
  agentEntrySchema.parse({ id: 'counter-3', devices: { rs485: [line([{ window: 3, address: 3, role: 'caller' }, { window: 3, address: 33, role: 'rating' }])] } }),
  agentEntrySchema.parse({ id: 'counter-5', devices: { rs485: [line([{ window: 5, address: 5, role: 'both' }])] } }),
  agentEntrySchema.parse({ id: 'spare-1' }),
  agentEntrySchema.parse({ id: 'watch-1' }),
];
export const USERS = [SERVER_USER, ...authAgents.map((a) => a.id)];

export interface AuthBroker {
  /** Where the server connects. */
  url: string;
  /** Where agents connect (Mosquitto: the shipped LAN listener); default url. */
  agentUrl?: string;
  close(): Promise<void>;
}

/** The broker under test, given the users' passwords (it writes its password file and ACL itself). */
export type StartAuthBroker = (dir: string, passwords: Map<string, string>) => Promise<AuthBroker>;

const T = topics(wireConfig.id);

export function authorizationTests(startBroker: StartAuthBroker, hooks: { beforeAll: (fn: () => Promise<void>) => void; afterAll: (fn: () => Promise<void>) => void }, brokerDrops: 'silently' | 'by-disconnecting'): void {
  const passwords = new Map(USERS.map((u) => [u, `pw-${u}-${randomUUID()}`]));
  const creds = (user: string): Credentials => ({ username: user, password: passwords.get(user) ?? '' });
  let broker: AuthBroker;
  let server: ServerRig;
  const logs: LogRecord[] = [];
  const links = new Map<string, AgentLink>();
  const raws: MqttClient[] = [];
  const link = (id: string) => links.get(id) as AgentLink;

  hooks.beforeAll(async () => {
    broker = await startBroker(mkdtempSync(join(tmpdir(), 'hallq-auth-')), passwords);
    server = await startServer(broker.url, tempDb(), Date.now, logs, { agents: authAgents, credentials: creds(SERVER_USER) });
    for (const id of ['kiosk-1', 'counter-3', 'counter-5']) links.set(id, await startAgent(agentUrl(), id, [], creds(id)));
  });
  hooks.afterAll(async () => {
    await Promise.all(raws.map((c) => c.endAsync(true)));
    for (const l of links.values()) await l.stop();
    await server?.stop();
    await broker?.close();
  });

  const agentUrl = () => broker.agentUrl ?? broker.url;
  const raw = async (user: string, opts: { clientId?: string } = {}): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(agentUrl(), { protocolVersion: 4, reconnectPeriod: 0, ...creds(user), ...opts });
    raws.push(c);
    return c;
  };
  const command = (from: string, cmd: Record<string, unknown>): Promise<Response> => link(from).request({ id: randomUUID(), type: 'command', command: { id: randomUUID(), ...cmd } as never });
  const seqAndLog = () => ({ seq: server.engine.state.seq, events: server.engine.eventsAfter(0, 100_000).length });

  it('refuses a kiosk-only agent calling, pausing, cancelling or rating for window 3, and changes nothing', async () => {
    expect((await command('counter-3', { type: 'OpenWindow', window: 3, staffId: 's3' })).status).toBe('ok');
    const issued = await command('kiosk-1', { type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    expect(issued).toMatchObject({ status: 'ok', data: { outcome: { ok: true } } });
    const ticketId = (issued as { data: { outcome: { ticketId: string } } }).data.outcome.ticketId;
    const before = seqAndLog();
    const attempts = [
      { type: 'CallNext', window: 3, source: 'caller-keypad' },
      { type: 'PauseWindow', window: 3, reason: 'x', source: 'caller-keypad' },
      { type: 'CloseWindow', window: 3 },
      { type: 'TakeOver', window: 3, staffId: 's1' },
      { type: 'Cancel', ticketId, reason: 'x', source: 'admin' },
      { type: 'Rate', window: 3, grade: 'very-dissatisfied', source: 'rating-device' },
    ];
    for (const a of attempts) {
      const r = await command('kiosk-1', a);
      expect(r, a.type).toMatchObject({ status: 'error', error: { code: 'FORBIDDEN' } });
    }
    // Another window's agent may not act on window 3 either, nor may the window's own agent cancel (staff only).
    expect(await command('counter-5', { type: 'CallNext', window: 3 })).toMatchObject({ status: 'error', error: { code: 'FORBIDDEN' } });
    expect(await command('counter-5', { type: 'Rate', window: 3, grade: 'very-dissatisfied', source: 'rating-device' })).toMatchObject({ status: 'error', error: { code: 'FORBIDDEN' } });
    expect(await command('counter-3', { type: 'Cancel', ticketId, reason: 'x' })).toMatchObject({ status: 'error', error: { code: 'FORBIDDEN' } });
    expect(await command('counter-3', { type: 'IssueTicket', serviceId: 'A', delivery: 'none' })).toMatchObject({ status: 'error', error: { code: 'FORBIDDEN' } });
    // The agent's own API says so with the error code.
    await expect(link('kiosk-1').send({ type: 'Recall', window: 3 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(seqAndLog()).toEqual(before);
    expect(server.engine.state.windows['3']).toMatchObject({ status: 'open' });
    expect(server.engine.state.tickets[ticketId]).toMatchObject({ status: 'waiting' });
    // Logged by who, what and which window, never the payload.
    const refusals = logs.filter((l) => l.msg === 'request refused');
    expect(refusals.length).toBeGreaterThanOrEqual(attempts.length + 4);
    expect(refusals[0]?.obj).toMatchObject({ client: 'kiosk-1', command: 'CallNext', window: 3 });
    expect(JSON.stringify(refusals)).not.toContain('very-dissatisfied');
    expect(refusals.every((l) => l.level === 'warn')).toBe(true);
  });

  it("accepts the call from the agent with window 3's caller keypad, and the rating from window 3's rating device", async () => {
    const called = await command('counter-3', { type: 'CallNext', window: 3, source: 'admin' });
    expect(called).toMatchObject({ status: 'ok', data: { outcome: { ok: true } } });
    expect(server.engine.state.windows['3']?.current).toBeDefined();
    // The sender wrote source "kiosk": the server stamps the rating device from the identity.
    const rated = await command('counter-3', { type: 'Rate', window: 3, grade: 'very-satisfied', source: 'kiosk' });
    expect(rated).toMatchObject({ status: 'ok', data: { outcome: { ok: true } } });
    expect(Object.values(server.engine.state.ratings)).toEqual([expect.objectContaining({ window: 3, grade: 'very-satisfied' })]);
    // Reads are open to every agent of the hall, even one without the devices.
    expect((await link('kiosk-1').request({ id: randomUUID(), type: 'events', after: 0, limit: 1 })).status).toBe('ok');
  });

  it("drops a publish on another agent's request topic at the broker", async () => {
    const before = { ...seqAndLog(), requests: server.mqtt.metrics.requests };
    const forger = await raw('spare-1');
    const closed = new Promise<void>((resolve) => forger.once('close', () => resolve()));
    // As if from counter-3, which owns window 3's keypad.
    // (Aedes closes the connection instead of acking: the publish then fails with it.)
    const forged = forger.publishAsync(T.request('counter-3'), JSON.stringify({ id: 'forged-1', type: 'command', command: { id: 'forged-call', type: 'CallNext', window: 3 } }), { qos: 1 }).catch(() => undefined);
    if (brokerDrops === 'by-disconnecting') await closed;
    else {
      await forged;
      // Mosquitto acks and drops; the forger's next request, on its own topic, is answered after anything it sent before.
      const answered = new Promise<void>((resolve) => forger.on('message', () => resolve()));
      await forger.subscribeAsync(T.response('spare-1'), { qos: 1 });
      await forger.publishAsync(T.request('spare-1'), JSON.stringify({ id: 'own-1', type: 'events', after: 0, limit: 1 }), { qos: 1 });
      await answered;
    }
    // A round trip of a real agent: the server has handled everything the broker passed on.
    expect((await link('counter-5').request({ id: randomUUID(), type: 'events', after: 0, limit: 1 })).status).toBe('ok');
    expect(seqAndLog()).toEqual({ seq: before.seq, events: before.events });
    const forgedReached = server.mqtt.metrics.requests - before.requests - (brokerDrops === 'silently' ? 2 : 1);
    expect(forgedReached).toBe(0);
  });

  it("renames a client that takes the server's client id under another user; the server stays connected and its will never fires", async () => {
    const watcher = await raw('watch-1');
    const statuses: ServerStatus[] = [];
    watcher.on('message', (topic, payload) => {
      if (topic === T.serverStatus) statuses.push(JSON.parse(payload.toString()) as ServerStatus);
    });
    await watcher.subscribeAsync([T.serverStatus, T.response('watch-1')], { qos: 1 });
    const reconnects = server.mqtt.metrics.reconnects;
    const impostor = await raw('spare-1', { clientId: SERVER_USER });
    expect(impostor.connected).toBe(true);
    // The impostor is not the server: it cannot read the requests the server reads.
    // Then a request from the watcher: answered by a server that was never off the broker.
    const answered = new Promise<void>((resolve) => watcher.on('message', (topic) => topic === T.response('watch-1') && resolve()));
    // (Had the server been knocked off, its will would arrive first: stop waiting there.)
    const willFired = new Promise<void>((resolve) => watcher.on('message', (topic, p) => topic === T.serverStatus && !(JSON.parse(p.toString()) as ServerStatus).online && resolve()));
    await watcher.publishAsync(T.request('watch-1'), JSON.stringify({ id: 'after-impostor', type: 'state' }), { qos: 1 });
    await Promise.race([answered, willFired]);
    expect(statuses.length).toBeGreaterThan(0); // the retained status
    expect(statuses.every((s) => s.online)).toBe(true);
    expect(server.mqtt.metrics.connected).toBe(true);
    expect(server.mqtt.metrics.reconnects).toBe(reconnects);
  });

  it('refuses anonymous clients and wrong passwords, and commands from an agent without the device', async () => {
    await expect(mqtt.connectAsync(agentUrl(), { protocolVersion: 4, reconnectPeriod: 0 })).rejects.toMatchObject({ code: expect.any(Number) as number });
    await expect(mqtt.connectAsync(agentUrl(), { protocolVersion: 4, reconnectPeriod: 0, username: 'kiosk-1', password: 'guess' })).rejects.toMatchObject({ code: expect.any(Number) as number });
    // watch-1 is an agent of the hall with no devices: it may read, never command.
    const seq = server.engine.state.seq;
    const r = await new Promise<Response>((resolve) => {
      void (async () => {
        const c = await mqtt.connectAsync(agentUrl(), { protocolVersion: 4, reconnectPeriod: 0, ...creds('watch-1') });
        raws.push(c);
        c.on('message', (_t, p) => resolve(JSON.parse(p.toString()) as Response));
        await c.subscribeAsync(T.response('watch-1'), { qos: 1 });
        await c.publishAsync(T.request('watch-1'), JSON.stringify({ id: 'w1', type: 'command', command: { id: 'w1-call', type: 'CallNext', window: 3 } }), { qos: 1 });
      })();
    });
    expect(r).toMatchObject({ id: 'w1', status: 'error', error: { code: 'FORBIDDEN' } });
    expect(server.engine.state.seq).toBe(seq);
  });
}

/** Writes a password file of `lines` in `dir`. */
export function writePasswd(dir: string, lines: string[]): string {
  const file = join(dir, 'passwd');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}
