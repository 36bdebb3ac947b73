/**
 * The tryout: a fresh server's retained `state/queue` said `"day":""` until its first tick (tickSeconds
 * later) or the first command. A log whose first day has not started yet is now said to be in the hall's
 * day at the server's clock (core queueView's `now`), in the retained view and in GET /api/queue.
 * Real Mosquitto; the view read by a fresh subscriber, as a third-party screen would.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { localTime } from '../../src/core/index.js';
import { topics } from '../../src/bus/topics.js';
import { validateConfig } from '../../src/config/load.js';
import { startServerFrom } from '../../src/server/main.js';
import { startMosquitto } from '../helpers/mosquitto.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-first-day-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first retained `state/queue` a fresh subscriber gets with a day in it, bounded (the server's connect may come after ours). */
async function retainedDay(url: string, topic: string): Promise<string> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `reader-${process.pid}`, clean: true });
  try {
    const day = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no retained state/queue within 10 s')), 10_000);
      client.on('message', (_t, payload) => {
        clearTimeout(timer);
        resolve(String((JSON.parse(payload.toString()) as { day?: unknown }).day));
      });
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return await day;
  } finally {
    await client.endAsync();
  }
}

describe('a fresh server', () => {
  it("says the hall's day at once: the first retained queue view says today, not ''", async () => {
    const broker = await startMosquitto();
    const doc = parseDocument(readFileSync('config/demo.yaml', 'utf8')).toJS() as Record<string, unknown>;
    // A tick far off (an hour): only the start's own tick can start the day within this test.
    doc['server'] = { database: join(dir, 'hall.db'), http: { host: '127.0.0.1', port: 0 }, mqtt: { url: broker.url }, tickSeconds: 3600 };
    const r = validateConfig(doc);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const now = Date.now();
    const server = await startServerFrom(r.config, () => now, silentLogger);
    try {
      const today = localTime(now, r.config.hall.utcOffsetMinutes).day;
      // No command has run: the day has not started in the log, yet the view names it.
      expect(server.engine.state.day).toBe('');
      expect(await retainedDay(broker.url, topics(r.config.hall.id).queueState)).toBe(today);
    } finally {
      await server.stop();
      await broker.stop();
    }
  }, 60_000);
});
