import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { openCredentials } from '../../src/server/auth/credentials.js';
import type { HallEvent } from '../../src/core/index.js';
import { PIN, httpRig, type HttpRig } from './rig.js';

/**
 * Staff sessions across a restart of the server (issue 12's tryout, finding 1: sessions lived in memory,
 * so a restart left the windows of staff signed in through the web open with nobody signed in and
 * attendance counting): they are kept in the hall database, go on working after the restart, end at the
 * start when they expired meanwhile, and end when the config no longer allows them.
 */

const json = { 'content-type': 'application/json' };
const attendance = (events: HallEvent[]) => events.filter((e) => e.type === 'StaffSignedIn' || e.type === 'StaffSignedOut' || e.type === 'WindowClosed').map((e) => `${e.type}${'window' in e ? `@${e.window}` : ''}${'staffId' in e ? `:${e.staffId}` : ''}`);

describe('staff sessions across a restart of the server', () => {
  const rigs: HttpRig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.close();
  });
  const start = async (opts: Parameters<typeof httpRig>[0] = {}) => {
    const r = await httpRig(opts);
    rigs.push(r);
    return r;
  };
  const stop = async (r: HttpRig) => {
    rigs.splice(rigs.indexOf(r), 1);
    await r.close();
  };

  it('keeps a staff member signed in at their window: the same cookie acts there after the restart', async () => {
    const first = await start();
    const cookie = await first.signIn('s03', PIN['s03']!, 3);
    const { expiresAt } = (await first.app.inject({ url: '/api/auth/me', headers: { cookie } })).json() as { expiresAt: number };
    await stop(first);

    const second = await start({ db: first.db });
    const seq = second.engine.state.seq;
    const me = await second.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ staffId: 's03', role: 'staff', window: 3, expiresAt });
    expect(second.engine.state.windows['3']).toMatchObject({ status: 'open', staffId: 's03' });
    const pause = await second.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie }, payload: { id: 'after-restart', type: 'PauseWindow', window: 3, reason: 'x' } });
    expect(pause.json()).toMatchObject({ outcome: { ok: true } });
    // Nobody was signed out by the restart.
    expect(attendance(second.engine.eventsAfter(seq))).toEqual([]);
  });

  it('signs out at the start, closing the window, a session that expired while the server was down; its attendance ends at the expiry', async () => {
    const first = await start();
    const cookie = await first.signIn('s05', PIN['s05']!, 5);
    const other = await first.signIn('s01', PIN['s01']!, 1);
    const expiries = await Promise.all([cookie, other].map(async (c) => ((await first.app.inject({ url: '/api/auth/me', headers: { cookie: c } })).json() as { expiresAt: number }).expiresAt));
    const seq = first.engine.state.seq;
    await stop(first);

    // Down for 13 hours (the sessions last 12): past both sessions' expiry, s05's first.
    const second = await start({ db: first.db, clockOffsetMs: 13 * 3600_000 });
    const after = second.engine.eventsAfter(seq);
    expect(attendance(after)).toEqual(['StaffSignedOut@5:s05', 'WindowClosed@5', 'StaffSignedOut@1:s01', 'WindowClosed@1']);
    expect(second.engine.state.windows['5']?.status).toBe('closed');
    for (const cookie2 of [cookie, other]) expect((await second.app.inject({ url: '/api/auth/me', headers: { cookie: cookie2 } })).statusCode).toBe(401);
    // The sign-outs say when the sessions ended, and the attendance report counts 12 hours each, not 13.
    const outs = after.filter((e) => e.type === 'StaffSignedOut');
    expect(outs.map((e) => ('endedAt' in e ? e.endedAt : undefined))).toEqual(expiries);
    const report = await second.app.inject({ url: '/api/reports?from=2026-11-23&to=2026-11-23', headers: { authorization: `Bearer ${second.cliToken}` } });
    expect(report.statusCode, report.body).toBe(200);
    const staff = (report.json() as { groups: { staff: { key: string; signedInMin: number }[] } }).groups.staff;
    for (const id of ['s05', 's01']) expect(staff.find((r) => r.key === id)?.signedInMin).toBeCloseTo(720, 0);
  });

  it('ends at the start the session of a staff member whose role changed in the config', async () => {
    const first = await start();
    const promoted = await first.signIn('s03', PIN['s03']!, 3);
    const stays = await first.signIn('s01', PIN['s01']!, 1);
    const seq = first.engine.state.seq;
    await stop(first);

    const second = await start({
      db: first.db,
      // s03 is a manager now: the session signed in as staff is not theirs to keep.
      config: (c) => ({ ...c, staff: c.staff.map((s) => (s.id === 's03' ? { ...s, role: 'manager' } : s)) }),
    });
    expect((await second.app.inject({ url: '/api/auth/me', headers: { cookie: promoted } })).statusCode).toBe(401);
    expect(attendance(second.engine.eventsAfter(seq))).toEqual(['StaffSignedOut@3:s03', 'WindowClosed@3']);
    expect((await second.app.inject({ url: '/api/auth/me', headers: { cookie: stays } })).json()).toMatchObject({ staffId: 's01', window: 1 });
  });

  it('closes at the start the window of a staff member no longer in the config (who cannot sign out)', async () => {
    const first = await start();
    const gone = await first.signIn('s05', PIN['s05']!, 5);
    const seq = first.engine.state.seq;
    await stop(first);
    const second = await start({ db: first.db, config: (c) => ({ ...c, staff: c.staff.filter((s) => s.id !== 's05') }) });
    expect((await second.app.inject({ url: '/api/auth/me', headers: { cookie: gone } })).statusCode).toBe(401);
    expect(second.engine.state.windows['5']?.status).toBe('closed');
    // Signed out all the same: the attendance record has its end (the reports stop counting them).
    expect(attendance(second.engine.eventsAfter(seq))).toEqual(['StaffSignedOut@5:s05', 'WindowClosed@5']);
  });

  it('ends, at the next sweep, the sessions signed in with a PIN set again or removed since (the CLI, another process)', async () => {
    const rig = await start();
    const changed = await rig.signIn('s03', PIN['s03']!, 3);
    const removed = await rig.signIn('s01', PIN['s01']!, 1);
    const kept = await rig.signIn('s05', PIN['s05']!, 5);
    const seq = rig.engine.state.seq;
    rig.advance(1000);
    // As `hallq staff passwd s03` and `hallq staff remove s01` do it: their own connection to the hall database.
    const cli = openCredentials(rig.db, silentLogger, { N: 1024, r: 8, p: 1 });
    await cli.set('s03', '4444', rig.clock());
    cli.remove('s01');
    cli.close();
    rig.sweepSessions();
    for (const cookie of [changed, removed]) expect((await rig.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await rig.app.inject({ url: '/api/auth/me', headers: { cookie: kept } })).statusCode).toBe(200);
    expect(attendance(rig.engine.eventsAfter(seq))).toEqual(['StaffSignedOut@3:s03', 'WindowClosed@3', 'StaffSignedOut@1:s01', 'WindowClosed@1']);
    // The new PIN signs in; a sweep after that leaves the new session alone.
    const again = await rig.signIn('s03', '4444', 3);
    rig.sweepSessions();
    expect((await rig.app.inject({ url: '/api/auth/me', headers: { cookie: again } })).statusCode).toBe(200);
  });

  it('keeps the session signed in again with the new PIN, and the window, when the sweep ends the old one', async () => {
    const rig = await start();
    const old = await rig.signIn('s03', PIN['s03']!, 3);
    rig.advance(1000);
    const cli = openCredentials(rig.db, silentLogger, { N: 1024, r: 8, p: 1 });
    await cli.set('s03', '4444', rig.clock());
    cli.close();
    rig.advance(1000);
    // The leaked-PIN case done right: signed in again at the window with the new PIN, before the sweep.
    const fresh = await rig.signIn('s03', '4444', 3);
    const seq = rig.engine.state.seq;
    rig.sweepSessions();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect((await rig.app.inject({ url: '/api/auth/me', headers: { cookie: old } })).statusCode).toBe(401);
    expect((await rig.app.inject({ url: '/api/auth/me', headers: { cookie: fresh } })).json()).toMatchObject({ staffId: 's03', window: 3 });
    expect(rig.engine.state.windows['3']).toMatchObject({ status: 'open', staffId: 's03' });
    expect(attendance(rig.engine.eventsAfter(seq))).toEqual([]);
  });
});
