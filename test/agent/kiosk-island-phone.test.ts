import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
 * The hall-floor tryout: in an island, a citizen typed a phone for the near-turn SMS at the kiosk, got a
 * printed ticket, and the phone was dropped without a word (the kiosk took no phone while islanded, or,
 * when the island began during the request, printed 短信通知 and then could not send the number). Now the
 * kiosk keeps the number sealed in its island file and sends it at the return, so the near-turn SMS goes
 * to it. Real `hallq server` process (SMS through a fake Aliyun gateway), the shipped Mosquitto with its
 * ACL, the kiosk agent in process with its printer emulated on a pty, the kiosk API over HTTP; the
 * phone typed in full-width digits with spaces, as a Chinese IME gives it.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const K = 'kiosk-1';
const C = 'counter-1';
const PHONE = '13800138000';
const TYPED = '１３８ ００１３ ８０００';
const BOUND_MS = 60_000;

/** Resolves with the next ticket the emulator prints. */
const nextTicket = (printer: EmulatedPrinter): Promise<PrintedTicket> =>
  new Promise((resolve) => {
    const off = printer.emulator.onTicket((t) => (off(), resolve(t)));
  });

describe('a phone given at the kiosk during an island gets its near-turn SMS after the return', () => {
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
  const info = async () => (await (await fetch(`http://127.0.0.1:${kioskPort}/kiosk/api/info`)).json()) as { sms: boolean; smsOnly: boolean };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-kiosk-island-phone-'));
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

  it('prints 短信通知 with the masked phone, keeps the number sealed, sends it at the return, and the near SMS goes to it', async () => {
    const a = agent as RunningAgent;
    // Two citizens ahead, online, without a phone.
    const ahead: string[] = [];
    for (let i = 0; i < 2; i++) {
      const printed = nextTicket(printer);
      const r = await issue({ serviceId: 'A' });
      expect(r.status).toBe(200);
      await printed;
      ahead.push(String(r.body['ticketId']));
    }

    // The server dies: the agent goes island; the kiosk still takes a phone for the notices (no SMS-only ticket).
    const s = server;
    server = undefined;
    await s?.kill();
    await within(phaseIs(a, 'island'), BOUND_MS, 'island mode');
    expect(await info()).toMatchObject({ sms: true, smsOnly: false });
    const paper = nextTicket(printer);
    const r = await issue({ serviceId: 'A', phone: TYPED });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ printed: true, position: 3 });
    expect(r.body).not.toHaveProperty('smsUnavailable');
    const ticketId = String(r.body['ticketId']);
    const text = JSON.stringify((await paper).blocks);
    expect(text).toContain('短信通知 138****8000');
    expect(text).not.toContain(PHONE);
    // At rest on the agent: sealed, never the number, in the island file (its WAL too) or the log.
    for (const f of readdirSync(dir).filter((n) => n.startsWith('island.db'))) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(PHONE), f).toBe(false);
      expect(bytes.includes(Buffer.from(PHONE, 'utf16le')), f).toBe(false);
    }
    expect(a.island?.phase).toBe('island');

    // The server is back: the outbox returns, then the number goes to the server for the ticket.
    await bootServer();
    await within(phaseIs(a, 'online'), BOUND_MS, 'the island returned');
    const returned = (): boolean => records.some((x) => x.msg === 'island contacts returned to the server');
    await within(
      new Promise<void>((resolve) => {
        const t = setInterval(() => returned() && (clearInterval(t), resolve()), 50);
      }),
      BOUND_MS,
      'the kept contact sent',
    );
    expect(readHallLog(dbPath).state.tickets[ticketId]).toMatchObject({ status: 'waiting', phoneMasked: '138****8000' });
    for (const f of readdirSync(dir).filter((n) => n.startsWith('island.db'))) expect(readFileSync(join(dir, f)).includes(PHONE), f).toBe(false);

    // Window 1 calls the two ahead: the island ticket is next, near its turn, and the near SMS goes to the phone typed.
    await counter.reach(a.link.replica.seq);
    for (const id of ahead) expect(await counter.send({ type: 'CallNext', window: 1 })).toMatchObject({ ok: true, ticketId: id });
    const near = () => gateway.accepted.find((m) => m.phone.endsWith(PHONE) && m.templateId === 'SMS_2');
    await within(
      new Promise<void>((resolve) => {
        if (near()) return resolve();
        gateway.onAccepted(() => near() && resolve());
      }),
      BOUND_MS,
      'the near SMS',
    );
    expect((near()?.params as Record<string, string>)['number']).toBe(String(r.body['number']));
    expect(JSON.stringify(records)).not.toContain(PHONE);
  }, 240_000);
});
