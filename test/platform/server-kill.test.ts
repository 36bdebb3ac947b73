import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessHall } from '../faults/daemon-process.js';
import { cliAuth } from '../wire/server-process.js';
import { FakePlatform } from './fake-platform.js';
import { SECRET } from './rig.js';

/**
 * `hallq server` as a real process, SIGKILLed while the platform holds a request it has stored but not
 * answered; restarted, it sends that event again (the platform keeps the first copy) and everything
 * issued before and after the kill reaches the platform exactly once by key.
 */
describe('platform export across a SIGKILL of the server', () => {
  let hall: ProcessHall | undefined;
  let fake: FakePlatform | undefined;
  afterAll(async () => {
    await hall?.close();
    await fake?.close();
  });

  it('resends the event in flight and loses none', async () => {
    const platform = (fake = await new FakePlatform(SECRET).start());
    const h = (hall = await ProcessHall.open('platform-kill', (yaml, { dir }) => {
      writeFileSync(join(dir, 'platform.secret'), `${SECRET}\n`, { mode: 0o600 });
      return `${yaml}platform:\n  secretFile: ${join(dir, 'platform.secret')}\n  export: { url: "${platform.url}/events", backoffSeconds: 0.2, maxBackoffSeconds: 1 }\n`;
    }));
    await h.startServer();
    const issue = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await h.command({ id: `kill-${Math.random()}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
        expect(res.status).toBe(200);
      }
    };
    const f = fake;
    f.faults = ['ok', 'ok', 'ok', 'hold'];
    await issue(8);
    await f.until(() => f.heldCount === 1);
    expect(f.events.size).toBe(4);
    await h.restartServer();
    await issue(4);
    await f.until(() => f.events.size === 12);
    // The held one came twice (stored, then resent after the restart); each key is held once.
    const seqs = [...f.events.values()].map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(f.deliveries).size).toBe(12);
    expect(f.deliveries.length).toBeGreaterThanOrEqual(13);
    expect(f.badSignatures).toEqual([]);
    expect([...f.events.values()].every((e) => e.type === 'ticket.issued')).toBe(true);
    const metrics = await (await fetch(`${h.base}/metrics`, { headers: cliAuth(h.config) })).text();
    expect(metrics).toContain('hallq_platform_backlog 0\n');
    const admin = await h.get<{ export: { pending: number; delivered: number } }>('/api/admin/platform');
    expect(admin.export).toMatchObject({ pending: 0, delivered: 12 });
  }, 180_000);
});
