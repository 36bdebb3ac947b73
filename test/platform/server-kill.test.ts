import type { ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { cliAuth, killHard, startServerProcess, writeConfig } from '../wire/server-process.js';
import { FakePlatform } from './fake-platform.js';
import { dirs, SECRET } from './rig.js';

/**
 * `hallq server` as a real process, SIGKILLed while the platform holds a request it has stored but not
 * answered; restarted, it sends that event again (the platform keeps the first copy) and everything
 * issued before and after the kill reaches the platform exactly once by key.
 */
describe('platform export across a SIGKILL of the server', () => {
  let broker: Broker | undefined;
  let fake: FakePlatform | undefined;
  let server: ChildProcess | undefined;
  afterAll(async () => {
    if (server && server.exitCode === null) await killHard(server);
    await fake?.close();
    await broker?.stop();
    dirs.cleanup();
  });

  it('resends the event in flight and loses none', async () => {
    broker = await startMosquitto();
    fake = await new FakePlatform(SECRET).start();
    const dir = dirs.make();
    const httpPort = await freePort();
    const config = writeConfig(dir, broker.url, httpPort);
    writeFileSync(join(dir, 'platform.secret'), `${SECRET}\n`, { mode: 0o600 });
    appendFileSync(config, `platform:\n  secretFile: ${join(dir, 'platform.secret')}\n  export: { url: "${fake.url}/events", backoffSeconds: 0.2, maxBackoffSeconds: 1 }\n`);
    server = await startServerProcess(config);
    const issue = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...cliAuth(config) }, body: JSON.stringify({ id: `kill-${Math.random()}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none' }) });
        expect(res.status).toBe(200);
      }
    };
    const f = fake;
    f.faults = ['ok', 'ok', 'ok', 'hold'];
    await issue(8);
    await f.until(() => f.heldCount === 1);
    expect(f.events.size).toBe(4);
    await killHard(server);
    server = await startServerProcess(config);
    await issue(4);
    await f.until(() => f.events.size === 12);
    // The held one came twice (stored, then resent after the restart); each key is held once.
    const seqs = [...f.events.values()].map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(f.deliveries).size).toBe(12);
    expect(f.deliveries.length).toBeGreaterThanOrEqual(13);
    expect(f.badSignatures).toEqual([]);
    expect([...f.events.values()].every((e) => e.type === 'ticket.issued')).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`, { headers: cliAuth(config) })).text();
    expect(metrics).toContain('hallq_platform_backlog 0\n');
    const admin = (await (await fetch(`http://127.0.0.1:${httpPort}/api/admin/platform`, { headers: cliAuth(config) })).json()) as { export: { pending: number; delivered: number } };
    expect(admin.export).toMatchObject({ pending: 0, delivered: 12 });
  }, 180_000);
});
