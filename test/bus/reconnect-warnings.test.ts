/**
 * issue 13: a lost broker gives exactly one warning line per retry attempt. mqtt.js says 'error'
 * and then 'close' for one failed attempt; each used to become a line of its own (and a lost
 * connection one more), so a hall's log said everything two or three times.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger, LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { freePort } from '../helpers/mosquitto.js';

/** A logger that keeps every record and lets the test wait for one (no sleeps). */
function watchedLogger() {
  const records: LogRecord[] = [];
  const waiters: { test: (r: LogRecord) => boolean; resolve: () => void }[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at = (level: LogRecord['level']) => (obj: object, msg?: string) => {
      const r: LogRecord = { level, bindings, obj, ...(msg === undefined ? {} : { msg }) };
      records.push(r);
      for (const w of [...waiters]) if (w.test(r)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  const until = (test: (r: LogRecord) => boolean) =>
    new Promise<void>((resolve) => {
      if (records.some(test)) resolve();
      else waiters.push({ test, resolve });
    });
  return { logger: make({}), records, until };
}

const attemptOf = (r: LogRecord) => (r.obj as { attempt?: unknown }).attempt;
const warnings = (records: LogRecord[]) => records.filter((r) => r.level === 'warn' || r.level === 'error');

const links: AgentLink[] = [];
let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  for (const l of links.splice(0)) await l.stop(200);
  await broker?.close();
  broker = undefined;
});

const fast = { initialMs: 10, maxMs: 40 };

describe('one warning per broker retry', () => {
  it('a port with nothing listening: attempts 1…5 each log exactly one warning, with the socket error in it', async () => {
    const port = await freePort();
    const { logger, records, until } = watchedLogger();
    const link = new AgentLink({ url: `mqtt://127.0.0.1:${port}`, hall: 'h', agentId: 'a1', reconnect: fast }, logger);
    links.push(link);
    void link.start();
    await until((r) => attemptOf(r) === 5);
    const upTo5 = warnings(records).slice(0, warnings(records).findIndex((r) => attemptOf(r) === 5) + 1);
    // Nothing but the attempts' own lines, one each, in order.
    expect(upTo5.map(attemptOf)).toEqual([1, 2, 3, 4, 5]);
    for (const w of upTo5) {
      expect(w.msg).toBe('broker unreachable; reconnecting after backoff');
      expect(String((w.obj as { err?: unknown }).err)).toMatch(/ECONNREFUSED/);
      expect((w.obj as { url?: unknown }).url).toBe(`mqtt://127.0.0.1:${port}`);
    }
  });

  it('a broker that goes away: the first line says the connection was lost, then one line per failed attempt', async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: await freePort() });
    const { logger, records, until } = watchedLogger();
    const link = new AgentLink({ url: broker.url, hall: 'h', agentId: 'a1', reconnect: fast }, logger);
    links.push(link);
    await link.start();
    const before = warnings(records).length;
    await broker.close();
    broker = undefined;
    await until((r) => attemptOf(r) === 3);
    const after = warnings(records).slice(before);
    const upTo3 = after.slice(0, after.findIndex((r) => attemptOf(r) === 3) + 1);
    expect(upTo3.map(attemptOf)).toEqual([1, 2, 3]);
    expect(upTo3.map((w) => w.msg)).toEqual(['broker connection lost; reconnecting after backoff', 'broker unreachable; reconnecting after backoff', 'broker unreachable; reconnecting after backoff']);
  });
});
