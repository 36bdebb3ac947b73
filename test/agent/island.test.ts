import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { KioskFlow, type KioskResult } from '../../src/agent/flows/kiosk.js';
import type { IslandPhase } from '../../src/agent/island/island-mode.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { configSchema, type HallqConfig } from '../../src/config/schema.js';
import { freeLeased, windowView, type HallEvent } from '../../src/core/index.js';
import { startIslandServer } from '../../src/server/island-server.js';
import { conflictsIn } from '../../src/server/island-return.js';
import { freePort } from '../helpers/mosquitto.js';
import { adaptShippedConf } from '../helpers/shipped-mosquitto.js';
import { hallClock, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';
import { emulatedLine, emulatedPrinter, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine, type EmulatedPrinter } from './emulated.js';

/**
 * Island mode's partition campaign (DESIGN §7, issue 10) over the shipped Mosquitto: a real server
 * (engine, MQTT side, lease keeper, return) and an agent with an emulated printer and an RS-485 line
 * of screens and keypads on ptys. The server is cut away, then the broker, while citizens take tickets
 * and windows call; after each return a sequence checker reads the server's log.
 * The server's cut lasts HALLQ_ISLAND_CUT_S seconds (30 by default; `npm run test:island-long`, HALLQ_LONG=1, runs 300).
 */
const CUT_MS = Number(process.env['HALLQ_ISLAND_CUT_S'] ?? (process.env['HALLQ_LONG'] === '1' ? 300 : 30)) * 1000;
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const AGENT = 'kiosk-9';

/** The shipped Mosquitto on fixed ports, so it can be stopped and started again in place (a broker outage). */
class RestartableBroker {
  private child: ChildProcess | undefined;
  constructor(
    readonly url: string,
    private readonly conf: string,
  ) {}
  static async create(dir: string, passwords: Map<string, string>): Promise<RestartableBroker> {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, [...passwords].map(([u, p]) => `${u}:${hashPassword(p)}`).join('\n') + '\n', { mode: 0o600 });
    const acl = join(dir, 'acl');
    writeFileSync(acl, mosquittoAcl(hallAcl(HALL, SERVER_USER), [AGENT]), { mode: 0o600 });
    const ports: [number, number] = [await freePort(), await freePort()];
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, adaptShippedConf(ports, dir, { passwd, acl }));
    const b = new RestartableBroker(`mqtt://127.0.0.1:${ports[0]}`, conf);
    await b.start();
    return b;
  }
  async start(): Promise<void> {
    const child = spawn('/usr/sbin/mosquitto', ['-c', this.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (d: string) => {
        log += d;
        if (/ running/.test(log)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`mosquitto exited with ${String(code)}: ${log}`)));
    });
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

function phaseIs(agent: RunningAgent, want: IslandPhase): Promise<void> {
  const island = agent.island;
  if (!island) throw new Error('island mode is off');
  if (island.phase === want) return Promise.resolve();
  return new Promise((resolve) => {
    const off = island.onPhase((p) => {
      if (p !== want) return;
      off();
      resolve();
    });
  });
}

/** Resolves with the ticket a window's call put there (server or island), after the key press. */
function calledAt(agent: RunningAgent, window: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const off = agent.link.onEvent((e: HallEvent) => {
      if ((e.type === 'TicketCalled' || e.type === 'ServiceCompleted') && e.window === window) {
        off();
        resolve(e.type === 'TicketCalled' ? e.ticketId : undefined);
      }
    });
  });
}

describe('island mode: the hall keeps issuing and calling without its server, then returns', () => {
  let broker: RestartableBroker;
  let server: ServerRig | undefined;
  let stopIsland: (() => void) | undefined;
  let printer: EmulatedPrinter;
  let line: EmulatedLine;
  let agent: RunningAgent;
  let config: HallqConfig;
  let dbPath: string;
  const serverLogs: LogRecord[] = [];
  const clock = hallClock();
  const passwords = new Map([SERVER_USER, AGENT].map((u) => [u, `pw-${u}-${Math.random().toString(36).slice(2)}`] as const));
  /** Every ticket a citizen was handed (printed), with the number on the paper. */
  const acknowledged: { ticketId: string; number: string }[] = [];
  let kiosk: KioskFlow;

  const bootServer = async () => {
    server = await startServer(broker.url, dbPath, clock, serverLogs, { agents: config.agents, credentials: { username: SERVER_USER, password: passwords.get(SERVER_USER) ?? '' } });
    stopIsland = startIslandServer(config, server.engine, server.mqtt, clock, recordingLogger(serverLogs))?.stop;
  };
  const stopServer = async () => {
    stopIsland?.();
    await server?.stop();
    server = undefined;
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-island-'));
    broker = await RestartableBroker.create(dir, passwords);
    printer = await emulatedPrinter(join(dir, 'printer'));
    line = await emulatedLine([1, 2]);
    writeFileSync(join(dir, 'agent.pw'), passwords.get(AGENT) ?? '', { mode: 0o600 });
    const { id, name, utcOffsetMinutes, hours, services, windows, staff } = wireConfig;
    config = configSchema.parse({
      hall: { id, name, utcOffsetMinutes },
      hours,
      services,
      windows,
      staff,
      agents: [{ id: AGENT, kiosk: { port: 0 }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') }, rs485: [lineConfig(line.pty.host, [1, 2])] } }],
      agent: { id: AGENT, mqtt: { url: broker.url, username: AGENT, passwordFile: join(dir, 'agent.pw') } },
      // Blocks sized for the outage (about a citizen a second): a kiosk that runs out refuses, and the checker would say so.
      island: { leaseSize: CUT_MS > 60_000 ? 200 : 60, lowWater: CUT_MS > 60_000 ? 150 : 40, afterSeconds: 2, outbox: join(dir, 'island.db') },
    });
    dbPath = tempDb();
    await bootServer();
    agent = await startAgentFrom(config, { logger: silentLogger, env: {}, requestTimeoutMs: 1000, devices: { printerPollMs: 300 }, clock });
    await healthWhen(agent.devices, (l) => stateOf(l, 'printer') === 'ok' && stateOf(l, 'keypad-2') === 'ok');
    kiosk = new KioskFlow(agent.link, agent.devices.printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await line?.close();
    await printer?.unplug();
    await stopServer();
    await broker?.stop();
  });

  /** GET /api/island with the CLI token (what admin shows). */
  const islandApi = async (): Promise<{ leases: Record<string, unknown>; conflicts: unknown[]; agents: Record<string, { phase: string }> }> => {
    const res = await fetch(`${server?.baseUrl ?? ''}/api/island`, { headers: { authorization: `Bearer ${readFileSync(`${dbPath}.cli-token`, 'utf8').trim()}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as never;
  };

  /** One citizen at the kiosk: resolves once the ticket is printed (or refused). */
  const takeTicket = async (serviceId: string): Promise<KioskResult> => {
    const printed = printer.emulator.nextTicket();
    const r = await kiosk.issue({ serviceId });
    if (r.ok) {
      const paper = await printed;
      expect(paper.blocks.some((b) => b.type === 'text' && b.text.includes(r.number))).toBe(true);
      acknowledged.push({ ticketId: r.ticketId, number: r.number });
    }
    return r;
  };

  /** A window's call key: resolves with what it called (undefined when it only finished its ticket). */
  const pressCall = async (window: number): Promise<string | undefined> => {
    const called = calledAt(agent, window);
    line.keypads.get(window)?.press('call');
    const id = await called;
    const t = id ? agent.link.replica.state.tickets[id] : undefined;
    if (t) await screenShows(line.screens.get(window) as never, t.number);
    return id;
  };

  /** Citizens and windows for `ms`: a ticket, then a call at one of the windows, in turn. */
  const busyHall = async (ms: number) => {
    const until = Date.now() + ms;
    let i = 0;
    let issued = 0;
    let calls = 0;
    const refusals: string[] = [];
    while (Date.now() < until) {
      const r = await takeTicket(i % 3 === 0 ? 'B' : 'A');
      if (r.ok) issued += 1;
      else refusals.push(r.code);
      // A call key with nobody waiting and nobody at the window changes nothing (no event to wait for).
      const w = 1 + (i % 2);
      const st = agent.link.replica.state;
      const someone = Object.values(st.tickets).some((t) => t.status === 'waiting') || st.windows[String(w)]?.current !== undefined;
      if (someone && (await pressCall(w)) !== undefined) calls += 1;
      i += 1;
      // Citizens arrive about one a second (load pacing, not a wait for something).
      await new Promise((r) => setTimeout(r, 700));
    }
    return { issued, calls, refusals };
  };

  /** The sequence checker: the server's log after a return. */
  const checkSequence = () => {
    const s = server?.engine;
    if (!s) throw new Error('no server');
    const events: HallEvent[] = [];
    for (let after = 0; ; ) {
      const page = s.eventsAfter(after, 1000);
      if (page.length === 0) break;
      events.push(...page);
      after = page[page.length - 1]?.seq ?? after;
    }
    const tickets = Object.values(s.state.tickets);
    // Every acknowledged ticket once, under the number printed on it.
    for (const a of acknowledged) expect(tickets.filter((t) => t.id === a.ticketId).map((t) => t.number)).toEqual([a.number]);
    // No number twice.
    const numbers = events.flatMap((e) => (e.type === 'TicketIssued' ? [e.ticket.number] : []));
    expect(new Set(numbers).size).toBe(numbers.length);
    // No ticket served twice, and never two calls of one ticket without a recall, re-queue or transfer between.
    const completed = events.flatMap((e) => (e.type === 'ServiceCompleted' ? [e.ticketId] : []));
    expect(new Set(completed).size).toBe(completed.length);
    const called = events.flatMap((e) => (e.type === 'TicketCalled' ? [e.ticketId] : []));
    expect(new Set(called).size).toBe(called.length);
    // No notice twice.
    const notices = events.flatMap((e) => (e.type === 'NotificationDue' ? [`${e.ticketId}/${e.reason}`] : []));
    expect(new Set(notices).size).toBe(notices.length);
    return { events, conflicts: conflictsIn(s) };
  };

  /** Every screen shows the server's state (its window's current number), within 2 s. */
  const screensFollowServer = async () => {
    const s = server?.engine.state;
    if (!s) throw new Error('no server');
    for (const w of [1, 2]) {
      const number = windowView(s, w).current?.number;
      if (!number) continue;
      const shown = screenShows(line.screens.get(w) as never, number);
      await expect(Promise.race([shown, new Promise((_, rej) => setTimeout(() => rej(new Error(`screen ${w} does not show ${number} within 2 s`)), 2000))])).resolves.toContain(number);
    }
  };

  it('leases numbers to the kiosk agent ahead of need and keeps them in its island file', async () => {
    await agent.link.whenConnected();
    const leasedOf = () => freeLeased(agent.link.replica.state, AGENT, 'A').length + freeLeased(agent.link.replica.state, AGENT, 'B').length;
    if (leasedOf() < 20) await new Promise<void>((resolve) => agent.link.onEvent(() => leasedOf() >= 20 && resolve()));
    // Staff log in on their keypads; a first citizen is served online.
    for (const w of [1, 2]) {
      const opened = new Promise<void>((resolve) => agent.link.onEvent((e) => e.type === 'WindowOpened' && e.window === w && resolve()));
      line.keypads.get(w)?.typeLogin(String(w));
      await opened;
    }
    const online = await takeTicket('A');
    expect(online).toMatchObject({ ok: true });
    // The server never issues a number it leased: the online ticket is past both blocks.
    const n = Number(online.ok ? online.number.slice(1) : 0);
    expect(freeLeased(agent.link.replica.state, AGENT, 'A').includes(n)).toBe(false);
    // The blocks are on the agent's disk (its island file), not only in its memory.
    const file = IslandStore.open(config.island?.outbox ?? '');
    expect(file.leases(agent.link.replica.state.day).map((l) => l.serviceId).sort()).toEqual(['A', 'B']);
    file.close();
    // And the manager sees them in admin.
    const report = await islandApi();
    expect(Object.keys(report.leases)).toEqual([AGENT]);
  }, 60_000);

  it(`server away for ${CUT_MS / 1000} s: the kiosk issues from its lease and prints, the windows call; the outbox returns once, screens follow the server`, async () => {
    await stopServer();
    await phaseIs(agent, 'island');
    const during = await busyHall(CUT_MS);
    expect(during.refusals).toEqual([]);
    expect(during.issued).toBeGreaterThan(0);
    expect(during.calls).toBeGreaterThan(0);
    await bootServer();
    await phaseIs(agent, 'online');
    const { conflicts } = checkSequence();
    // One agent alone: nothing to conflict with.
    expect(conflicts).toEqual([]);
    const report = await islandApi();
    expect(report.conflicts).toEqual([]);
    // Admin sees the agent's island phase from its retained status: returning its outbox, or back online already.
    expect(['returning', 'online']).toContain(report.agents[AGENT]?.phase);
    await screensFollowServer();
  }, CUT_MS + 120_000);

  it(`broker away for ${Math.min(CUT_MS, 30_000) / 1000} s: the agent runs alone, then returns`, async () => {
    await broker.stop();
    await phaseIs(agent, 'island');
    const during = await busyHall(Math.min(CUT_MS, 30_000));
    expect(during.refusals).toEqual([]);
    expect(during.issued).toBeGreaterThan(0);
    await broker.start();
    await phaseIs(agent, 'online');
    checkSequence();
    await screensFollowServer();
  }, 150_000);
});
