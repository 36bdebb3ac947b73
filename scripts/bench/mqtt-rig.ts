/**
 * A hall server on a real Mosquitto for the command benchmarks and the profile: the real HallEngine
 * (SQLite, synchronous=FULL) behind the real MqttServer, and a request client that pipelines commands
 * (mqtt-load-client.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../drivers/common/logger.js';
import { defaultPolicy, epochOf, type Command, type HallConfig, type TimeRange } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { startMosquitto, type Broker } from '../../test/helpers/mosquitto.js';
import { connectLoadClient } from './mqtt-load-client.js';

const allDay: TimeRange[] = [{ from: '00:00', to: '24:00' }];
const services = ['A', 'B', 'C', 'D', 'E', 'F'];

/** Six services, twelve windows in three pools (two tiers each), open all day. */
export const benchConfig: HallConfig = {
  id: 'bench-hall',
  name: { zh: '压测大厅', en: 'Bench hall' },
  utcOffsetMinutes: 480,
  hours: { weekly: { sun: allDay, mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay }, issuingCutoffMinutes: 0, holidays: [], workdays: [] },
  services: services.map((id) => ({ id, name: { zh: id, en: id }, prefix: id, dailyQuota: 9999, idRequired: false, avgServiceMinutes: 5 })),
  windows: Array.from({ length: 12 }, (_, i) => {
    const k = i % 3;
    return { id: i + 1, kind: 'general' as const, tiers: [[services[2 * k] ?? 'A', services[2 * k + 1] ?? 'B'], services.filter((_, j) => j !== 2 * k && j !== 2 * k + 1)] };
  }),
  staff: Array.from({ length: 12 }, (_, i) => ({ id: `s${i + 1}`, name: `Staff ${i + 1}` })),
  policy: defaultPolicy,
};

export interface Rig {
  broker: Broker;
  engine: HallEngine;
  server: MqttServer;
  /** Sends one request and resolves with its answer. */
  request(body: Record<string, unknown>): Promise<unknown>;
  /** A command body with a fresh id. */
  command(cmd: Record<string, unknown>): Promise<unknown>;
  stop(): Promise<void>;
}

/** A broker, a server on a fresh log, one client; the clock starts Monday 10:00 and runs with real time. */
export async function startRig(): Promise<Rig> {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-'));
  const base = epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  const clock = () => base + (Date.now() - start);
  const engine = HallEngine.open(join(dir, 'hall.db'), benchConfig, silentLogger, clock());
  // The bench's one client may do anything a kiosk and every caller keypad may (authorization is not what is measured).
  const server = new MqttServer(engine, { url: broker.url, hall: benchConfig.id, clock, authorize: (_client, request) => ({ ok: true, request }) }, silentLogger);
  await server.start();
  const client = await connectLoadClient(broker.url, benchConfig.id, `bench-${process.pid}`);
  return {
    broker,
    engine,
    server,
    request: client.request,
    command: client.command,
    stop: async () => {
      await client.end();
      await server.stop();
      engine.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens every window and issues `n` tickets straight into the queue (no print to confirm). */
export async function fillHall(rig: Rig, n: number): Promise<void> {
  for (const w of benchConfig.windows) await rig.command({ type: 'OpenWindow', window: w.id, staffId: `s${w.id}` });
  await Promise.all(Array.from({ length: n }, (_, i) => rig.command(issue(i))));
}

export function issue(i: number): Record<string, unknown> {
  return { type: 'IssueTicket', serviceId: services[i % services.length] ?? 'A', delivery: 'none', priority: i % 10 === 0 };
}

/**
 * The mixed load of issue 12: 1 issue per 5 calls (200 issues + 1,000 calls), the issues spread over
 * the six services in turn (issue(i) with i a multiple of 6 was always service A, whose 999 numbers
 * a day then ran out in the third round, and the refused issues were measured as commands).
 */
export function mixed(i: number): Record<string, unknown> {
  return i % 6 === 0 ? issue(i / 6) : { type: 'CallNext', window: (i % 12) + 1 };
}

export type { Command };
