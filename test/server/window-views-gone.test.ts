import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { epochOf, ticketsAtGoneWindows, type HallConfig } from '../../src/core/index.js';
import { topics } from '../../src/bus/topics.js';
import { HallEngine } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { warnUncallable } from '../../src/server/uncallable-warning.js';
import { allDayHall } from '../helpers/all-day-hall.js';
import { startMosquitto } from '../helpers/mosquitto.js';

/**
 * The tryout: window 6 taken out of the config (a reload) kept its retained `state/window/6` on the
 * broker for good, open with B044 called, and a screen subscribed to `state/window/+` showed a phantom
 * window; after a restart too. Now the server clears a removed window's view at the reload and, for one
 * removed while it was down, at its connect; and warns of tickets called at a removed window.
 * Real Mosquitto; the retained views read by a fresh subscriber, as a third-party screen would.
 */
const dir = mkdtempSync(join(tmpdir(), 'hallq-views-gone-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = epochOf('2026-11-23', 600, 480);
const full = allDayHall('gone-hall', { zh: '测试大厅', en: 'Test hall' }, 4);
const without = (config: HallConfig, window: number): HallConfig => ({ ...config, windows: config.windows.filter((w) => w.id !== window) });
const T = topics(full.id);

/** The retained window views a new subscriber gets: window → view (an empty retained message is none). */
async function retainedViews(url: string): Promise<Map<number, Record<string, unknown>>> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `reader-${Math.random()}`, clean: true });
  const views = new Map<number, Record<string, unknown>>();
  try {
    client.on('message', (topic, payload, packet) => {
      const w = /\/state\/window\/(\d+)$/.exec(topic)?.[1];
      if (w !== undefined && packet.retain && payload.length > 0) views.set(Number(w), JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await client.subscribeAsync(T.windowStateAll, { qos: 1 });
    // The server's status after the views: a round trip through the broker that comes after every retained message above.
    await client.subscribeAsync(T.serverStatus, { qos: 1 });
  } finally {
    await client.endAsync();
  }
  return views;
}

/** Waits until `check` holds for the views a fresh subscriber gets (each try a new subscription), bounded. */
async function viewsUntil(url: string, check: (v: Map<number, Record<string, unknown>>) => boolean, what: string): Promise<Map<number, Record<string, unknown>>> {
  const until = Date.now() + 10_000;
  for (;;) {
    const v = await retainedViews(url);
    if (check(v)) return v;
    if (Date.now() > until) throw new Error(`${what}: not within 10 s; views ${JSON.stringify([...v])}`);
  }
}

describe('retained views of windows taken out of the config', () => {
  it('are cleared at a reload and at the start after one made while the server was down; tickets called at them warned of', async () => {
    const broker = await startMosquitto();
    const db = join(dir, 'hall.db');
    let engine = HallEngine.open(db, full, silentLogger, BASE);
    let server = new MqttServer(engine, { url: broker.url, hall: full.id, clock: () => BASE, authorize: (_c, request) => ({ ok: true, request }) }, silentLogger);
    try {
      await server.start();
      for (const w of [3, 4]) server.run({ id: `open-${w}`, type: 'OpenWindow', window: w, staffId: `s${w}` });
      const issued = server.run({ id: 'issue-1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
      expect(issued.ok).toBe(true);
      server.run({ id: 'call-4', type: 'CallNext', window: 4 });
      await viewsUntil(broker.url, (v) => [1, 2, 3, 4].every((w) => v.has(w)) && v.get(4)?.current !== undefined, 'four windows, a ticket called at 4');

      // A reload without window 4: its view cleared; the ticket called there warned of (by number only).
      const records: LogRecord[] = [];
      server.run({ id: 'reload-1', type: 'Configure', config: without(full, 4), source: 'system' });
      warnUncallable(engine.state, recordingLogger(records));
      const called = [{ window: 4, status: 'called', number: 'A001' }];
      expect(ticketsAtGoneWindows(engine.state)).toEqual(called);
      expect(records.find((r) => r.msg?.startsWith('tickets called at windows no longer in the config'))?.obj).toEqual({ tickets: called });
      const afterReload = await viewsUntil(broker.url, (v) => !v.has(4), 'window 4 cleared at the reload');
      expect([...afterReload.keys()].sort()).toEqual([1, 2, 3]);

      // Window 3 taken out while the server is down: the next start clears what the broker kept for it.
      await server.stop();
      engine.close();
      engine = HallEngine.open(db, without(without(full, 4), 3), silentLogger, BASE + 60_000);
      server = new MqttServer(engine, { url: broker.url, hall: full.id, clock: () => BASE + 60_000, authorize: (_c, request) => ({ ok: true, request }) }, silentLogger);
      await server.start();
      const afterRestart = await viewsUntil(broker.url, (v) => !v.has(3), 'window 3 cleared at the start');
      expect([...afterRestart.keys()].sort()).toEqual([1, 2]);
      // Window 3 was open with nothing called: nothing to warn of there; A001 still called at window 4.
      expect(ticketsAtGoneWindows(engine.state)).toEqual([{ window: 4, status: 'called', number: 'A001' }]);
    } finally {
      await server.stop();
      engine.close();
      await broker.stop();
    }
  }, 60_000);
});
