import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { configSchema, type HallqConfig } from '../../src/config/schema.js';
import type { HallEvent } from '../../src/core/index.js';
import { readHallLog } from '../helpers/hall-log.js';
import { startReady, within, type Daemon } from '../helpers/hallq-process.js';
import { startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireConfig, wireHallFile } from '../wire/rig.js';
import { emulatedLine, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine } from './emulated.js';
import { phaseIs } from './island-phase.js';

/**
 * An agent restarted during an island (the technician's tryout): the server SIGKILLed, counter-1 calls a
 * ticket at window 1 in island mode, then is restarted while the server is still away. Waiting for the
 * server it says so (log, /readyz `waiting-for-server`); a call key pressed at window 3 meanwhile stays
 * buffered in the keypad, unheard. When the server is back the island outbox goes back first, and the
 * buffered press, minutes old, never acts: dropped as stale, the keypad beeps no; the next press calls.
 * Real `hallq server` process, the shipped Mosquitto with its ACL, the agent in process, keypads and
 * screens emulated on a pty.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const C = 'counter-1';
const K = 'kiosk-1';
const BOUND_MS = 60_000;

/** A port free now (the agent's health listener must be known before its start completes). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** A recording logger's records that tell each new one to the waiters (no polling). */
class Records extends Array<LogRecord> {
  readonly waiters = new Set<(r: LogRecord) => void>();
  override push(...items: LogRecord[]): number {
    const n = super.push(...items);
    for (const r of items) for (const w of [...this.waiters]) w(r);
    return n;
  }
}

/** Resolves with the first record `pred` accepts, now or later. */
function logged(records: Records, pred: (r: LogRecord) => boolean, what: string): Promise<LogRecord> {
  return within(
    new Promise<LogRecord>((resolve) => {
      const found = records.find(pred);
      if (found) return resolve(found);
      const w = (r: LogRecord) => pred(r) && (records.waiters.delete(w), resolve(r));
      records.waiters.add(w);
    }),
    BOUND_MS,
    what,
  );
}

describe('an agent restarted during an island returns its outbox before anything new, and a press made while it was down never acts', () => {
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let server: Daemon | undefined;
  let serverConfig: string;
  let dbPath: string;
  let line: EmulatedLine;
  let config: HallqConfig;
  let agent: RunningAgent | undefined;
  let kiosk: AgentLink;
  let healthPort: number;

  const bootServer = async () => {
    server = await startReady('server', serverConfig);
  };
  const start = (logger = silentLogger) => startAgentFrom(config, { logger, env: {}, requestTimeoutMs: 1000 });
  const eventOn = (a: RunningAgent, pred: (e: HallEvent) => boolean) =>
    new Promise<HallEvent>((resolve) => {
      const off = a.link.onEvent((e) => pred(e) && (off(), resolve(e)));
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-island-restart-outbox-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [C, K]);
    line = await emulatedLine([1, 3]);
    healthPort = await freePort();
    for (const u of [SERVER_USER, C]) writeFileSync(join(dir, `${u}.pw`), broker.passwords.get(u) ?? '', { mode: 0o600 });
    const hall = {
      ...wireHallFile(),
      agents: [
        { id: C, devices: { rs485: [lineConfig(line.pty.host, [1, 3])] } },
        { id: K, kiosk: {} },
      ],
      island: { leaseSize: 20, lowWater: 5, afterSeconds: 2, outbox: join(dir, 'island.db') },
    };
    dbPath = join(dir, 'hall.db');
    serverConfig = join(dir, 'hall.yaml');
    writeFileSync(serverConfig, JSON.stringify({ ...hall, server: { mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, `${SERVER_USER}.pw`) }, http: { host: '127.0.0.1', port: 0 }, database: dbPath, logLevel: 'info' } }));
    config = configSchema.parse({ ...hall, agent: { id: C, mqtt: { url: broker.url, username: C, passwordFile: join(dir, `${C}.pw`) }, health: { host: '127.0.0.1', port: healthPort } } });
    await bootServer();
    kiosk = new AgentLink({ url: broker.url, hall: HALL, agentId: K, username: K, password: broker.passwords.get(K) ?? '', requestTimeoutMs: 1000 }, silentLogger);
    await kiosk.start();
    agent = await start();
    const a = agent;
    await healthWhen(a.devices, (l) => stateOf(l, 'keypad-1') === 'ok' && stateOf(l, 'keypad-3') === 'ok');
    for (const w of [1, 3]) {
      const opened = eventOn(a, (e) => e.type === 'WindowOpened' && e.window === w);
      line.keypads.get(w)?.typeLogin(String(w));
      await opened;
    }
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await kiosk?.stop();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await line?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the server saying so, returns the island call first, drops the buffered press with a beep, and the next press calls the next citizen', async () => {
    const tickets: { id: string; number: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const o = await kiosk.send({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
      if (!o.ok || !o.ticketId) throw new Error(`not issued: ${JSON.stringify(o)}`);
      expect(await kiosk.send({ type: 'PrintConfirmed', ticketId: o.ticketId })).toMatchObject({ ok: true });
      tickets.push({ id: o.ticketId, number: '' });
    }
    const a0 = agent as RunningAgent;
    await a0.link.reach(kiosk.replica.seq);
    for (const t of tickets) t.number = a0.link.replica.state.tickets[t.id]?.number ?? '?';
    const [first, second] = tickets as [{ id: string; number: string }, { id: string; number: string }];

    // The server dies; counter-1 goes island and calls the first citizen to window 1.
    const s = server;
    server = undefined;
    await s?.kill();
    await phaseIs(a0, 'island');
    const called = eventOn(a0, (e) => e.type === 'TicketCalled' && e.window === 1);
    line.keypads.get(1)?.press('call');
    expect(await called).toMatchObject({ ticketId: first.id });
    await screenShows(line.screens.get(1) as never, first.number);

    // counter-1 restarts while the server is still away: it says what it waits for.
    await a0.stop();
    agent = undefined;
    const records = new Records();
    const restarted = start(recordingLogger(records));
    const waiting = await logged(records, (r) => r.msg?.startsWith('waiting for the hall server') === true, 'the restarted agent says it waits for the server');
    expect(waiting.obj).toMatchObject({ waitingFor: 'hall server', islandOutbox: 1 });
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'waiting-for-server', island: 'starting', outbox: 1 });

    // A call key pressed at window 3 while nobody listens: the keypad holds it.
    const keypad3 = line.keypads.get(3);
    if (!keypad3) throw new Error('no keypad 3');
    // Its beep no, then its first idle answer (a frame that is no FF 68 report): the buffer drained.
    const drained = new Promise<void>((resolve) => {
      let beeped = false;
      const off = keypad3.on((e) => {
        if (e.type === 'beep') beeped = true;
        if (beeped && e.type === 'transmit' && e.frame[0] !== 0xff) (off(), resolve());
      });
    });
    keypad3.press('call');
    expect(keypad3.pending).toBe(1);

    await bootServer();
    const a = await within(restarted, BOUND_MS, 'the restarted agent ready');
    agent = a;
    await logged(records, (r) => r.msg?.startsWith('island mode over') === true, 'the outbox returned');
    await within(drained, BOUND_MS, 'the keypad beeped no for its stale press, then answered idle');
    expect(keypad3.pending).toBe(0);
    expect(records.some((r) => r.msg?.startsWith('keypad report buffered while nobody listened') === true)).toBe(true);

    // The server has the island's call at window 1 and nothing at window 3: no conflict, the citizen is where the screen sent them.
    let log = readHallLog(dbPath);
    expect(log.state.tickets[first.id]).toMatchObject({ status: 'called', window: 1 });
    expect(log.state.tickets[second.id]).toMatchObject({ status: 'waiting' });
    expect(log.events.filter((e) => e.type === 'IslandConflict')).toEqual([]);
    expect(log.events.filter((e) => e.type === 'TicketCalled' && e.window === 3)).toEqual([]);

    // A fresh press at window 3 calls the next citizen.
    await a.link.reach(log.state.seq);
    const next = eventOn(a, (e) => e.type === 'TicketCalled' && e.window === 3);
    keypad3.press('call');
    expect(await within(next, BOUND_MS, 'the fresh press called')).toMatchObject({ ticketId: second.id });
    log = readHallLog(dbPath);
    expect(log.state.tickets[second.id]).toMatchObject({ status: 'called', window: 3 });
    expect(log.state.tickets[first.id]).toMatchObject({ status: 'called', window: 1 });
  }, 240_000);
});
