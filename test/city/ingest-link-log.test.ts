import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CityIngest } from '../../src/city/ingest.js';
import type { CityStore } from '../../src/city/store.js';
import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import { brokerPerTest } from './ingest-rig.js';

/** What the city service logs about its own link to the cluster: a loss (warning, with the reason), the return (info), a refused login (error, once per retry). */
const store = { ensureHalls: async () => undefined, lastSeqs: async () => new Map<string, number>(), hallStatus: async () => undefined } as unknown as CityStore;

function recorder() {
  const lines: { level: string; msg: string; o: Record<string, unknown> }[] = [];
  const waiters: (() => void)[] = [];
  const at = (level: string) => (o: unknown, msg?: string) => {
    lines.push({ level, msg: String(msg), o: (o ?? {}) as Record<string, unknown> });
    waiters.splice(0).forEach((w) => w());
  };
  const logger: Logger = { ...silentLogger, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger } as Logger;
  const until = (ok: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (ok() ? resolve() : waiters.push(check));
      check();
    });
  return { logger, lines, until };
}

const rig0 = brokerPerTest();

describe("the city service's own link", () => {
  it('warns when the connection is lost and says when it is back', async () => {
    const broker = await rig0.start();
    const { logger, lines, until } = recorder();
    const ingest = new CityIngest(store, { urls: [broker.url], username: 'city', clientId: `city-${Math.random()}`, halls: ['h1'], catchUpTimeoutMs: 300, catchUpGraceMs: 100, clock: Date.now }, logger);
    await ingest.start();
    rig0.closeLater(() => ingest.stop());
    expect(lines.filter((l) => l.level === 'info' && l.msg === 'connected to the city broker')).toHaveLength(1);
    await broker.stop();
    await until(() => lines.some((l) => l.level === 'warn' && l.msg.startsWith('lost the connection')));
    expect(ingest.connected).toBe(false);
    await broker.restart();
    await until(() => lines.some((l) => l.level === 'info' && l.msg === 'reconnected to the city broker'));
    expect(lines.filter((l) => l.level === 'warn' && l.msg.startsWith('lost the connection'))).toHaveLength(1);
    expect(ingest.connected).toBe(true);
  });

  it('logs a refused login as an error once per retry, the delay doubling', async () => {
    // A broker that refuses every login: CONNACK return code 5, "Not authorized".
    const server = net.createServer((s) => {
      s.on('data', (d) => {
        if ((d[0] ?? 0) >> 4 === 1) s.end(Buffer.from([0x20, 0x02, 0x00, 0x05]));
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    rig0.closeLater(() => new Promise((r) => server.close(r)));
    const { logger, lines, until } = recorder();
    const ingest = new CityIngest(store, { urls: [`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`], username: 'city', clientId: 'city-test-auth', halls: ['h1'], catchUpTimeoutMs: 300, catchUpGraceMs: 100, clock: Date.now }, logger);
    void ingest.start();
    rig0.closeLater(() => ingest.stop());
    const errors = () => lines.filter((l) => l.level === 'error');
    await until(() => errors().length >= 2);
    expect(errors().map((l) => l.o.retryInMs)).toEqual([1000, 2000]);
    expect(errors()[0]?.msg).toMatch(/refused the login \(Not authorized\)/);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
