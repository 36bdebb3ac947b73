import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { openIsland } from '../../src/agent/island/start.js';
import { AgentLink } from '../../src/agent/link.js';
import { islandForwardSchema } from '../../src/bus/island-messages.js';
import { parseJson } from '../../src/bus/messages.js';
import { MIN_MAX_MESSAGE_BYTES } from '../../src/bus/paging.js';
import { topics } from '../../src/bus/topics.js';
import { agentEntrySchema, islandSchema } from '../../src/config/schema.js';
import { emptyState, type Command, type HallState } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { within } from '../helpers/hallq-process.js';
import { startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireConfig } from '../wire/rig.js';

/**
 * The state transfer of an agent restarted during an island (IslandMode.joinRunning, README "Island
 * mode"), over the shipped Mosquitto with the hall's ACL, no server: agent-a acts for the hall (its
 * island mode entered on the server's last will, elected alone) on a busy day's state (thousands of
 * tickets, far above the message cap of 16 KiB every agent here has); agent-b, a hall agent that does
 * not act, answers agent-c's state requests with a forged state on its own answer topic (all the ACL
 * lets it publish); agent-c, with no replica, joins from agent-a's state only, read in parts below the cap.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const A = 'agent-a';
const B = 'agent-b';
const C = 'agent-c';
const T = topics(HALL);
/** A busy day: 900 tickets of each of both services (999 numbers a day each: room left for the kiosks' leases). */
const TICKETS = 1800;
const BOUND_MS = 30_000;

describe('an agent that joins a running island takes the state from the acting agent only, in parts below the cap', () => {
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let engine: HallEngine;
  const clients: mqtt.MqttClient[] = [];
  const stops: (() => Promise<void> | void)[] = [];
  const hallAgents = [A, B, C].map((id) => agentEntrySchema.parse({ id, kiosk: {} }));
  const island = (name: string) => islandSchema.parse({ afterSeconds: 0.5, outbox: join(dir, `${name}.db`) });
  const link = (id: string) => new AgentLink({ url: broker.url, hall: HALL, agentId: id, username: id, password: broker.passwords.get(id) ?? '', maxMessageBytes: MIN_MAX_MESSAGE_BYTES, requestTimeoutMs: 1000 }, silentLogger);
  const client = async (user: string) => {
    const c = mqtt.connect(broker.url, { username: user, password: broker.passwords.get(user) ?? '', clientId: user, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(c);
    await new Promise<void>((resolve) => c.once('connect', () => resolve()));
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-island-join-state-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [A, B, C]);
    // A busy day on the server's core: the state agent-a holds when the server goes away.
    const now = Date.now();
    engine = HallEngine.open(join(dir, 'hall.db'), wireConfig, silentLogger, now);
    for (let i = 0; i < TICKETS; i++) engine.handle({ id: `c-${i}`, type: 'IssueTicket', serviceId: i % 2 ? 'A' : 'B', delivery: 'none' } as Command, now);
    for (const agentId of [A, C]) for (const serviceId of ['A', 'B']) engine.handle({ id: `lease-${agentId}-${serviceId}`, type: 'LeaseNumbers', agentId, serviceId, count: 20 } as Command, now);
  }, 60_000);

  afterAll(async () => {
    for (const s of stops.reverse()) await s();
    for (const c of clients) await c.endAsync(true);
    engine?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads agent-a state (thousands of tickets, many parts), ignores agent-b forged one, and follows agent-a from there', async () => {
    const serverState = structuredClone(engine.state);
    expect(Object.keys(serverState.tickets)).toHaveLength(TICKETS);
    expect(Buffer.byteLength(JSON.stringify(serverState))).toBeGreaterThan(20 * MIN_MAX_MESSAGE_BYTES);

    // The server's last will: offline (retained), as the broker publishes it when the server dies.
    const server = await client(SERVER_USER);
    await server.publishAsync(T.serverStatus, JSON.stringify({ online: false }), { qos: 1, retain: true });

    // agent-a had the server's state; it goes island and acts for the hall (the only candidate).
    const linkA = link(A);
    linkA.replica.load(serverState);
    const islandA = openIsland(linkA, island('a'), A, silentLogger, undefined, hallAgents);
    stops.push(() => linkA.stop(), () => islandA.stop());
    islandA.mode.listen();
    await linkA.start();
    islandA.start();
    const hallA = islandA.mode.hall;
    if (!hallA) throw new Error('no hall island');
    if (hallA.role !== 'leader') await within(new Promise<void>((resolve) => hallA.onRole((r) => r === 'leader' && resolve())), BOUND_MS, 'agent-a acts');

    // agent-b answers every state request of agent-c with a forged state (another seq, no ticket), and
    // always first: agent-a's answer to a request leaves only once agent-b's to it reached the broker.
    const forged: HallState = { ...emptyState(), config: serverState.config, day: serverState.day, seq: serverState.seq + 1000 };
    const rogue = await client(B);
    let forgedSent = 0;
    const rogueAcked: Promise<void>[] = [];
    const ackOf: (() => void)[] = [];
    const nextAck = () => {
      const p = new Promise<void>((resolve) => ackOf.push(resolve));
      rogueAcked.push(p);
    };
    await rogue.subscribeAsync(T.islandForward(C), { qos: 1 });
    rogue.on('message', (_t, payload) => {
      const json = parseJson(payload);
      const m = json.ok ? islandForwardSchema.safeParse(json.value) : undefined;
      if (!m?.success || m.data.type !== 'state') return;
      const i = forgedSent++;
      if (rogueAcked.length <= i) nextAck();
      rogue.publish(T.islandAnswer(B, C), JSON.stringify({ type: 'state', seq: m.data.seq ?? forged.seq, part: m.data.part, parts: 1, chunk: JSON.stringify(forged) }), { qos: 1 }, () => ackOf[i]?.());
    });
    const publishA = linkA.publishIsland.bind(linkA);
    let answeredA = 0;
    linkA.publishIsland = (topic, body) => {
      if (topic !== T.islandAnswer(A, C) || (body as { type?: string }).type !== 'state') return publishA(topic, body);
      const i = answeredA++;
      if (rogueAcked.length <= i) nextAck();
      void rogueAcked[i]?.then(() => publishA(topic, body));
      return true;
    };

    // agent-c, restarted with no replica: it joins agent-a's island.
    const linkC = link(C);
    const islandC = openIsland(linkC, island('c'), C, silentLogger, undefined, hallAgents);
    stops.push(() => linkC.stop(), () => islandC.stop());
    islandC.mode.listen();
    await linkC.start();
    const stop = new AbortController();
    expect(await within(islandC.mode.joinRunning(stop.signal), BOUND_MS, 'agent-c joins')).toBe(true);
    islandC.start();
    expect(forgedSent).toBeGreaterThan(0);
    expect(linkC.replica.seq).toBe(serverState.seq);
    expect(Object.keys(linkC.replica.state.tickets)).toHaveLength(TICKETS);
    expect(linkC.replica.state).toEqual(linkA.replica.state);
    expect(islandC.mode.phase).toBe('island');
    expect(islandC.mode.hall?.role).toBe('follower');
    expect(islandC.mode.hall?.acting).toBe(A);

    // From there agent-c follows agent-a's decisions: one of agent-a's own, and agent-c's own command through agent-a.
    const seen = (link: AgentLink, seq: number) => within(link.reach(seq), BOUND_MS, `seq ${seq}`);
    const a1 = await linkA.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' });
    expect(a1.outcome).toMatchObject({ ok: true });
    await seen(linkC, a1.seq);
    const c1 = await linkC.run({ type: 'IssueTicket', serviceId: 'B', delivery: 'print', source: 'kiosk' });
    expect(c1.outcome).toMatchObject({ ok: true });
    await seen(linkA, c1.seq);
    await seen(linkC, c1.seq);
    expect(linkC.replica.state).toEqual(linkA.replica.state);
    expect(Object.keys(linkC.replica.state.tickets)).toHaveLength(TICKETS + 2);
  }, 120_000);
});

describe('an acting agent that sends no state: the restarted agent says so once, keeps waiting for the server and asks again', () => {
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  const clients: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-island-join-silent-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [A, C]);
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('bounded asks, one warning, no join; stopped when the server answers', async () => {
    // agent-a's status says it acts for the hall, and agent-a answers nothing (a frozen process).
    const a = mqtt.connect(broker.url, { username: A, password: broker.passwords.get(A) ?? '', clientId: A, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(a);
    await new Promise<void>((resolve) => a.once('connect', () => resolve()));
    await a.publishAsync(T.agentStatus(A), JSON.stringify({ online: true, island: 'island', role: 'leader', acting: A, seq: 5 }), { qos: 1, retain: true });
    let asked = 0;
    const askedWaiters = new Set<() => void>();
    await a.subscribeAsync(T.islandForward(C), { qos: 1 });
    a.on('message', () => {
      asked += 1;
      for (const w of [...askedWaiters]) w();
    });
    const askedAtLeast = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => asked >= n && (askedWaiters.delete(check), resolve());
        askedWaiters.add(check);
        check();
      });

    const records: LogRecord[] = [];
    const hallAgents = [A, C].map((id) => agentEntrySchema.parse({ id, kiosk: {} }));
    const linkC = new AgentLink({ url: broker.url, hall: HALL, agentId: C, username: C, password: broker.passwords.get(C) ?? '', requestTimeoutMs: 1000 }, silentLogger);
    const islandC = openIsland(linkC, islandSchema.parse({ afterSeconds: 0.5, outbox: join(dir, 'c.db') }), C, recordingLogger(records), undefined, hallAgents);
    islandC.mode.listen();
    await linkC.start();
    const stop = new AbortController();
    const joining = islandC.mode.joinRunning(stop.signal);
    // Three bounded asks of the first try, then, after the pause, the second try's first ask.
    await within(askedAtLeast(4), BOUND_MS, 'agent-c asks again after its pause');
    // The server answers (the start's catch-up is done): the join stops.
    stop.abort();
    expect(await within(joining, BOUND_MS, 'the join stops')).toBe(false);
    expect(records.filter((r) => r.msg?.startsWith('the acting agent did not send the hall state') === true)).toHaveLength(1);
    expect(islandC.mode.phase).toBe('online');
    expect(linkC.replica.seq).toBe(0);
    islandC.stop();
    await linkC.stop();
  }, 60_000);
});
