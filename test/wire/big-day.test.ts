import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/bus/paging.js';
import { topics } from '../../src/bus/topics.js';
import { defaultPolicy, epochOf, type Command, type CommandBody, type HallConfig, type TimeRange } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import { shippedSetting, startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';

const SERVER_USER = 'hallq-server';
/** Agents with no devices: they may read the hall and load its state, nothing more. */
const AGENTS = ['fresh-1', 'fresh-2', 'watch-1'];

const allDay: TimeRange[] = [{ from: '00:00', to: '24:00' }];
const services = ['A', 'B', 'C', 'D'];
const config: HallConfig = {
  id: 'big-hall',
  name: { zh: '大厅', en: 'Big hall' },
  utcOffsetMinutes: 480,
  hours: { weekly: { sun: allDay, mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay }, issuingCutoffMinutes: 0, holidays: [], workdays: [] },
  services: services.map((id) => ({ id, name: { zh: `业务${id}`, en: `Service ${id}` }, prefix: id, dailyQuota: 999, idRequired: false, avgServiceMinutes: 5 })),
  windows: Array.from({ length: 12 }, (_, i) => ({ id: i + 1, kind: 'general' as const, tiers: [services] })),
  staff: Array.from({ length: 12 }, (_, i) => ({ id: `s${i + 1}`, name: `Staff ${i + 1}` })),
  policy: defaultPolicy,
};

function clock(): () => number {
  const base = epochOf('2026-11-23', 8 * 60, 480);
  const start = Date.now();
  return () => base + (Date.now() - start);
}

/** 3,000 tickets with masked names and phones, 12 windows open, nearly all served: a very busy day. */
function bulkDay(engine: HallEngine, now: () => number): void {
  let n = 0;
  const run = (cmd: CommandBody) => {
    const r = engine.handle({ ...cmd, id: `bulk-${++n}` } as Command, now());
    if (!r.outcome.ok) throw new Error(`${cmd.type}: ${r.outcome.code}`);
  };
  for (let w = 1; w <= 12; w++) run({ type: 'OpenWindow', window: w, staffId: `s${w}` });
  for (let i = 0; i < 3000; i++) {
    run({
      type: 'IssueTicket',
      serviceId: services[i % 4]!,
      delivery: 'none',
      person: { idHash: `hash-${i.toString(36).padStart(8, '0')}-${'f'.repeat(40)}`, idMasked: '3201**********1234', nameMasked: '欧阳*娜', idValid: true, birthDate: '19800101' },
      phoneMasked: '139****5678',
    });
    // Windows keep calling (each call completes the one before), as in a real day: the queue stays short.
    if (i >= 24) run({ type: 'CallNext', window: 1 + (i % 12) });
  }
}

describe('a 3,000-ticket day over the shipped Mosquitto config (its users, ACL and packet cap)', () => {
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  const as = (user: string) => ({ username: user, password: broker.passwords.get(user) ?? '' });
  let engine: HallEngine;
  let server: MqttServer;
  const agents: AgentLink[] = [];
  const logs: LogRecord[] = [];
  const now = clock();

  beforeAll(async () => {
    broker = await startShippedHallBroker(config.id, SERVER_USER, AGENTS);
    engine = HallEngine.open(join(mkdtempSync(join(tmpdir(), 'hallq-big-day-')), 'hall.db'), config, recordingLogger(logs), now());
    bulkDay(engine, now);
    server = new MqttServer(engine, { url: broker.url, hall: config.id, clock: now, ...as(SERVER_USER), authorize: requestAuthorizer(AGENTS.map((id) => agentEntrySchema.parse({ id }))) }, recordingLogger(logs));
    await server.start();
  }, 300_000);
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await server?.stop();
    engine?.close();
    await broker?.stop();
  });

  it('the shipped broker does drop a client that sends a packet above its cap (so the test can fail)', async () => {
    const cap = Number(shippedSetting('max_packet_size'));
    expect(cap).toBeGreaterThan(DEFAULT_MAX_MESSAGE_BYTES);
    const raw = await mqtt.connectAsync(broker.lanUrl, { protocolVersion: 4, reconnectPeriod: 0, ...as('watch-1') });
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    raw.publish('hallq/v1/big-hall/junk', Buffer.alloc(cap + 1, 0x61), { qos: 0 });
    await closed;
    raw.end(true);
    // …and the day's state is far above it: a state answer in one message would be dropped.
    expect(Buffer.byteLength(JSON.stringify(engine.state))).toBeGreaterThan(cap);
  });

  it('a fresh agent joins, loads the state in parts and converges; the server is never dropped', async () => {
    const agent = new AgentLink({ url: broker.lanUrl, hall: config.id, agentId: 'fresh-1', ...as('fresh-1'), requestTimeoutMs: 5000 }, recordingLogger(logs));
    agents.push(agent);
    await agent.start();
    await agent.catchUp();
    expect(agent.replica.seq).toBe(engine.state.seq);
    expect(agent.replica.state).toEqual(JSON.parse(JSON.stringify(engine.state)));
    expect(Object.keys(agent.replica.state.tickets)).toHaveLength(3000);

    // The hall moves on while a second agent joins: it converges too, and both follow live events.
    const second = new AgentLink({ url: broker.lanUrl, hall: config.id, agentId: 'fresh-2', ...as('fresh-2'), requestTimeoutMs: 5000 }, recordingLogger(logs));
    agents.push(second);
    await second.start();
    const joining = second.catchUp();
    for (let w = 1; w <= 12; w++) server.run({ id: `live-${w}`, type: 'CallNext', window: w });
    await joining;
    await Promise.all([agent.reach(engine.state.seq), second.reach(engine.state.seq)]);
    expect(second.replica.state).toEqual(JSON.parse(JSON.stringify(engine.state)));
    expect(agent.replica.state).toEqual(JSON.parse(JSON.stringify(engine.state)));

    // An agent that was away catches up through events pages (by bytes), not a state load.
    const gapStart = engine.state.seq;
    await agent.stop();
    for (let i = 0; i < 300; i++) {
      server.run({ id: `late-${i}`, type: 'IssueTicket', serviceId: services[i % 4]!, delivery: 'none', person: { idHash: `late-${i}-${'e'.repeat(40)}`, idMasked: '3201**********1234', nameMasked: '欧阳*娜', idValid: true } });
      server.run({ id: `late-call-${i}`, type: 'CallNext', window: 1 + (i % 12) });
    }
    const back = new AgentLink({ url: broker.lanUrl, hall: config.id, agentId: 'fresh-1', ...as('fresh-1'), requestTimeoutMs: 5000 }, recordingLogger(logs));
    agents.push(back);
    back.replica.load(JSON.parse(JSON.stringify(second.replica.state)));
    expect(back.replica.seq).toBeLessThanOrEqual(gapStart + 12);
    await back.start();
    await back.catchUp();
    expect(back.replica.state).toEqual(JSON.parse(JSON.stringify(engine.state)));

    expect(server.metrics.connected).toBe(true);
    expect(server.metrics.reconnects).toBe(0);
    expect(server.metrics.oversized).toBe(0);
    expect(broker.log()).not.toMatch(new RegExp(`Client ${SERVER_USER} (disconnected|closed its connection)`));
    expect(logs.filter((l) => l.level === 'warn' || l.level === 'error').map((l) => l.msg)).toEqual([]);
  }, 300_000);

  it('retained window and queue state are below the cap', async () => {
    const sizes: number[] = [];
    const t = topics(config.id);
    const c = await mqtt.connectAsync(broker.lanUrl, { protocolVersion: 4, ...as('watch-1') });
    const got = new Promise<void>((resolve) => {
      c.on('message', (_topic, payload) => {
        sizes.push(payload.length);
        if (sizes.length === 13) resolve();
      });
    });
    await c.subscribeAsync([t.windowStateAll, t.queueState], { qos: 1 });
    await got;
    await c.endAsync();
    for (const s of sizes) expect(s).toBeLessThanOrEqual(DEFAULT_MAX_MESSAGE_BYTES);
  });
});
