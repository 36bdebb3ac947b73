import { mkdtempSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { epochOf, type HallConfig } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';
import { HallEngine } from '../../src/server/engine.js';
import { startHttp } from '../../src/server/http.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import { agentEntrySchema, type AgentEntry } from '../../src/config/schema.js';

export const wireConfig: HallConfig = allDayHall('wire-hall', { zh: '联调大厅', en: 'Wire test hall' }, 10);

/** The wire hall's own part of a hall file (hall, hours, services, windows, staff), spread into a test's agent or server config. */
export function wireHallFile() {
  const { id, name, utcOffsetMinutes, hours, services, windows, staff } = wireConfig;
  return { hall: { id, name, utcOffsetMinutes }, hours, services, windows, staff };
}

const line = (windows: number[]) => ({ path: '/dev/hallq/rs485-0', keypads: windows.map((window) => ({ window, address: window })) });
/**
 * The wire hall's agents, as the server authorizes them: kiosk-1 has a kiosk and the caller and
 * rating keypads of the even windows, caller-1 a kiosk and those of the odd windows, kiosk-2 a kiosk only.
 */
export const wireAgents: AgentEntry[] = [
  agentEntrySchema.parse({ id: 'kiosk-1', kiosk: {}, devices: { rs485: [line([2, 4, 6, 8, 10])] } }),
  agentEntrySchema.parse({ id: 'caller-1', kiosk: {}, devices: { rs485: [line([1, 3, 5, 7, 9])] } }),
  agentEntrySchema.parse({ id: 'kiosk-2', kiosk: {} }),
];

/** A fixed Monday 10:00 in the hall, advancing with real time, so no test runs into a day rollover. */
export function hallClock(): () => number {
  const base = epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  return () => base + (Date.now() - start);
}

const cliTokens = new Map<string, string>();

export interface ServerRig {
  engine: HallEngine;
  mqtt: MqttServer;
  http: http.Server;
  baseUrl: string;
  logs: LogRecord[];
  stop(): Promise<void>;
}

/** Broker credentials of one client (absent: an anonymous broker). */
export interface Credentials {
  username: string;
  password: string;
}

export async function startServer(url: string, dbPath: string, clock: () => number, logs: LogRecord[] = [], o: { agents?: AgentEntry[]; credentials?: Credentials } = {}): Promise<ServerRig> {
  const logger = recordingLogger(logs);
  const engine = HallEngine.open(dbPath, wireConfig, logger, clock());
  const mqtt = new MqttServer(engine, { url, hall: wireConfig.id, clock, authorize: requestAuthorizer(o.agents ?? wireAgents), ...o.credentials }, logger);
  await mqtt.start();
  const server = await startHttp(engine, mqtt, { host: '127.0.0.1', port: 0, clock }, logger);
  const port = (server.address() as AddressInfo).port;
  // issue 9: commands over HTTP need a session or the CLI token (written next to the database).
  cliTokens.set(`http://127.0.0.1:${port}`, readFileSync(`${dbPath}.cli-token`, 'utf8').trim());
  return {
    engine,
    mqtt,
    http: server,
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    stop: async () => {
      await mqtt.stop();
      await new Promise<void>((r) => server.close(() => r()));
      engine.close();
    },
  };
}

export async function startAgent(url: string, agentId: string, logs: LogRecord[] = [], credentials?: Credentials): Promise<AgentLink> {
  const link = new AgentLink({ url, hall: wireConfig.id, agentId, requestTimeoutMs: 1500, ...credentials }, recordingLogger(logs));
  await link.start();
  await link.catchUp();
  return link;
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'hallq-wire-')), 'hall.db');
}

export async function postCommand(baseUrl: string, command: unknown): Promise<{ status: number; body: { outcome?: { ok: boolean; ticketId?: string }; error?: { code: string } } }> {
  const token = cliTokens.get(baseUrl);
  const res = await fetch(`${baseUrl}/api/commands`, { method: 'POST', body: JSON.stringify(command), headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  return { status: res.status, body: (await res.json()) as never };
}

export interface HallRig {
  brokerUrl: string;
  server: ServerRig;
  agents: AgentLink[];
}

/**
 * beforeAll/afterAll for a broker, a server and two agents. `rig()` gives the live parts (the
 * server object is replaced if a test restarts it).
 */
export function useHallRig(start: () => Promise<{ url: string; close(): Promise<void> }>, hooks: { beforeAll: (fn: () => Promise<void>) => void; afterAll: (fn: () => Promise<void>) => void }) {
  let broker: { url: string; close(): Promise<void> } | undefined;
  const parts: Partial<HallRig> = {};
  hooks.beforeAll(async () => {
    broker = await start();
    parts.brokerUrl = broker.url;
    parts.server = await startServer(broker.url, tempDb(), hallClock());
    parts.agents = [await startAgent(broker.url, 'kiosk-1'), await startAgent(broker.url, 'caller-1')];
  });
  hooks.afterAll(async () => {
    for (const a of parts.agents ?? []) await a.stop();
    await parts.server?.stop();
    await broker?.close();
  });
  return () => parts as HallRig;
}
