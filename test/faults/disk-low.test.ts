import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAllDayHallYaml } from '../helpers/all-day-hall-yaml.js';
import { startReady, type Daemon } from '../helpers/hallq-process.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { smallDisk } from '../helpers/small-disk.js';
import { cliAuth } from '../wire/server-process.js';

/**
 * A disk that fills while the hall is quiet (the evening; something else wrote it full). /readyz said
 * ready until the first command failed on it. Now the server and the agent (its island outbox on the same
 * disk) say 503 `disk-low` with the free bytes as soon as the free space is below the threshold, /metrics
 * says so, each logs the episode once however often it is asked, and both are ready again once space is
 * freed and an append works. Real processes, a real 8 MB tmpfs (root, as the hall box's installer runs).
 */
const disk = smallDisk('disk-low', 8);

interface Readyz {
  ok: boolean;
  status: string;
  disk?: { freeBytes: number; lowBytes: number };
}

describe.skipIf(!disk.mounted)('a disk that fills under a quiet hall', () => {
  let broker: Broker;
  let server: Daemon;
  let agent: Daemon;
  let config: string;
  let base: string;
  let agentBase: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    const httpPort = await freePort();
    const kioskPort = await freePort();
    const healthPort = await freePort();
    base = `http://127.0.0.1:${httpPort}`;
    agentBase = `http://127.0.0.1:${healthPort}`;
    config = writeAllDayHallYaml({
      dir: disk.dir,
      id: 'disk-hall',
      name: { zh: '磁盘大厅', en: 'Disk hall' },
      windows: 1,
      agents: [`{ id: kiosk-1, kiosk: { port: ${kioskPort} } }`],
      brokerUrl: broker.url,
      httpPort,
      // 1 MB of the 8: the server's few hundred kB and the agent's island file leave it ready at the start.
      // A tick of an hour: no append of the clock's runs into the full disk (the test asks only readiness).
      extra: `  diskLowMegabytes: 1
  tickSeconds: 3600
agent: { id: kiosk-1, mqtt: { url: "${broker.url}" }, health: { host: 127.0.0.1, port: ${healthPort} }, diskLowMegabytes: 1 }
island: { outbox: ${join(disk.dir, 'island.db')} }
`,
    });
    server = await startReady('server', config);
    agent = await startReady('agent', config);
  }, 120_000);

  afterAll(async () => {
    // Every file on the tmpfs closed before it is unmounted.
    await agent?.kill();
    await server?.kill();
    await broker?.stop();
    disk.unmount();
  });

  const readyz = async (at: string) => {
    const r = await fetch(`${at}/readyz`);
    return { code: r.status, body: (await r.json()) as Readyz };
  };
  const metrics = async (at: string, headers: Record<string, string> = {}) => (await fetch(`${at}/metrics`, { headers })).text();
  const count = (d: Daemon, text: string) => d.output().split(text).length - 1;

  it('says disk-low (503, with the free bytes) in both /readyz and /metrics before any append fails, logs it once, and is ready again once space is freed and an append works', async () => {
    for (const at of [base, agentBase]) {
      const before = await readyz(at);
      expect(before.code).toBe(200);
      expect(before.body.status).toBe('ready');
      expect(before.body.disk?.lowBytes).toBe(1024 * 1024);
      expect(before.body.disk?.freeBytes).toBeGreaterThan(1024 * 1024);
    }

    disk.fill();
    for (let i = 0; i < 3; i++) {
      for (const at of [base, agentBase]) {
        const low = await readyz(at);
        expect(low.code).toBe(503);
        expect(low.body).toMatchObject({ ok: false, status: 'disk-low', disk: { lowBytes: 1024 * 1024 } });
        expect(low.body.disk?.freeBytes).toBeLessThan(1024 * 1024);
      }
    }
    // No command failed: this is the warning before, not the failure.
    expect((await readyz(base)).body).toMatchObject({ log: 'open' });
    expect(await metrics(base, cliAuth(config))).toMatch(/^hallq_disk_low\{store="event-log"\} 1$/m);
    expect(await metrics(agentBase)).toMatch(/^hallq_disk_low\{store="agent"\} 1$/m);
    await server.says('disk space low');
    await agent.says('disk space low');

    disk.free();
    const issued = await fetch(`${base}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...cliAuth(config) }, body: JSON.stringify({ id: 'after-free', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }) });
    expect(issued.status).toBe(200);
    for (const at of [base, agentBase]) {
      const back = await readyz(at);
      expect(back.code).toBe(200);
      expect(back.body.status).toBe('ready');
    }
    expect(await metrics(base, cliAuth(config))).toMatch(/^hallq_disk_low\{store="event-log"\} 0$/m);
    // The line of the episode's end comes after every line of the episode: then the counts are whole.
    await server.says('disk space back');
    await agent.says('disk space back');
    for (const d of [server, agent]) {
      expect(count(d, 'disk space low')).toBe(1);
      expect(count(d, 'disk space back')).toBe(1);
    }
    expect(server.output()).toMatch(/"key":"server\.diskLowMegabytes"/);
    expect(agent.output()).toMatch(/"key":"agent\.diskLowMegabytes"/);
  });
});
