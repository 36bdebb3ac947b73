import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { KioskFlow, type KioskResult } from '../../src/agent/flows/kiosk.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import type { Delivery } from '../../src/agent/link.js';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import type { IslandAnswer, IslandRole } from '../../src/bus/island-messages.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { configSchema, type HallqConfig } from '../../src/config/schema.js';
import { freeLeased, windowView, type HallEvent, type HallState } from '../../src/core/index.js';
import { readHallLog } from '../helpers/hall-log.js';
import { startDaemon, type Daemon } from '../faults/daemon-process.js';
import { linkCut, type LinkCut } from '../helpers/link-cut.js';
import { startShippedMosquitto, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireConfig, wireHallFile } from '../wire/rig.js';
import { emulatedLine, emulatedPrinter, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine, type EmulatedPrinter } from './emulated.js';
import { phaseIs } from './island-phase.js';
import { expectIslandSequence } from './island-sequence.js';

/**
 * Island mode with the broker up (DESIGN §7, issue 10, README "Island mode"): the shipped Mosquitto
 * with the hall's ACL, a real `hallq server` process (its lease keeper and return) and two agents, each
 * with a kiosk (an emulated printer on a pty) and one window's keypad and screen on its own RS-485
 * line. The server goes away (SIGKILL, then cut from the broker while it runs); the agents elect agent-a (the lowest id) to act for the hall; tickets
 * from one agent's kiosk are called at the other agent's window; then the server returns and a
 * sequence checker reads its log. Then the acting agent dies during an island and agent-b takes over.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const A = 'agent-a';
const B = 'agent-b';

interface Side {
  id: string;
  window: number;
  printer: EmulatedPrinter;
  line: EmulatedLine;
  config: HallqConfig;
  agent: RunningAgent;
  kiosk: KioskFlow;
}

/** Resolves once the agent's role in the hall island is `role` (and the acting agent `acting`). */
function roleIs(agent: RunningAgent, role: IslandRole, acting: string): Promise<void> {
  const hall = agent.island?.hall;
  if (!hall) throw new Error('no hall island');
  if (hall.role === role && hall.acting === acting) return Promise.resolve();
  return new Promise((resolve) => {
    const off = hall.onRole((r, a) => {
      if (r !== role || a !== acting) return;
      off();
      resolve();
    });
  });
}

/** The first event on an agent's replica that `pred` accepts. */
function eventOn(agent: RunningAgent, pred: (e: HallEvent) => boolean): Promise<HallEvent> {
  return deliveredOn(agent, pred).then(([e]) => e);
}

/** The same, with how it came (live: voice and the call flash follow it). */
function deliveredOn(agent: RunningAgent, pred: (e: HallEvent) => boolean): Promise<[HallEvent, Delivery]> {
  return new Promise((resolve) => {
    const off = agent.link.onEvent((e, d) => {
      if (!pred(e)) return;
      off();
      resolve([e, d]);
    });
  });
}

describe('island mode with the broker up: one agent acts for the whole hall', () => {
  let broker: ShippedBroker;
  let cutA: LinkCut;
  /** The server reaches the broker through its own relay: cut, its last will tells the agents it is gone while it runs on. */
  let cutServer: LinkCut;
  let server: Daemon | undefined;
  let serverConfig: string;
  let dbPath: string;
  const sides = new Map<string, Side>();
  const passwords = new Map([SERVER_USER, A, B].map((u) => [u, `pw-${u}-${Math.random().toString(36).slice(2)}`] as const));
  /** Every ticket a citizen was handed (printed), with the number on the paper. */
  const acknowledged: { ticketId: string; number: string }[] = [];
  const side = (id: string): Side => {
    const s = sides.get(id);
    if (!s) throw new Error(`no side ${id}`);
    return s;
  };

  const bootServer = async () => {
    server = startDaemon('server', serverConfig);
    await server.says('hall server ready');
  };
  /** SIGKILL: no goodbye, the broker publishes the server's last will. */
  const killServer = async () => {
    const s = server;
    server = undefined;
    await s?.kill();
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-island-hall-'));
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, [...passwords].map(([u, p]) => `${u}:${hashPassword(p)}`).join('\n') + '\n', { mode: 0o600 });
    const acl = join(dir, 'acl');
    writeFileSync(acl, mosquittoAcl(hallAcl(HALL, SERVER_USER), [A, B]), { mode: 0o600 });
    broker = await startShippedMosquitto(dir, { passwd, acl });
    const port = Number(new URL(broker.url).port);
    // agent-a reaches the broker through a relay whose link can be cut (the acting agent's death).
    cutA = await linkCut({ host: '127.0.0.1', port });
    cutServer = await linkCut({ host: '127.0.0.1', port });
    const devices = new Map<string, { printer: EmulatedPrinter; line: EmulatedLine; window: number }>();
    for (const [id, window] of [
      [A, 1],
      [B, 2],
    ] as const) {
      devices.set(id, { printer: await emulatedPrinter(join(dir, `printer-${id}`)), line: await emulatedLine([window]), window });
      writeFileSync(join(dir, `${id}.pw`), passwords.get(id) ?? '', { mode: 0o600 });
    }
    const agents = [...devices].map(([agentId, d]) => ({ id: agentId, kiosk: { port: 0 }, devices: { printer: { transport: 'serial', path: join(dir, `printer-${agentId}`) }, rs485: [lineConfig(d.line.pty.host, [d.window])] } }));
    const hall = { ...wireHallFile(), agents, island: { leaseSize: 30, lowWater: 10, afterSeconds: 2, outbox: join(dir, 'island.db') } };
    const configOf = (agentId: string) =>
      configSchema.parse({
        ...hall,
        agent: { id: agentId, mqtt: { url: agentId === A ? cutA.url : broker.url, username: agentId, passwordFile: join(dir, `${agentId}.pw`) } },
        island: { ...hall.island, outbox: join(dir, `island-${agentId}.db`) },
      });
    // The server's own file (YAML is a superset of JSON): the same hall, its broker user, its database.
    dbPath = join(dir, 'hall.db');
    writeFileSync(join(dir, 'server.pw'), passwords.get(SERVER_USER) ?? '', { mode: 0o600 });
    serverConfig = join(dir, 'hall.yaml');
    writeFileSync(
      serverConfig,
      JSON.stringify({ ...hall, server: { mqtt: { url: cutServer.url, username: SERVER_USER, passwordFile: join(dir, 'server.pw') }, http: { host: '127.0.0.1', port: 0 }, database: dbPath, logLevel: 'info' } }),
    );
    configSchema.parse(JSON.parse(readFileSync(serverConfig, 'utf8')));
    await bootServer();
    for (const [agentId, d] of devices) {
      const config = configOf(agentId);
      // The hall's real clock, as the server process has it (the all-day hall is open at any hour).
      const agent = await startAgentFrom(config, { logger: silentLogger, env: {}, requestTimeoutMs: 1000, devices: { printerPollMs: 300 } });
      await healthWhen(agent.devices, (l) => stateOf(l, 'printer') === 'ok' && stateOf(l, `keypad-${d.window}`) === 'ok');
      const kiosk = new KioskFlow(agent.link, agent.devices.printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger });
      sides.set(agentId, { id: agentId, window: d.window, printer: d.printer, line: d.line, config, agent, kiosk });
    }
    // Both kiosks hold leased numbers of both services; staff log in at windows 1 (agent-a) and 2 (agent-b).
    for (const s of sides.values()) {
      const leased = () => freeLeased(s.agent.link.replica.state, s.id, 'A').length >= 10 && freeLeased(s.agent.link.replica.state, s.id, 'B').length >= 10;
      if (!leased()) await new Promise<void>((resolve) => s.agent.link.onEvent(() => leased() && resolve()));
    }
    for (const s of sides.values()) {
      const opened = eventOn(s.agent, (e) => e.type === 'WindowOpened' && e.window === s.window);
      s.line.keypads.get(s.window)?.typeLogin(String(s.window));
      await opened;
    }
  }, 90_000);

  afterAll(async () => {
    for (const s of sides.values()) {
      await s.agent.stop();
      await s.line.close();
      await s.printer.unplug();
    }
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await cutA?.close();
    await cutServer?.close();
    await broker?.stop();
  });

  /** One citizen at an agent's kiosk: resolves once the ticket is printed. */
  const takeTicket = async (at: Side, serviceId: string): Promise<Extract<KioskResult, { ok: true }>> => {
    const printed = at.printer.emulator.nextTicket();
    const r = await at.kiosk.issue({ serviceId });
    if (!r.ok) throw new Error(`kiosk of ${at.id} refused: ${r.code}`);
    const paper = await printed;
    expect(paper.blocks.some((b) => b.type === 'text' && b.text.includes(r.number))).toBe(true);
    acknowledged.push({ ticketId: r.ticketId, number: r.number });
    return r;
  };

  /** The call key at an agent's window: resolves with the ticket called, once that window's screen shows it and every other agent alive knows it. */
  const pressCall = async (at: Side, others: Side[]): Promise<string> => {
    const isCall = (e: HallEvent) => e.type === 'TicketCalled' && e.window === at.window;
    const elsewhere = others.map((o) => deliveredOn(o.agent, isCall));
    const called = eventOn(at.agent, isCall);
    at.line.keypads.get(at.window)?.press('call');
    const e = await called;
    if (e.type !== 'TicketCalled') throw new Error('not a call');
    const t = at.agent.link.replica.state.tickets[e.ticketId];
    await screenShows(at.line.screens.get(at.window) as never, t?.number ?? '?');
    // The other agents take it as it happens (live): their voice may speak it, their screens flash it.
    for (const [, d] of await Promise.all(elsewhere)) expect(d).toEqual({ live: true, islandReplay: false });
    return e.ticketId;
  };

  /** The server's log as its file holds it (read-only beside the running server, WAL), and the state it makes. */
  const serverLog = () => readHallLog(dbPath);

  /** The sequence checker: the server's log after a return. */
  const checkSequence = () => {
    const { events, state } = serverLog();
    // Every acknowledged ticket once under its printed number; no number, call, service or notice twice.
    expectIslandSequence(events, acknowledged);
    return { events, state, conflicts: events.filter((e) => e.type === 'IslandConflict') };
  };

  /** Every window's screen shows the server's current number at it. */
  const screensFollowServer = async (alive: Side[], st: HallState) => {
    for (const s of alive) {
      const number = windowView(st, s.window).current?.number;
      if (number) await screenShows(s.line.screens.get(s.window) as never, number);
    }
  };

  it("server away, broker up: agent-a acts for the hall; each kiosk's tickets are called at the other agent's window; the return finds every ticket once", async () => {
    const a = side(A);
    const b = side(B);
    await killServer();
    await Promise.all([phaseIs(a.agent, 'island'), phaseIs(b.agent, 'island')]);
    await Promise.all([roleIs(a.agent, 'leader', A), roleIs(b.agent, 'follower', A)]);
    for (let round = 0; round < 3; round++) {
      // agent-a's kiosk (decided on agent-a), called at agent-b's window (forwarded to agent-a).
      const fromA = await takeTicket(a, round % 2 === 0 ? 'A' : 'B');
      expect(await pressCall(b, [a])).toBe(fromA.ticketId);
      // agent-b's kiosk (forwarded, a number of agent-b's own lease), called at agent-a's window.
      const fromB = await takeTicket(b, 'A');
      expect(freeLeased(b.agent.link.replica.state, B, 'A')).not.toContain(Number(fromB.number.slice(1)));
      expect(await pressCall(a, [b])).toBe(fromB.ticketId);
    }
    // Trust by identity: agent-b forwards a call at agent-a's window and an issue with a number of
    // agent-a's lease; agent-a refuses both (the topic says agent-b; the hall config says whose they are).
    const answers = new Map<string, Extract<IslandAnswer, { type: 'answer' }>>();
    const offAnswers = b.agent.link.onIsland((m) => {
      if (m.kind === 'answer' && m.from === A && m.body.type === 'answer') answers.set(m.body.commandId, m.body);
    });
    const seqBefore = a.agent.link.replica.seq;
    const theirs = freeLeased(a.agent.link.replica.state, A, 'A')[0];
    const fwd = b.agent.link.t.islandForward(B);
    // And a payload that is no forward at all (a window that is not a number): dropped unread, unanswered.
    expect(b.agent.link.publishIsland(fwd, { type: 'command', to: A, command: { id: 'malformed-call', type: 'CallNext', window: 'one' } })).toBe(true);
    expect(b.agent.link.publishIsland(fwd, { type: 'command', to: A, command: { id: 'forged-call', type: 'CallNext', window: 1 } })).toBe(true);
    expect(b.agent.link.publishIsland(fwd, { type: 'command', to: A, command: { id: 'forged-issue', type: 'IssueTicket', serviceId: 'A', delivery: 'print' }, leasedNumber: theirs })).toBe(true);
    await new Promise<void>((resolve) => {
      const offDone = b.agent.link.onIsland(() => answers.has('forged-call') && answers.has('forged-issue') && (offDone(), resolve()));
      if (answers.has('forged-call') && answers.has('forged-issue')) resolve();
    });
    offAnswers();
    expect(answers.get('forged-call')?.outcome).toMatchObject({ ok: false, code: 'invalid-command', detail: expect.stringContaining('no caller keypad of window 1') });
    expect(answers.get('forged-issue')?.outcome).toMatchObject({ ok: false, code: 'numbers-out' });
    expect(answers.has('malformed-call')).toBe(false);
    expect(a.agent.link.replica.seq).toBe(seqBefore);
    // Both replicas are one hall: the same seq and the same tickets at the same windows.
    expect(b.agent.link.replica.seq).toBe(a.agent.link.replica.seq);
    expect(windowView(b.agent.link.replica.state, 1)).toEqual(windowView(a.agent.link.replica.state, 1));
    await bootServer();
    await Promise.all([phaseIs(a.agent, 'online'), phaseIs(b.agent, 'online')]);
    const { conflicts, state } = checkSequence();
    // Both agents returned the same decisions (agent-b its mirror): repeats, never conflicts.
    expect(conflicts).toEqual([]);
    await screensFollowServer([a, b], state);
  }, 120_000);

  it("trust at the return: an agent that did not act for the hall returns a forged action `for` another agent with that agent's lease: refused unrun, a conflict; the acting agent's returns stand", async () => {
    const a = side(A);
    const b = side(B);
    await killServer();
    await Promise.all([roleIs(a.agent, 'leader', A), roleIs(b.agent, 'follower', A)]);
    // A genuine island action for agent-b's kiosk, decided by agent-a (returned by agent-a `for` agent-b).
    const fromB = await takeTicket(b, 'B');
    expect(await pressCall(a, [b])).toBe(fromB.ticketId);
    await b.agent.link.reach(a.agent.link.replica.seq);
    // agent-b followed agent-a: it never acted for the hall, so agent-a's lease is not its to use.
    const theirs = freeLeased(a.agent.link.replica.state, A, 'A')[0];
    if (theirs === undefined) throw new Error('agent-a holds no leased number');
    await bootServer();
    await Promise.all([phaseIs(a.agent, 'online'), phaseIs(b.agent, 'online')]);
    // After the return, as a replay of its outbox would come: the server remembers who said what in the island.
    const forged = await b.agent.link.request({ id: 'forged-return', type: 'island', command: { id: 'forged-return-issue', type: 'IssueTicket', serviceId: 'A', delivery: 'print' } as never, leasedNumber: theirs, for: A });
    expect(forged.status).toBe('ok');
    expect((forged as { data: { outcome: unknown; conflict?: { kind: string } } }).data).toMatchObject({ outcome: { ok: false }, conflict: { kind: 'not-acting' } });
    const { conflicts, state } = checkSequence();
    // The forged issue never ran: no ticket under agent-a's number, which is still agent-a's to issue.
    expect(state.commands['forged-return-issue']).toBeUndefined();
    expect(freeLeased(state, A, 'A')).toContain(theirs);
    expect(conflicts).toEqual([expect.objectContaining({ type: 'IslandConflict', agentId: B, commandId: 'not-acting-agent-b-forged-return-issue', kind: 'not-acting' })]);
    // The genuine island ticket of agent-b's kiosk (decided by agent-a), called at agent-a's window, is on the server.
    expect(state.tickets[fromB.ticketId]).toMatchObject({ status: 'called', window: 1 });
    await screensFollowServer([a, b], state);
  }, 120_000);

  it('the server cut from the broker, then the acting agent dies during the island: agent-b takes over from its own replica; nothing issued twice, no number reused', async () => {
    const a = side(A);
    const b = side(B);
    // This time the server runs on, cut from the broker: its last will says offline.
    await cutServer.cut();
    await Promise.all([roleIs(a.agent, 'leader', A), roleIs(b.agent, 'follower', A)]);
    const fromA = await takeTicket(a, 'A');
    const fromB = await takeTicket(b, 'B');
    // agent-b has every decision agent-a published before it goes.
    await b.agent.link.reach(a.agent.link.replica.seq);
    // agent-a's link dies (its last will says offline), then the agent itself.
    await cutA.cut();
    await roleIs(b.agent, 'leader', B);
    await a.agent.stop();
    sides.delete(A);
    await a.line.close();
    await a.printer.unplug();
    // agent-b goes on: its kiosk issues, its window calls the tickets both kiosks issued, oldest first.
    const later = await takeTicket(b, 'A');
    const calls = [await pressCall(b, []), await pressCall(b, []), await pressCall(b, [])];
    expect(calls).toEqual([fromA.ticketId, fromB.ticketId, later.ticketId]);
    cutServer.restore();
    await phaseIs(b.agent, 'online');
    const { conflicts, state } = checkSequence();
    // Only the forged return of the test before: agent-b's return of agent-a's own actions (agent-a is
    // offline, agent-b acted for the hall after it) stands in for agent-a.
    expect(conflicts.map((e) => e.type === 'IslandConflict' && e.kind)).toEqual(['not-acting']);
    // agent-a's island decisions reached the server through agent-b's mirror of its outbox.
    expect(state.tickets[fromA.ticketId]?.status).toBe('done');
    await screensFollowServer([b], state);
  }, 120_000);

  it("no island, the server listening: agent-b's password says 'island, leader' live and returns an action `for` the dead agent-a: refused unrun (the security tryout)", async () => {
    const b = side(B);
    await phaseIs(b.agent, 'online');
    // What a kiosk's password can publish: its own status (the ACL's), live, claiming it leads an island.
    expect(b.agent.link.publishIsland(b.agent.link.t.agentStatus(B), { online: true, island: 'island', role: 'leader', acting: B, seq: 99_999, at: Date.now() })).toBe(true);
    const forged = await b.agent.link.request({ id: 'forged-stand-in', type: 'island', command: { id: 'forged-stand-in-pause', type: 'PauseWindow', window: 1, reason: 'break' } as never, at: Date.now(), for: A, last: true });
    expect(forged.status).toBe('ok');
    expect((forged as { data: { outcome: unknown; conflict?: { kind: string } } }).data).toMatchObject({ outcome: { ok: false }, conflict: { kind: 'not-acting' } });
    const { state } = serverLog();
    expect(state.commands['forged-stand-in-pause']).toBeUndefined();
    expect(state.windows['1']?.status).not.toBe('paused');
  }, 60_000);
});
