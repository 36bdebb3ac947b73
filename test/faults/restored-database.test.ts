/**
 * The tryout: the server stopped, its `hall.db` restored from a backup (or replaced by a fresh one) and
 * started again, while the agent ran on. The agent's replica stayed at the newer seq and dropped every
 * event of the restored server as a repeat: a fire evacuation notice never reached the kiosk, its
 * /readyz said ready and it logged nothing. Now the server's status names the event at its seq
 * (`head`) and the agent tells another history from its own (a server gone back, an event at a seq it
 * passed that is not the one it applied, a catch-up that does not join), and the server's state
 * replaces its copy.
 *
 * Real processes (`hallq server`, `hallq agent` with its kiosk page), real Mosquitto; the kiosk's own
 * answer (/kiosk/api/info, from the agent's replica) is what is checked, as the tryout saw it.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAuth } from '../wire/server-process.js';
import { ProcessHall, within } from './daemon-process.js';

/** The README's backup of a stopped server: the database and its key files (those this hall has). */
const KEYS = ['hall.db', 'hall.db.sms-key', 'hall.db.status-key', 'hall.db.rating-key'];

describe('the server restarted on a restored or replaced database, the agent running on', () => {
  let hall: ProcessHall | undefined;
  afterAll(async () => {
    await hall?.close();
  });

  it('the agent takes the server state of the other history: the emergency raised after it reaches the kiosk', async () => {
    hall = await ProcessHall.open('restored-db');
    const h = hall;
    await h.startServer();
    await h.startAgent();
    const kioskInfo = async () => (await (await fetch(`http://127.0.0.1:${h.kioskPort}/kiosk/api/info`)).json()) as { emergency: { text?: string } | null };
    /** Waits (bounded) until the kiosk shows a notice or none: each answer is the agent's replica now. */
    const kioskShows = async (notice: boolean, what: string) => {
      const until = Date.now() + 15_000;
      for (;;) {
        if (((await kioskInfo()).emergency !== null) === notice) return;
        if (Date.now() > until) throw new Error(`${what}: the kiosk did not ${notice ? 'show' : 'drop'} the notice within 15 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let n = 0;
    const command = async (body: Record<string, unknown>) => {
      const res = await h.command({ id: `t-${++n}`, ...body });
      expect(res.status, JSON.stringify(body)).toBe(200);
    };
    const raise = () => fetch(`${h.base}/api/emergency`, { method: 'POST', headers: { 'content-type': 'application/json', ...cliAuth(h.config) }, body: JSON.stringify({ preset: 'fire' }) });
    const clear = () => h.command({ id: `clear-${++n}`, type: 'ClearEmergency' });
    const stopServer = async () => {
      h.server?.child.kill('SIGTERM');
      await h.server?.exited;
    };
    const issue = async (count: number) => {
      for (let i = 0; i < count; i++) await command({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    };

    // History A: a window open, tickets; then a clean stop and a backup (the README's: hall.db and its keys).
    await command({ type: 'OpenWindow', window: 1, staffId: 's1' });
    await issue(10);
    await stopServer();
    const backup = join(h.dir, 'backup');
    mkdirSync(backup);
    const kept = KEYS.filter((f) => existsSync(join(h.dir, f)));
    expect(kept).toContain('hall.db');
    for (const f of kept) copyFileSync(join(h.dir, f), join(backup, f));

    // The hall goes on past the backup; the agent follows it (a notice raised and cleared reaches the kiosk).
    await h.startServer();
    await issue(30);
    expect((await raise()).status).toBe(200);
    await kioskShows(true, 'history A, raised');
    expect((await clear()).status).toBe(200);
    await kioskShows(false, 'history A, cleared');
    const newer = (await h.state()).seq;

    // 1. The backup restored (its history a prefix of the agent's), the server started again: a notice now reaches the kiosk.
    await stopServer();
    for (const f of ['hall.db-wal', 'hall.db-shm']) rmSync(join(h.dir, f), { force: true });
    for (const f of kept) copyFileSync(join(backup, f), join(h.dir, f));
    const from = h.agent?.output().length ?? 0;
    await h.startServer();
    const restored = (await h.state()).seq;
    expect(restored).toBeLessThan(newer);
    expect((await raise()).status).toBe(200);
    await kioskShows(true, 'restored backup, raised');
    await within(h.agent?.says("the server's event log is not the history this agent holds", from) ?? Promise.reject(new Error('no agent')), 15_000, 'the agent says so');
    expect((await clear()).status).toBe(200);
    await kioskShows(false, 'restored backup, cleared');

    // 2. A fresh database in its place (a replacement box), run past the agent's seq before the broker
    //    link is back (the broker down meanwhile): the agent's catch-up does not join, it takes the state.
    //    The notice raised in the old history is in no event of the new one: applied on top of the old
    //    state, the new history's events would leave it on the kiosk for good.
    expect((await raise()).status).toBe(200);
    await kioskShows(true, 'restored backup, raised again');
    await stopServer();
    await h.broker.stop();
    for (const f of ['hall.db', 'hall.db-wal', 'hall.db-shm', 'hall.db.snapshots', 'hall.db.snapshots-wal', 'hall.db.snapshots-shm']) rmSync(join(h.dir, f), { force: true });
    await h.startServer();
    await command({ type: 'OpenWindow', window: 1, staffId: 's1' });
    const agentSeq = Math.max(newer, restored) + 10;
    while ((await h.state()).seq < agentSeq) await issue(10);
    await h.broker.restart();
    await kioskShows(false, 'fresh database past the agent, no notice in it');
  }, 180_000);
});
