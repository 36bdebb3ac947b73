import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAliyunSmsServer } from '../../drivers/sms/fake-aliyun-server.js';
import { layoutScreen, plainText } from '../../drivers/led-screen/layout.js';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { KioskFlow, type KioskResult } from '../../src/agent/flows/kiosk.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { configSchema, smsSchema, type HallqConfig, type SmsConfig } from '../../src/config/schema.js';
import { startSms, type SmsService } from '../../src/server/sms/sms-service.js';
import { freeLeased, windowView, type HallEvent } from '../../src/core/index.js';
import { startIslandServer } from '../../src/server/island-server.js';
import { conflictsIn } from '../../src/server/island-return.js';
import { RestartableBroker } from '../helpers/restartable-broker.js';
import { hallClock, type ServerRig, startServer, tempDb, wireConfig, wireHallFile } from '../wire/rig.js';
import { phaseIs } from './island-phase.js';
import { expectIslandSequence } from './island-sequence.js';
import { emulatedLine, emulatedPrinter, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine, type EmulatedPrinter } from './emulated.js';
import { busyHall, islandPacing } from './busy-hall.js';

/**
 * Island mode's partition campaign (DESIGN §7, issue 10) over the shipped Mosquitto: a real server
 * (engine, MQTT side, lease keeper, return, SMS to a fake gateway) and an agent with an emulated printer
 * and an RS-485 line of screens and keypads on ptys. The server is cut away (and, in the 30 s run, then
 * the broker) while citizens take tickets and windows call; after each return a sequence checker reads
 * the server's log and the SMS gateway, and every screen must equal the server's state within 2 s.
 * island.test.ts runs it with a 30 s cut, island-300s.test.ts with 300 s (both in CI, in parallel).
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const AGENT = 'kiosk-9';

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

/** The campaign with the server cut away for `CUT_MS`; with `brokerCutMs`, then the broker for that long. */
export function islandCampaign(CUT_MS: number, opts: { brokerCutMs?: number } = {}): void {
const { leaseSize: LEASE_SIZE, paceMs: PACE_MS } = islandPacing(CUT_MS);
describe(`island mode (${CUT_MS / 1000} s without the server): the hall keeps issuing and calling, then returns`, () => {
  let broker: RestartableBroker;
  let server: ServerRig | undefined;
  let stopIsland: (() => void) | undefined;
  let sms: SmsService | undefined;
  let smsConfig: SmsConfig;
  /** The SMS gateway (Aliyun's API, faked): what it accepted is what citizens' phones got. */
  let gateway: FakeAliyunSmsServer;
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
    sms = startSms({ config: smsConfig, database: dbPath, engine: server.engine, mqtt: server.mqtt, clock, logger: recordingLogger(serverLogs) });
  };
  const stopServer = async () => {
    stopIsland?.();
    await sms?.stop();
    sms = undefined;
    await server?.stop();
    server = undefined;
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-island-'));
    broker = await RestartableBroker.create(dir, { id: HALL, serverUser: SERVER_USER, agents: [AGENT] }, passwords);
    printer = await emulatedPrinter(join(dir, 'printer'));
    line = await emulatedLine([1, 2]);
    writeFileSync(join(dir, 'agent.pw'), passwords.get(AGENT) ?? '', { mode: 0o600 });
    writeFileSync(join(dir, 'aliyun.secret'), 'island-secret\n', { mode: 0o600 });
    gateway = new FakeAliyunSmsServer({ accessKeyId: 'LTAI-island', accessKeySecret: 'island-secret' });
    const endpoint = await gateway.start();
    smsConfig = smsSchema.parse({
      provider: 'aliyun',
      aliyun: { accessKeyId: 'LTAI-island', accessKeySecretFile: join(dir, 'aliyun.secret'), signName: '政务大厅', templates: { issued: 'SMS_1', issuedNear: 'SMS_4', near: 'SMS_2', called: 'SMS_3' }, endpoint },
    });
    config = configSchema.parse({
      ...wireHallFile(),
      agents: [{ id: AGENT, kiosk: { port: 0 }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') }, rs485: [lineConfig(line.pty.host, [1, 2])] } }],
      agent: { id: AGENT, mqtt: { url: broker.url, username: AGENT, passwordFile: join(dir, 'agent.pw') } },
      // Blocks sized for the outage at the pace below; a kiosk that runs out refuses, and the checker
      // would say so.
      island: { leaseSize: LEASE_SIZE, lowWater: CUT_MS > 60_000 ? 150 : 40, afterSeconds: 2, outbox: join(dir, 'island.db') },
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
    await gateway?.close();
  });

  /** GET /api/island with the CLI token (what admin shows). */
  const islandApi = async (): Promise<{ leases: Record<string, unknown>; conflicts: unknown[]; agents: Record<string, { phase: string }> }> => {
    const res = await fetch(`${server?.baseUrl ?? ''}/api/island`, { headers: { authorization: `Bearer ${readFileSync(`${dbPath}.cli-token`, 'utf8').trim()}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as never;
  };

  /** One citizen at the kiosk: resolves once the ticket is printed (or refused). */
  const takeTicket = async (serviceId: string, phone?: string): Promise<KioskResult> => {
    const printed = printer.emulator.nextTicket();
    const r = await kiosk.issue({ serviceId, ...(phone ? { phone } : {}) });
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
  const hallFor = (ms: number) =>
    busyHall(ms, {
      paceMs: PACE_MS,
      takeTicket: (serviceId) => takeTicket(serviceId),
      pressCall: async (i) => {
        // A call key with nobody waiting and nobody at the window changes nothing (no event to wait for).
        const w = 1 + (i % 2);
        const st = agent.link.replica.state;
        const someone = Object.values(st.tickets).some((t) => t.status === 'waiting') || st.windows[String(w)]?.current !== undefined;
        return someone && (await pressCall(w)) !== undefined;
      },
    });

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
    // Every acknowledged ticket once in the log under its printed number; no number, call, service or notice twice.
    expectIslandSequence(events, acknowledged);
    for (const a of acknowledged) expect(s.state.tickets[a.ticketId]?.number).toBe(a.number);
    const completed = events.filter((e) => e.type === 'ServiceCompleted');
    const notices = events.filter((e) => e.type === 'NotificationDue');
    // No SMS twice (the gateway's record: what phones got), and never a "near" after the "called".
    const texts = gateway.accepted.map((m) => `${String((m.params as Record<string, string>)['number'])}/${m.templateId}`);
    expect(texts.filter((t, i) => texts.indexOf(t) !== i)).toEqual([]);
    const calledAt = new Map<string, number>();
    texts.forEach((t, i) => t.endsWith('/SMS_3') && calledAt.set(t.split('/')[0] ?? '', i));
    expect(texts.filter((t, i) => t.endsWith('/SMS_2') && i > (calledAt.get(t.split('/')[0] ?? '') ?? Infinity))).toEqual([]);
    console.log(`sequence checker: ${events.length} events, ${acknowledged.length} acknowledged tickets, ${completed.length} served, ${notices.length} notices, ${texts.length} SMS (${texts.join(' ')})`);
    return { events, conflicts: conflictsIn(s) };
  };

  /**
   * Every window screen equals the server's state (what its window shows: the current number, idle or
   * paused, as layoutScreen renders it) by 2 s after `returnedAt` (the agent back online: its outbox in,
   * its replica the server's again): a correctness window, not a speed figure. Waits for the screens'
   * changes, fails at the deadline.
   */
  const screensFollowServer = async (returnedAt: number) => {
    const s = server?.engine.state;
    if (!s) throw new Error('no server');
    const want = (w: number) => {
      const v = windowView(s, w);
      return plainText(layoutScreen({ window: w, paused: v.status === 'paused', ...(v.current ? { ticket: v.current.number } : {}), ...(s.emergency ? { notice: s.emergency.text } : {}) }));
    };
    const equal = () => [1, 2].every((w) => line.screens.get(w)?.view.text === want(w));
    if (!equal()) {
      await new Promise<void>((resolve) => {
        const offs = [1, 2].map((w) => line.screens.get(w)?.onChange(() => check()));
        const timer = setTimeout(() => done(), Math.max(0, returnedAt + 2000 - Date.now()));
        function done() {
          clearTimeout(timer);
          for (const off of offs) off?.();
          resolve();
        }
        function check() {
          if (equal()) done();
        }
      });
    }
    console.log(`screens ${Date.now() - returnedAt} ms after the return: ${[1, 2].map((w) => line.screens.get(w)?.view.text).join(' | ')}`);
    expect(Object.fromEntries([1, 2].map((w) => [w, line.screens.get(w)?.view.text]))).toEqual(Object.fromEntries([1, 2].map((w) => [w, want(w)])));
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
    // Citizens who gave a mobile number: their SMS (issued now, near and called maybe across the island) must each come once.
    for (const phone of ['13900000001', '13900000002', '13900000003']) expect(await takeTicket('A', phone)).toMatchObject({ ok: true });
    await new Promise<void>((resolve) => {
      if (gateway.accepted.length >= 3) return resolve();
      gateway.onAccepted(() => gateway.accepted.length >= 3 && resolve());
    });
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
    const during = await hallFor(CUT_MS);
    expect(during.refusals).toEqual([]);
    expect(during.issued).toBeGreaterThan(0);
    expect(during.calls).toBeGreaterThan(0);
    await bootServer();
    await phaseIs(agent, 'online');
    // Returned: the agent's outbox is in and its replica is the server's again.
    const returned = Date.now();
    const { conflicts } = checkSequence();
    // One agent alone: nothing to conflict with.
    expect(conflicts).toEqual([]);
    const report = await islandApi();
    expect(report.conflicts).toEqual([]);
    // Admin sees the agent's island phase from its retained status: returning its outbox, or back online already.
    expect(['returning', 'online']).toContain(report.agents[AGENT]?.phase);
    await screensFollowServer(returned);
  }, CUT_MS + 120_000);

  const brokerCutMs = opts.brokerCutMs ?? 0;
  it.skipIf(brokerCutMs === 0)(`broker away for ${brokerCutMs / 1000} s: the agent runs alone, then returns`, async () => {
    await broker.stop();
    await phaseIs(agent, 'island');
    const during = await hallFor(brokerCutMs);
    expect(during.refusals).toEqual([]);
    expect(during.issued).toBeGreaterThan(0);
    await broker.start();
    await phaseIs(agent, 'online');
    const returned = Date.now();
    checkSequence();
    await screensFollowServer(returned);
  }, brokerCutMs + 120_000);
});
}
