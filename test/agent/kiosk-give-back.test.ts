import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import type { PrintedTicket } from '../../drivers/printer/document.js';
import { AgentLink } from '../../src/agent/link.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { configSchema, type HallqConfig } from '../../src/config/schema.js';
import { freeLeased, issuedToday, type HallEvent } from '../../src/core/index.js';
import { readHallLog } from '../helpers/hall-log.js';
import { startReady, within, type Daemon } from '../helpers/hallq-process.js';
import { freePort } from '../helpers/mosquitto.js';
import { startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireConfig, wireHallFile } from '../wire/rig.js';
import { emulatedPrinter, type EmulatedPrinter } from './emulated.js';
import { phaseIs } from './island-phase.js';

/**
 * A kiosk's island reserve given back as the day's quota runs out (core/lease.ts numbersToReturn,
 * IslandMode.giveBack → ReturnNumbers → NumbersReturned), end to end: a real `hallq server` process, the
 * shipped Mosquitto with its ACL (the command is taken as the kiosk agent's by its topic), the kiosk agent in
 * process with its printer emulated on a pty, tickets issued at the kiosk's API. Quota 10 for service A,
 * one kiosk: its reserve is at most (quota − issued) ÷ 2, so it holds 5 at the start and gives them back
 * one by one as tickets are issued online; every one of the 10 tickets is issued online, the 11th is
 * refused, and the island that follows issues none of the numbers given back.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const K = 'kiosk-1';
const QUOTA = 10;
const BOUND_MS = 60_000;

const nextTicket = (printer: EmulatedPrinter): Promise<PrintedTicket> =>
  new Promise((resolve) => {
    const off = printer.emulator.onTicket((t) => (off(), resolve(t)));
  });

describe('a kiosk gives back its island reserve as the quota runs out', () => {
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let server: Daemon | undefined;
  let serverConfig: string;
  let dbPath: string;
  let printer: EmulatedPrinter;
  let config: HallqConfig;
  let agent: RunningAgent | undefined;
  let kioskPort: number;
  const records: LogRecord[] = [];

  const issue = async (body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Resolves once `pred` holds on the kiosk agent's replica, checked at each event it applies. */
  const replicaHolds = (what: string, pred: () => boolean): Promise<void> => {
    const a = agent as RunningAgent;
    return within(
      new Promise<void>((resolve) => {
        if (pred()) return resolve();
        const off = a.link.onEvent(() => {
          if (pred()) (off(), resolve());
        });
      }),
      BOUND_MS,
      what,
    );
  };
  const reserve = () => freeLeased((agent as RunningAgent).link.replica.state, K, 'A').length;
  const issued = () => issuedToday((agent as RunningAgent).link.replica.state, 'A');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-kiosk-give-back-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [K]);
    printer = await emulatedPrinter(join(dir, 'printer'));
    kioskPort = await freePort();
    for (const u of [SERVER_USER, K]) writeFileSync(join(dir, `${u}.pw`), broker.passwords.get(u) ?? '', { mode: 0o600 });
    const base = wireHallFile();
    const hall = {
      ...base,
      services: base.services.map((s) => (s.id === 'A' ? { ...s, dailyQuota: QUOTA } : s)),
      agents: [{ id: K, kiosk: { port: kioskPort }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') } } }],
      island: { leaseSize: 20, lowWater: 5, afterSeconds: 2, outbox: join(dir, 'island.db') },
    };
    dbPath = join(dir, 'hall.db');
    serverConfig = join(dir, 'hall.yaml');
    writeFileSync(serverConfig, JSON.stringify({ ...hall, server: { mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, `${SERVER_USER}.pw`) }, http: { host: '127.0.0.1', port: 0 }, database: dbPath, logLevel: 'info' } }));
    config = configSchema.parse({ ...hall, agent: { id: K, mqtt: { url: broker.url, username: K, passwordFile: join(dir, `${K}.pw`) } } });
    server = await startReady('server', serverConfig);
    agent = await startAgentFrom(config, { logger: recordingLogger(records), env: {}, requestTimeoutMs: 1000 });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await printer?.unplug();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('issues all 10 online, gives back every reserved number as its share shrinks, and its island issues none of them', async () => {
    const a = agent as RunningAgent;
    // The lease is capped to the kiosk's share: (10 − 0) ÷ 2 = 5, not leaseSize's 20.
    await replicaHolds('the first lease', () => reserve() === 5);
    const numbers: string[] = [];
    for (let i = 1; i <= QUOTA; i++) {
      const printed = nextTicket(printer);
      const r = await issue({ serviceId: 'A' });
      expect(r.status, `ticket ${String(i)}: ${JSON.stringify(r.body)}`).toBe(200);
      await printed;
      numbers.push(String(r.body['number']));
      // Given back down to the share of what is left (the highest first); never above the quota meanwhile.
      await replicaHolds(`the reserve at its share after ticket ${String(i)}`, () => issued() === i && reserve() <= Math.floor((QUOTA - i) / 2));
      expect(issued() + reserve()).toBeLessThanOrEqual(QUOTA);
    }
    expect(new Set(numbers).size).toBe(QUOTA);
    const refused = await issue({ serviceId: 'A' });
    expect(refused.body).toMatchObject({ error: { code: 'quota-reached' } });

    // In the server's log: the returns are the kiosk's own commands (its topic), covering its whole lease, none issued.
    const events: HallEvent[] = readHallLog(dbPath).events;
    const leased = events.flatMap((e) => (e.type === 'NumbersLeased' && e.agentId === K && e.serviceId === 'A' ? [[e.from, e.to] as const] : []));
    const returned = events.flatMap((e) => (e.type === 'NumbersReturned' && e.serviceId === 'A' ? [e] : []));
    expect(leased).toEqual([[1, 5]]);
    expect(returned.map((e) => e.agentId)).toEqual(returned.map(() => K));
    const back = returned.flatMap((e) => Array.from({ length: e.to - e.from + 1 }, (_, k) => e.from + k)).sort((x, y) => x - y);
    expect(back).toEqual([1, 2, 3, 4, 5]);
    const issuedNumbers = events.flatMap((e) => (e.type === 'TicketIssued' && e.ticket.serviceId === 'A' ? [e.ticket.number] : []));
    for (const n of back) expect(issuedNumbers.some((t) => t.endsWith(String(n).padStart(3, '0')))).toBe(false);

    // The server dies: the island has no number of A left (all given back, marked used on the kiosk's disk).
    const s = server;
    server = undefined;
    await s?.kill();
    await within(phaseIs(a, 'island'), BOUND_MS, 'island mode');
    const islandTry = await issue({ serviceId: 'A' });
    expect(islandTry.body).toMatchObject({ error: { code: 'numbers-out', messageZh: '本机暂时无法办理该业务取号，请稍候或咨询导办人员' } });
    server = await startReady('server', serverConfig);
    await within(phaseIs(a, 'online'), BOUND_MS, 'the return');
    const after: HallEvent[] = readHallLog(dbPath).events;
    expect(after.filter((e) => e.type === 'TicketIssued' && e.ticket.serviceId === 'A')).toHaveLength(QUOTA);
  }, 240_000);
});

/**
 * The tryout's case: a kiosk restarted after its share shrank while it was down (tickets issued at the
 * other kiosk meanwhile) gives back its excess at its start, not only once some other ticket is issued:
 * refusals change nothing it would hear, so the hall's last tickets stayed refused.
 */
describe('a kiosk restarted with more than its share gives the excess back at its start', () => {
  const K2 = 'kiosk-2';
  const Q = 12;
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let server: Daemon | undefined;
  let printer: EmulatedPrinter;
  let config: HallqConfig;
  let agent: RunningAgent | undefined;
  let other: AgentLink | undefined;

  const reserve = () => freeLeased((agent as RunningAgent).link.replica.state, K, 'A').length;
  const holds = (what: string, pred: () => boolean): Promise<void> => {
    const a = agent as RunningAgent;
    return within(
      new Promise<void>((resolve) => {
        if (pred()) return resolve();
        const off = a.link.onEvent(() => pred() && (off(), resolve()));
      }),
      BOUND_MS,
      what,
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-kiosk-give-back-restart-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [K, K2]);
    printer = await emulatedPrinter(join(dir, 'printer'));
    const kioskPort = await freePort();
    for (const u of [SERVER_USER, K]) writeFileSync(join(dir, `${u}.pw`), broker.passwords.get(u) ?? '', { mode: 0o600 });
    const base = wireHallFile();
    const hall = {
      ...base,
      services: base.services.map((s) => (s.id === 'A' ? { ...s, dailyQuota: Q } : s)),
      agents: [
        { id: K, kiosk: { port: kioskPort }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') } } },
        { id: K2, kiosk: {} },
      ],
      island: { leaseSize: 20, lowWater: 5, afterSeconds: 2, outbox: join(dir, 'island.db') },
    };
    const serverConfig = join(dir, 'hall.yaml');
    writeFileSync(serverConfig, JSON.stringify({ ...hall, server: { mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, `${SERVER_USER}.pw`) }, http: { host: '127.0.0.1', port: 0 }, database: join(dir, 'hall.db'), logLevel: 'info' } }));
    config = configSchema.parse({ ...hall, agent: { id: K, mqtt: { url: broker.url, username: K, passwordFile: join(dir, `${K}.pw`) } } });
    server = await startReady('server', serverConfig);
    other = new AgentLink({ url: broker.url, hall: HALL, agentId: K2, username: K2, password: broker.passwords.get(K2) ?? '', requestTimeoutMs: 5000 }, silentLogger);
    await other.start();
    agent = await startAgentFrom(config, { logger: silentLogger, env: {}, requestTimeoutMs: 1000 });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await other?.stop();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await printer?.unplug();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds its share, is stopped, the other kiosk issues, and at its restart its reserve is back to the new share', async () => {
    // Two kiosks: each one's share of 12 is 12 ÷ 3 = 4.
    await holds('the first lease', () => reserve() === 4);
    await (agent as RunningAgent).stop();
    agent = undefined;
    const o = other as AgentLink;
    for (let i = 0; i < 2; i++) expect(await o.send({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' })).toMatchObject({ ok: true });
    // Its share is now (12 − 2) ÷ 3 = 3; it holds 4. Restarted, with nothing else happening in the hall:
    agent = await startAgentFrom(config, { logger: silentLogger, env: {}, requestTimeoutMs: 1000 });
    await holds('the excess given back at the start', () => reserve() === 3);
  }, 240_000);
});
