import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import type { PrintedTicket } from '../../drivers/printer/document.js';
import { FakeAliyunSmsServer } from '../../drivers/sms/fake-aliyun-server.js';
import { AgentLink } from '../../src/agent/link.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { configSchema, type HallqConfig } from '../../src/config/schema.js';
import { readHallLog } from '../helpers/hall-log.js';
import { startReady, within, type Daemon } from '../helpers/hallq-process.js';
import { freePort } from '../helpers/mosquitto.js';
import { startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireConfig, wireHallFile } from '../wire/rig.js';
import { emulatedPrinter, lineConfig, type EmulatedPrinter } from './emulated.js';
import { phaseIs } from './island-phase.js';

/**
 * The tryout after the island phone: a broker outage (an island without the broker) and its return,
 * then the server killed, a phone given at the kiosk for a printed ticket's SMS (短信通知 on the paper),
 * the server back: the outbox was replayed, but the kept number stayed in the island file, never sent,
 * nothing logged (the first return, with no number kept, had left the contacts' `sending` set for good).
 * Now it reaches the server (its phoneMasked on the ticket) and the island file keeps no contact. The
 * rig of kiosk-island-phone.test.ts: real `hallq server`, the shipped Mosquitto stopped and started
 * again on its ports, the kiosk agent in process with its printer emulated on a pty.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const K = 'kiosk-1';
const C = 'counter-1';
const PHONE = '13700137802';
const BOUND_MS = 60_000;

/** Resolves with the next ticket the emulator prints. */
const nextTicket = (printer: EmulatedPrinter): Promise<PrintedTicket> =>
  new Promise((resolve) => {
    const off = printer.emulator.onTicket((t) => (off(), resolve(t)));
  });

describe('a phone kept in an island after an earlier island\u2019s return (no phone then) still goes to the server', () => {
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let server: Daemon | undefined;
  let serverConfig: string;
  let dbPath: string;
  let gateway: FakeAliyunSmsServer;
  let printer: EmulatedPrinter;
  let config: HallqConfig;
  let agent: RunningAgent | undefined;
  let counter: AgentLink;
  let kioskPort: number;
  const records: LogRecord[] = [];

  const bootServer = async () => {
    server = await startReady('server', serverConfig);
  };
  const issue = async (body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-kiosk-island-phone-return-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [K, C]);
    printer = await emulatedPrinter(join(dir, 'printer'));
    gateway = new FakeAliyunSmsServer({ accessKeyId: 'LTAI-island', accessKeySecret: 'island-secret' });
    const endpoint = await gateway.start();
    kioskPort = await freePort();
    for (const u of [SERVER_USER, K]) writeFileSync(join(dir, `${u}.pw`), broker.passwords.get(u) ?? '', { mode: 0o600 });
    writeFileSync(join(dir, 'aliyun.secret'), 'island-secret\n', { mode: 0o600 });
    const hall = {
      ...wireHallFile(),
      agents: [
        { id: K, kiosk: { port: kioskPort }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') } } },
        // The window's agent: only the hall's authorizer reads its devices; the test sends its commands on its link.
        { id: C, devices: { rs485: [lineConfig('/dev/hallq/rs485-0', [1])] } },
      ],
      island: { leaseSize: 20, lowWater: 5, afterSeconds: 2, outbox: join(dir, 'island.db') },
    };
    dbPath = join(dir, 'hall.db');
    serverConfig = join(dir, 'hall.yaml');
    const sms = {
      provider: 'aliyun',
      aliyun: { accessKeyId: 'LTAI-island', accessKeySecretFile: join(dir, 'aliyun.secret'), signName: '政务大厅', templates: { issued: 'SMS_1', issuedNear: 'SMS_4', near: 'SMS_2', called: 'SMS_3' }, endpoint },
    };
    writeFileSync(serverConfig, JSON.stringify({ ...hall, server: { mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, `${SERVER_USER}.pw`) }, http: { host: '127.0.0.1', port: 0 }, database: dbPath, logLevel: 'info', sms } }));
    config = configSchema.parse({ ...hall, agent: { id: K, mqtt: { url: broker.url, username: K, passwordFile: join(dir, `${K}.pw`) } } });
    await bootServer();
    counter = new AgentLink({ url: broker.url, hall: HALL, agentId: C, username: C, password: broker.passwords.get(C) ?? '', requestTimeoutMs: 1000 }, silentLogger);
    await counter.start();
    expect(await counter.send({ type: 'OpenWindow', window: 1, staffId: 's1' })).toMatchObject({ ok: true });
    agent = await startAgentFrom(config, { logger: recordingLogger(records), env: {}, requestTimeoutMs: 1000 });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await counter?.stop();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await printer?.unplug();
    await gateway?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('broker away and back, then the server killed, a phone at the kiosk, the server back: the number reaches the server and leaves the island file', async () => {
    const a = agent as RunningAgent;
    const said = (msg: string) => records.filter((x) => x.msg === msg).length;
    const saidAtLeast = (msg: string, n: number) =>
      within(
        new Promise<void>((resolve) => {
          const t = setInterval(() => said(msg) >= n && (clearInterval(t), resolve()), 50);
        }),
        BOUND_MS,
        msg,
      );
    // The broker away: an island without it; then back, the outbox (empty) returns, no number kept.
    await broker.stop();
    await within(phaseIs(a, 'island'), BOUND_MS, 'island mode (no broker)');
    await broker.resume();
    await within(phaseIs(a, 'online'), BOUND_MS, 'the first island returned');
    await saidAtLeast('island mode over: outbox returned, replica from the server', 1);

    // The server killed: island again; a printed ticket with a phone for its SMS.
    const s = server;
    server = undefined;
    await s?.kill();
    await within(phaseIs(a, 'island'), BOUND_MS, 'island mode (no server)');
    const paper = nextTicket(printer);
    const r = await issue({ serviceId: 'A', phone: PHONE });
    expect(r.status).toBe(200);
    const ticketId = String(r.body['ticketId']);
    expect(JSON.stringify((await paper).blocks)).toContain('短信通知 137****7802');
    const keptNow = (): number => {
      const db = new Database(join(dir, 'island.db'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM contacts').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(keptNow()).toBe(1);

    // The server back: the outbox returns, then the number goes to it.
    await bootServer();
    await within(phaseIs(a, 'online'), BOUND_MS, 'the second island returned');
    await saidAtLeast('island contacts returned to the server', 1);
    expect(readHallLog(dbPath).state.tickets[ticketId]).toMatchObject({ status: 'waiting', phoneMasked: '137****7802' });
    expect(keptNow()).toBe(0);
    expect(JSON.stringify(records)).not.toContain(PHONE);
  }, 240_000);
});
