/**
 * Island mode's partition campaign (DESIGN §7, issue 10) with real processes: `hallq server` and
 * `hallq agent` run from the build (bin/hallq.js, HALLQ_RUN=dist) with one YAML, over the shipped
 * Mosquitto with its password file and ACL; the agent's printer and its RS-485 line (screens and
 * keypads) are emulators on ptys, the server's SMS goes to a fake Aliyun gateway. Citizens take tickets
 * through the kiosk page's HTTP API (the paper is read off the printer emulator), staff press the call
 * key on the keypad emulators, and calls are read off the window screens. The server is SIGKILLed for
 * the cut (HALLQ_ISLAND_CUT_S, default 30 s) and started again, then the broker is SIGKILLed for 30 s.
 * After each return the sequence checker reads the server's SQLite log (read-only, beside the live
 * server) and the gateway's record, admin's /api/island shows no conflict, and every screen equals the
 * server's state (its /api/state) by 2 s after the agent logged its return.
 * The in-process twin is island-campaign.ts (island.test.ts, island-300s.test.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FakeAliyunSmsServer } from '../../drivers/sms/fake-aliyun-server.js';
import { layoutScreen, plainText } from '../../drivers/led-screen/layout.js';
import { parseJson, type AgentStatus } from '../../src/bus/messages.js';
import { topics } from '../../src/bus/topics.js';
import { configSchema } from '../../src/config/schema.js';
import { windowView, type HallEvent, type HallState } from '../../src/core/index.js';
import { EventLog } from '../../src/store/index.js';
import { freePort } from '../helpers/mosquitto.js';
import { RestartableBroker } from '../helpers/restartable-broker.js';
import { startDaemon, within, type Daemon } from '../faults/daemon-process.js';
import { killHard } from '../wire/server-process.js';
import { wireConfig } from '../wire/rig.js';
import { emulatedLine, emulatedPrinter, lineConfig, type EmulatedLine, type EmulatedPrinter } from './emulated.js';
import { expectIslandSequence } from './island-sequence.js';
import { busyHall, islandPacing } from './busy-hall.js';

const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const AGENT = 'kiosk-9';
/** A read-only observer of the hall's topics (an ordinary user of the ACL's patterns; it publishes nothing). */
const OBSERVER = 'observer';
const CUT_MS = Number(process.env['HALLQ_ISLAND_CUT_S'] ?? 30) * 1000;
const BROKER_CUT_MS = 30_000;
const { leaseSize: LEASE_SIZE, paceMs: PACE_MS } = islandPacing(CUT_MS);
/** Bounds on things that happen in well under a second on an idle machine (a loaded 2-core CI box is slower). */
const BOUND_MS = 30_000;
const T = topics(HALL);
/** Windows with a keypad (staff call there) and a screen, on the agent's RS-485 line. */
const WINDOWS = [1, 2];
/** Every screen on the line: window 3 has one but no keypad (the server opens and pauses it, below). */
const SCREENS = [1, 2, 3];

/**
 * The daemons run on the real clock: the hall's UTC offset puts it at about midday now, so no day
 * rollover (which ends the leases) falls in a run, whenever CI runs it. Within the schema's -720…840.
 */
function middayOffset(now: number): number {
  const minuteOfDay = Math.floor(now / 60_000) % 1440;
  return Math.round((720 - minuteOfDay) / 15) * 15;
}

describe(`island mode with real processes (server SIGKILLed for ${CUT_MS / 1000} s, then the broker for ${BROKER_CUT_MS / 1000} s)`, () => {
  let dir: string;
  let configPath: string;
  let dbPath: string;
  let httpPort: number;
  let kioskPort: number;
  let broker: RestartableBroker;
  let gateway: FakeAliyunSmsServer;
  let printer: EmulatedPrinter;
  let line: EmulatedLine;
  let server: Daemon | undefined;
  let agent: Daemon | undefined;
  let observer: mqtt.MqttClient;
  const passwords = new Map([SERVER_USER, AGENT, OBSERVER].map((u) => [u, `pw-${u}-${Math.random().toString(36).slice(2)}`] as const));
  /** What the observer last saw (the agent's retained status), and every online event. */
  let status: AgentStatus | undefined;
  const seen = new Set<() => void>();
  const onlineEvents: HallEvent[] = [];
  /** Every ticket a citizen was handed (printed), with the number on the paper. */
  const acknowledged: { ticketId: string; number: string }[] = [];
  /** The test's own view of the hall: numbers handed out and not yet seen called, and each window's number. */
  const waiting = new Set<string>();
  const current = new Map<number, string | undefined>();

  /** Resolves when `pred` holds for what the observer saw (now or at a later message). */
  const observed = (pred: () => boolean, what: string): Promise<void> =>
    within(
      new Promise<void>((resolve) => {
        if (pred()) return resolve();
        const check = () => {
          if (!pred()) return;
          seen.delete(check);
          resolve();
        };
        seen.add(check);
      }),
      BOUND_MS,
      what,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; the observer saw status ${JSON.stringify(status)}; the agent said:\n${agent?.output().slice(-4000) ?? ''}`);
    });

  const bootServer = async () => {
    const d = startDaemon('server', configPath, { HALLQ_RUN: 'dist' });
    server = d;
    await within(d.says('hall server ready'), 60_000, 'hallq server ready');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-island-processes-'));
    broker = await RestartableBroker.create(dir, { id: HALL, serverUser: SERVER_USER, agents: [AGENT] }, passwords);
    printer = await emulatedPrinter(join(dir, 'printer'));
    line = await emulatedLine(SCREENS, join(dir, 'rs485'));
    for (const u of [SERVER_USER, AGENT]) writeFileSync(join(dir, `${u}.pw`), passwords.get(u) ?? '', { mode: 0o600 });
    writeFileSync(join(dir, 'aliyun.secret'), 'island-secret\n', { mode: 0o600 });
    gateway = new FakeAliyunSmsServer({ accessKeyId: 'LTAI-island', accessKeySecret: 'island-secret' });
    const endpoint = await gateway.start();
    httpPort = await freePort();
    kioskPort = await freePort();
    dbPath = join(dir, 'hall.db');
    const { id, name, hours, services, windows, staff } = wireConfig;
    const yaml = {
      hall: { id, name, utcOffsetMinutes: middayOffset(Date.now()) },
      hours,
      services,
      windows,
      staff,
      server: {
        mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, `${SERVER_USER}.pw`) },
        http: { host: '127.0.0.1', port: httpPort },
        database: dbPath,
        logLevel: 'info',
        sms: {
          provider: 'aliyun',
          aliyun: { accessKeyId: 'LTAI-island', accessKeySecretFile: join(dir, 'aliyun.secret'), signName: '政务大厅', templates: { issued: 'SMS_1', issuedNear: 'SMS_4', near: 'SMS_2', called: 'SMS_3' }, endpoint },
        },
      },
      agents: [{ id: AGENT, kiosk: { port: kioskPort }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') }, rs485: [{ ...lineConfig(join(dir, 'rs485'), SCREENS), keypads: lineConfig(join(dir, 'rs485'), WINDOWS).keypads }] } }],
      agent: { id: AGENT, mqtt: { url: broker.url, username: AGENT, passwordFile: join(dir, `${AGENT}.pw`) } },
      island: { leaseSize: LEASE_SIZE, lowWater: CUT_MS > 60_000 ? 150 : 40, afterSeconds: 2, outbox: join(dir, 'island.db') },
    };
    // The file the daemons read is the one the schema takes (a mistake here fails here, not in a child).
    configSchema.parse(yaml);
    configPath = join(dir, 'hall.yaml');
    writeFileSync(configPath, stringify(yaml));

    observer = await mqtt.connectAsync(broker.url, { clientId: OBSERVER, username: OBSERVER, password: passwords.get(OBSERVER), reconnectPeriod: 300 });
    observer.on('message', (topic, payload) => {
      const parsed = parseJson(payload);
      if (!parsed.ok) return;
      const value = parsed.value;
      if (topic === T.agentStatus(AGENT)) status = value as AgentStatus;
      else if (topic === T.events) onlineEvents.push(value as HallEvent);
      for (const fn of [...seen]) fn();
    });
    await observer.subscribeAsync([T.agentStatus(AGENT), T.events], { qos: 1 });

    await bootServer();
    agent = startDaemon('agent', configPath, { HALLQ_RUN: 'dist' });
    await within(agent.says('agent ready'), 60_000, 'hallq agent ready');
    // Its printer and keypads answer (its log says so; device health is not for other agents to read).
    await within(agent.says(/"device":"printer"[^\n]*"health":"ok"[^\n]*"printer health changed"/), BOUND_MS, "the agent's printer ok");
    for (const w of WINDOWS) await within(agent.says(new RegExp(`"keypad":${w},[^\\n]*"keypad online"`)), BOUND_MS, `the agent's keypad ${w} online`);
  }, 120_000);

  afterAll(async () => {
    if (agent) await killHard(agent.child);
    if (server) await killHard(server.child);
    await observer?.endAsync(true);
    await line?.close();
    await printer?.unplug();
    await broker?.stop();
    await gateway?.close();
  });

  /** One citizen at the kiosk page: resolves once the ticket is printed (or with the refusal's code). */
  const takeTicket = async (serviceId: string, phone?: string): Promise<{ ok: true; number: string } | { ok: false; code: string }> => {
    const printed = printer.emulator.nextTicket();
    const res = await fetch(`http://127.0.0.1:${kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId, ...(phone ? { phone } : {}) }) });
    const body = (await res.json()) as { ticketId: string; number: string; printed: boolean } & { error?: { code: string } };
    if (!res.ok) return { ok: false, code: body.error?.code ?? String(res.status) };
    expect(body.printed).toBe(true);
    const paper = await within(printed, BOUND_MS, `the paper of ${body.number}`);
    expect(paper.blocks.some((b) => b.type === 'text' && b.text.includes(body.number))).toBe(true);
    acknowledged.push({ ticketId: body.ticketId, number: body.number });
    waiting.add(body.number);
    return { ok: true, number: body.number };
  };

  const screenText = (w: number) => line.screens.get(w)?.view.text ?? '';
  const numberOn = (text: string) => /[A-Z]\d{3,}/.exec(text)?.[0];

  /**
   * A window's call key: resolves with the number its screen then shows (undefined when the window
   * only finished its ticket: the screen went idle). Only pressed when the press changes something
   * (someone waiting, or someone at the window), so the screen's change is the event to wait for.
   */
  const pressCall = async (w: number): Promise<string | undefined> => {
    const screen = line.screens.get(w);
    if (!screen) throw new Error(`no screen at window ${w}`);
    const before = screen.view.text;
    const changed = new Promise<string>((resolve) => {
      const off = screen.onChange((v) => {
        if (v.text === before) return;
        off();
        resolve(v.text);
      });
    });
    line.keypads.get(w)?.press('call');
    const now = numberOn(await within(changed, BOUND_MS, `window ${w}'s screen after its call key (showing ${before})`));
    if (now !== undefined) {
      expect(waiting.has(now), `${now} called at window ${w} was waiting`).toBe(true);
      waiting.delete(now);
    }
    current.set(w, now);
    return now;
  };

  /** Citizens and windows for `ms`: a ticket, then a call at one of the windows, in turn. */
  const hallFor = (ms: number) =>
    busyHall(ms, {
      paceMs: PACE_MS,
      takeTicket: (serviceId) => takeTicket(serviceId),
      pressCall: async (i) => {
        const w = WINDOWS[i % WINDOWS.length] ?? 1;
        return (waiting.size > 0 || current.get(w) !== undefined) && (await pressCall(w)) !== undefined;
      },
    });

  const cliToken = () => readFileSync(`${dbPath}.cli-token`, 'utf8').trim();
  const api = async <R,>(path: string, command?: Record<string, unknown>): Promise<R> => {
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
      ...(command ? { method: 'POST', body: JSON.stringify({ id: `test-${Math.random().toString(36).slice(2)}`, ...command }) } : {}),
      headers: { authorization: `Bearer ${cliToken()}`, ...(command ? { 'content-type': 'application/json' } : {}) },
    });
    expect(res.status, `${path} ${JSON.stringify(command ?? {})}`).toBe(200);
    return (await res.json()) as R;
  };

  /** The sequence checker: the server's log (its SQLite file, read-only beside the live server) and the gateway's record. */
  const checkSequence = () => {
    const log = EventLog.open<HallEvent>(dbPath, { readonly: true });
    const events: HallEvent[] = [];
    try {
      for (let after = 0; ; ) {
        const page = log.read(after, 1000);
        if (page.length === 0) break;
        events.push(...page);
        after = page[page.length - 1]?.seq ?? after;
      }
    } finally {
      log.close();
    }
    expectIslandSequence(events, acknowledged);
    const completed = events.filter((e) => e.type === 'ServiceCompleted');
    const notices = events.filter((e) => e.type === 'NotificationDue');
    const texts = gateway.accepted.map((m) => `${String((m.params as Record<string, string>)['number'])}/${m.templateId}`);
    expect(texts.filter((t, i) => texts.indexOf(t) !== i), 'SMS sent twice').toEqual([]);
    const calledAt = new Map<string, number>();
    texts.forEach((t, i) => t.endsWith('/SMS_3') && calledAt.set(t.split('/')[0] ?? '', i));
    expect(texts.filter((t, i) => t.endsWith('/SMS_2') && i > (calledAt.get(t.split('/')[0] ?? '') ?? Infinity)), 'near after called').toEqual([]);
    console.log(`sequence checker: ${events.length} events, ${acknowledged.length} acknowledged tickets, ${completed.length} served, ${notices.length} notices, ${texts.length} SMS (${texts.join(' ')})`);
    return events;
  };

  /**
   * Every acknowledged ticket is in the server's state under its printed number, and the server's
   * waiting tickets are exactly the ones the test saw handed out and not yet called on a screen.
   */
  const stateHasTickets = (s: HallState) => {
    for (const a of acknowledged) expect(s.tickets[a.ticketId]?.number, a.ticketId).toBe(a.number);
    const serverWaiting = Object.values(s.tickets).flatMap((t) => (t.status === 'waiting' ? [t.number] : []));
    expect(serverWaiting.sort(), 'waiting on the server').toEqual([...waiting].sort());
  };

  /**
   * Every window screen equals the server's state (its /api/state: the current number, idle or paused,
   * as layoutScreen renders it) by 2 s after `returnedAt` (the agent logged its return: outbox in,
   * replica the server's again): a correctness window, not a speed figure. Waits for the screens'
   * changes, fails at the deadline.
   */
  const screensFollowServer = async (returnedAt: number, s: HallState) => {
    const want = (w: number) => {
      const v = windowView(s, w);
      return plainText(layoutScreen({ window: w, paused: v.status === 'paused', ...(v.current ? { ticket: v.current.number } : {}), ...(s.emergency ? { notice: s.emergency.text } : {}) }));
    };
    const equal = () => SCREENS.every((w) => screenText(w) === want(w));
    if (!equal()) {
      await new Promise<void>((resolve) => {
        const offs = SCREENS.map((w) => line.screens.get(w)?.onChange(() => equal() && done()));
        const timer = setTimeout(() => done(), Math.max(0, returnedAt + 2000 - Date.now()));
        function done() {
          clearTimeout(timer);
          for (const off of offs) off?.();
          resolve();
        }
      });
    }
    console.log(`screens ${Date.now() - returnedAt} ms after the return: ${SCREENS.map(screenText).join(' | ')}`);
    expect(Object.fromEntries(SCREENS.map((w) => [w, screenText(w)]))).toEqual(Object.fromEntries(SCREENS.map((w) => [w, want(w)])));
    // The test's own view agrees: each window shows what the server says is there.
    for (const w of WINDOWS) current.set(w, windowView(s, w).current?.number);
  };

  /** The agent's log from here on: its island entry and its return are log lines (the broker may be away). */
  const agentLogFrom = () => agent?.output().length ?? 0;

  it('the agent leases numbers, staff log in on the keypads, citizens (some with a mobile number) are served online', async () => {
    const leases = await api<{ leases: Record<string, unknown> }>('/api/island');
    if (Object.keys(leases.leases).length === 0) await observed(() => onlineEvents.some((e) => e.type === 'NumbersLeased'), 'a first lease');
    expect(Object.keys((await api<{ leases: Record<string, unknown> }>('/api/island')).leases)).toEqual([AGENT]);
    for (const w of WINDOWS) {
      line.keypads.get(w)?.typeLogin(String(w));
      await observed(() => onlineEvents.some((e) => e.type === 'WindowOpened' && e.window === w), `window ${w} opened from its keypad`);
    }
    expect(await takeTicket('A')).toMatchObject({ ok: true });
    // Their SMS (issued now; near and called maybe across the island) must each come once.
    for (const phone of ['13900000001', '13900000002', '13900000003']) expect(await takeTicket('A', phone)).toMatchObject({ ok: true });
    await within(
      new Promise<void>((resolve) => {
        if (gateway.accepted.length >= 3) return resolve();
        gateway.onAccepted(() => gateway.accepted.length >= 3 && resolve());
      }),
      BOUND_MS,
      'three issued SMS at the gateway',
    );
    expect(await pressCall(1)).toBeDefined();
    stateHasTickets(await api<HallState>('/api/state'));
  }, 120_000);

  it(`server SIGKILLed for ${CUT_MS / 1000} s: the agent process issues from its lease and prints, the windows call; its outbox returns once, screens follow the server`, async () => {
    const from = agentLogFrom();
    await killHard(server?.child as never);
    server = undefined;
    await within(agent?.says("island mode: the server is unreachable; the hall's agents choose one to act for the hall", from) ?? Promise.reject(new Error('no agent')), BOUND_MS, 'the agent goes island');
    // Its retained status says so (the broker is up): island, acting for the whole hall (it is alone).
    await observed(() => status?.island === 'island' && status.role === 'leader', "the agent's status: island, acting for the hall");
    const cutStart = Date.now();
    const during = await hallFor(CUT_MS);
    console.log(`server cut: ${Date.now() - cutStart} ms, ${during.issued} issued, ${during.calls} calls, refusals ${JSON.stringify(during.refusals)}`);
    expect(during.refusals).toEqual([]);
    expect(during.issued).toBeGreaterThan(0);
    expect(during.calls).toBeGreaterThan(0);
    const back = agentLogFrom();
    await bootServer();
    await within(agent?.says('island mode over', back) ?? Promise.reject(new Error('no agent')), 60_000, "the agent's return");
    const returned = Date.now();
    const state = await api<HallState>('/api/state');
    await screensFollowServer(returned, state);
    stateHasTickets(state);
    checkSequence();
    const report = await api<{ conflicts: unknown[]; agents: Record<string, { phase: string }> }>('/api/island');
    expect(report.conflicts).toEqual([]);
    expect(['returning', 'online']).toContain(report.agents[AGENT]?.phase);
    // Its retained status is the online one again (island absent or 'online': README "Island mode").
    await observed(() => status?.online === true && (status.island ?? 'online') === 'online' && status.role === undefined, "the agent's status: online again");
  }, CUT_MS + 180_000);

  it(`broker SIGKILLed for ${BROKER_CUT_MS / 1000} s: the agent runs alone, then returns its outbox`, async () => {
    const from = agentLogFrom();
    await broker.stop();
    await within(agent?.says("island mode: the server is unreachable; the hall's agents choose one to act for the hall", from) ?? Promise.reject(new Error('no agent')), BOUND_MS, 'the agent goes island');
    await within(agent?.says('no broker; this agent runs alone', from) ?? Promise.reject(new Error('no agent')), BOUND_MS, 'the agent runs alone');
    // Meanwhile at the server (up, its broker gone with the agent's): a manager opens window 3 and pauses
    // it. Only the server knows; after the return window 3's screen must say so (the agent redraws from
    // the server's state, not from its island replica).
    await api('/api/commands', { type: 'OpenWindow', window: 3, staffId: 's3' });
    await api('/api/commands', { type: 'PauseWindow', window: 3, reason: 'break' });
    expect(screenText(3)).toBe(plainText(layoutScreen({ window: 3, paused: false })));
    const cutStart = Date.now();
    const during = await hallFor(BROKER_CUT_MS);
    console.log(`broker cut: ${Date.now() - cutStart} ms, ${during.issued} issued, ${during.calls} calls, refusals ${JSON.stringify(during.refusals)}`);
    expect(during.refusals).toEqual([]);
    expect(during.issued).toBeGreaterThan(0);
    const back = agentLogFrom();
    await broker.start();
    await within(agent?.says('island mode over', back) ?? Promise.reject(new Error('no agent')), 60_000, "the agent's return");
    const returned = Date.now();
    const state = await api<HallState>('/api/state');
    expect(windowView(state, 3).status).toBe('paused');
    await screensFollowServer(returned, state);
    stateHasTickets(state);
    checkSequence();
    expect((await api<{ conflicts: unknown[] }>('/api/island')).conflicts).toEqual([]);
    // The server process lived through the broker's outage: one process, never restarted.
    expect(server?.child.exitCode).toBeNull();
  }, BROKER_CUT_MS + 180_000);
});
