import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { islandForwardSchema } from '../../src/bus/island-messages.js';
import { parseJson } from '../../src/bus/messages.js';
import { topics } from '../../src/bus/topics.js';
import { configSchema } from '../../src/config/schema.js';
import { freeLeased, type HallEvent, type HallState } from '../../src/core/index.js';
import { readHallLog } from '../helpers/hall-log.js';
import { freePort } from '../helpers/mosquitto.js';
import { startDaemon, startReady, within, type Daemon } from '../helpers/hallq-process.js';
import { startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireConfig, wireHallFile } from '../wire/rig.js';
import { emulatedLine, emulatedPrinter, healthWhen, lineConfig, stateOf, type EmulatedLine, type EmulatedPrinter } from './emulated.js';
import { phaseIs } from './island-phase.js';
import { expectIslandSequence } from './island-sequence.js';

/**
 * An agent restarted during an island joins it (README "Island mode"): the shipped Mosquitto with the
 * hall's ACL, a real `hallq server` process, agent-a in process (the lowest id: it acts for the hall,
 * with a kiosk and the caller keypad of window 1 on an emulated RS-485 line) and agent-c as a real
 * `hallq agent` process (a kiosk printing on an emulated printer, its /readyz on a health port).
 * agent-b is a hall agent that never runs the hall: its broker user answers agent-c's state requests
 * with a forged state on its own answer topic (the ACL lets it publish only there), which agent-c must
 * ignore. The server is SIGKILLed; the island forms; tickets are issued and called; agent-c is
 * SIGKILLed and restarted while the server is still away: it joins the island from agent-a's state,
 * its kiosk issues through agent-a, and at the server's return every ticket is in the log once.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const A = 'agent-a';
const B = 'agent-b';
const C = 'agent-c';
const BOUND_MS = 60_000;
const T = topics(HALL);
/** The forged state's seq and ticket: taken by agent-c, they would show on its /readyz and kiosk. */
const FORGED_SEQ = 900_000;

describe('an agent restarted during an island joins the island the acting agent runs', () => {
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let server: Daemon | undefined;
  let serverConfig: string;
  let cConfig: string;
  let dbPath: string;
  let agentA: RunningAgent | undefined;
  let agentC: Daemon | undefined;
  let lineA: EmulatedLine;
  let printerC: EmulatedPrinter;
  let kioskPort: number;
  let healthPort: number;
  let rogue: mqtt.MqttClient | undefined;
  /** State requests agent-c sent (read by the rogue on island/fwd/agent-c) and forged parts the rogue published. */
  const rogueSeen = { requests: 0, forged: 0 };
  /** Every ticket a citizen was handed, with the number on the paper (or the answer). */
  const acknowledged: { ticketId: string; number: string }[] = [];

  const bootServer = async () => {
    server = await startReady('server', serverConfig);
  };
  const startC = () => startDaemon('agent', cConfig);
  const eventOn = (a: RunningAgent, pred: (e: HallEvent) => boolean) =>
    new Promise<HallEvent>((resolve) => {
      const off = a.link.onEvent((e) => pred(e) && (off(), resolve(e)));
    });
  const readyz = async () => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    return { code: res.status, body: (await res.json()) as { status: string; island?: string; seq: number; outbox?: number } };
  };
  /** A citizen at agent-c's kiosk page: the ticket printed on agent-c's printer. */
  const kioskC = async (serviceId: string) => {
    const printed = printerC.emulator.nextTicket();
    const res = await fetch(`http://127.0.0.1:${kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId }) });
    const body = (await res.json()) as { ticketId: string; number: string; position: number; printed: boolean; error?: { code: string } };
    if (!res.ok) throw new Error(`agent-c's kiosk refused: ${JSON.stringify(body)}`);
    const paper = await within(printed, BOUND_MS, `the paper of ${body.number}`);
    expect(paper.blocks.some((b) => b.type === 'text' && b.text.includes(body.number))).toBe(true);
    acknowledged.push({ ticketId: body.ticketId, number: body.number });
    return body;
  };
  /** A citizen at agent-a's kiosk (its link, as its kiosk flow sends it): issued and printed. */
  const kioskA = async (serviceId: string) => {
    const a = agentA as RunningAgent;
    const o = await a.link.send({ type: 'IssueTicket', serviceId, delivery: 'print', source: 'kiosk' });
    if (!o.ok || !o.ticketId) throw new Error(`agent-a's kiosk refused: ${JSON.stringify(o)}`);
    expect(await a.link.send({ type: 'PrintConfirmed', ticketId: o.ticketId })).toMatchObject({ ok: true });
    acknowledged.push({ ticketId: o.ticketId, number: a.link.replica.state.tickets[o.ticketId]?.number ?? '?' });
    return o.ticketId;
  };
  /** Each ticket's issue seq, as agent-a decided or applied it. */
  const issueSeqs = new Map<string, number>();
  const waitingOf = (s: HallState, serviceId: string) => Object.values(s.tickets).filter((t) => t.serviceId === serviceId && t.status === 'waiting').length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-island-restart-join-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [A, B, C]);
    lineA = await emulatedLine([1]);
    printerC = await emulatedPrinter(join(dir, 'printer-c'));
    kioskPort = await freePort();
    healthPort = await freePort();
    for (const u of [SERVER_USER, A, C]) writeFileSync(join(dir, `${u}.pw`), broker.passwords.get(u) ?? '', { mode: 0o600 });
    const hall = {
      ...wireHallFile(),
      agents: [
        { id: A, kiosk: { port: 0 }, devices: { rs485: [lineConfig(lineA.pty.host, [1])] } },
        { id: B, kiosk: { port: 0 } },
        { id: C, kiosk: { port: kioskPort }, devices: { printer: { transport: 'serial', path: join(dir, 'printer-c') } } },
      ],
      island: { leaseSize: 20, lowWater: 5, afterSeconds: 2, outbox: join(dir, 'island.db') },
    };
    dbPath = join(dir, 'hall.db');
    serverConfig = join(dir, 'hall.yaml');
    writeFileSync(serverConfig, JSON.stringify({ ...hall, server: { mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, `${SERVER_USER}.pw`) }, http: { host: '127.0.0.1', port: 0 }, database: dbPath, logLevel: 'info' } }));
    cConfig = join(dir, 'agent-c.yaml');
    writeFileSync(
      cConfig,
      JSON.stringify({
        ...hall,
        agent: { id: C, mqtt: { url: broker.url, username: C, passwordFile: join(dir, `${C}.pw`) }, health: { host: '127.0.0.1', port: healthPort }, logLevel: 'info' },
        island: { ...hall.island, outbox: join(dir, 'island-c.db') },
      }),
    );
    await bootServer();
    const configA = configSchema.parse({ ...hall, agent: { id: A, mqtt: { url: broker.url, username: A, passwordFile: join(dir, `${A}.pw`) } }, island: { ...hall.island, outbox: join(dir, 'island-a.db') } });
    const a = await startAgentFrom(configA, { logger: silentLogger, env: {}, requestTimeoutMs: 1000 });
    agentA = a;
    a.link.onEvent((e) => {
      if (e.type === 'TicketIssued') issueSeqs.set(e.ticket.id, e.seq);
    });
    await healthWhen(a.devices, (l) => stateOf(l, 'keypad-1') === 'ok');
    agentC = startC();
    await within(agentC.says('agent ready'), BOUND_MS, 'agent-c ready');
    // Both kiosks hold leased numbers of service A.
    const leased = () => freeLeased(a.link.replica.state, A, 'A').length >= 5 && freeLeased(a.link.replica.state, C, 'A').length >= 5;
    if (!leased()) await within(new Promise<void>((resolve) => a.link.onEvent(() => leased() && resolve())), BOUND_MS, 'leases');
    const opened = eventOn(a, (e) => e.type === 'WindowOpened' && e.window === 1);
    lineA.keypads.get(1)?.typeLogin('1');
    await opened;

    // agent-b's broker user (a hall agent that does not act): it answers agent-c's state requests with a forged state.
    const forged: HallState = structuredClone(a.link.replica.state);
    forged.seq = FORGED_SEQ;
    const c = mqtt.connect(broker.url, { username: B, password: broker.passwords.get(B) ?? '', clientId: B, protocolVersion: 4, reconnectPeriod: 500 });
    rogue = c;
    await new Promise<void>((resolve) => c.once('connect', () => resolve()));
    await c.subscribeAsync(T.islandForward(C), { qos: 1 });
    c.on('message', (_topic, payload) => {
      const json = parseJson(payload);
      const m = json.ok ? islandForwardSchema.safeParse(json.value) : undefined;
      if (!m?.success || m.data.type !== 'state') return;
      rogueSeen.requests += 1;
      const text = JSON.stringify(forged);
      c.publish(T.islandAnswer(B, C), JSON.stringify({ type: 'state', seq: FORGED_SEQ, part: m.data.part, parts: 1, chunk: text }), { qos: 1 }, () => (rogueSeen.forged += 1));
    });
  }, 180_000);

  afterAll(async () => {
    await agentC?.kill();
    await agentA?.stop();
    await rogue?.endAsync(true);
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await lineA?.close();
    await printerC?.unplug();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('joins from the acting agent state (not from agent-b, which does not act), its kiosk issues through it, and every ticket is in the log once after the return', async () => {
    const a = agentA as RunningAgent;
    const c0 = agentC as Daemon;
    // Online: one ticket at each kiosk.
    await kioskA('A');
    await kioskC('A');

    // The server dies; agent-a acts for the hall, agent-c follows it.
    const s = server;
    server = undefined;
    await s?.kill();
    await phaseIs(a, 'island');
    await within(c0.says(`island mode: the hall is run by another agent`), BOUND_MS, 'agent-c follows');
    const hallA = a.island?.hall;
    if (!hallA) throw new Error('no hall island');
    if (hallA.role !== 'leader') await within(new Promise<void>((resolve) => hallA.onRole((r) => r === 'leader' && resolve())), BOUND_MS, 'agent-a acts for the hall');
    // In the island: a ticket at each kiosk (agent-c's through agent-a), and window 1 calls the first ticket.
    await kioskA('A');
    await kioskC('A');
    const called = eventOn(a, (e) => e.type === 'TicketCalled' && e.window === 1);
    lineA.keypads.get(1)?.press('call');
    const call = await within(called, BOUND_MS, 'window 1 calls');
    const calledId = call.type === 'TicketCalled' ? call.ticketId : '?';
    expect(acknowledged.map((k) => k.ticketId)).toContain(calledId);

    // agent-c dies (SIGKILL: its last will); while it is down agent-a issues two more.
    await c0.kill();
    agentC = undefined;
    await kioskA('A');
    await kioskA('A');
    const seqBefore = a.link.replica.seq;

    // agent-c restarts with the server still away: it joins agent-a's island, opens its devices, says island.
    const c1 = startC();
    agentC = c1;
    await within(c1.says('waiting for the hall server before starting the devices'), BOUND_MS, 'agent-c says it waits for the server');
    await within(c1.says(`this agent joins the one ${A} runs`), BOUND_MS, 'agent-c joins the island');
    await within(c1.says('agent ready'), BOUND_MS, 'agent-c ready');
    const r = await readyz();
    expect(r.code).toBe(200);
    expect(r.body).toMatchObject({ status: 'island', island: 'island' });
    expect(r.body.seq).toBeGreaterThanOrEqual(seqBefore);
    expect(r.body.seq).toBeLessThan(FORGED_SEQ);
    // Its outbox from before the restart is kept for the return (two mirrored issues and the call, at least).
    expect(r.body.outbox).toBeGreaterThanOrEqual(3);

    // Its kiosk issues through agent-a: the ticket's place counts every ticket waiting, those issued while it was down included.
    const waitingBefore = waitingOf(a.link.replica.state, 'A');
    const t = await kioskC('A');
    expect(t.position).toBe(waitingBefore + 1);
    expect(a.link.replica.state.tickets[t.ticketId]).toMatchObject({ status: 'waiting', number: t.number });
    // Its kiosk answered once agent-c's replica held the new ticket (it waits for that), so its replica went on from agent-a's state.
    expect((await readyz()).body.seq).toBeGreaterThanOrEqual(issueSeqs.get(t.ticketId) ?? Infinity);

    // The server returns: both outboxes go back; every ticket is in the log once, no gap, no conflict.
    await bootServer();
    await within(phaseIs(a, 'online'), BOUND_MS, 'agent-a returned');
    await within(c1.says('island mode over'), BOUND_MS, 'agent-c returned');
    const log = readHallLog(dbPath);
    expect(log.events.map((e) => e.seq)).toEqual(log.events.map((_, i) => i + 1));
    expectIslandSequence(log.events, acknowledged);
    expect(acknowledged).toHaveLength(7);
    for (const k of acknowledged) expect(log.state.tickets[k.ticketId], k.number).toBeDefined();
    expect(log.state.tickets[calledId]).toMatchObject({ status: 'called', window: 1 });
    expect(log.events.filter((e) => e.type === 'IslandConflict')).toEqual([]);
    expect(Object.keys(log.state.tickets)).toHaveLength(7);

    // agent-b, which does not act, read agent-c's state requests and answered each with its forged state:
    // ignored (agent-c's seq above is agent-a's, never FORGED_SEQ; the log holds no ticket twice).
    expect(rogueSeen.requests).toBeGreaterThan(0);
    expect(rogueSeen.forged).toBe(rogueSeen.requests);
    expect(c1.output()).not.toContain(`"seq":${FORGED_SEQ}`);
  }, 300_000);
});
