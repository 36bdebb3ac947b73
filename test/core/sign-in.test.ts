import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, emptyState, type HallEvent } from '../../src/core/index.js';
import { Hall, hallConfig } from './fixtures.js';

/** Staff sign-in and sign-out (issue 9): attendance events, and at a window the staff member becomes its staff. */
describe('SignIn and SignOut', () => {
  it('opens a closed window for the staff member and records the attendance', () => {
    const h = new Hall();
    h.ok({ type: 'SignIn', staffId: 's3', window: 3 });
    expect(h.state.windows['3']).toMatchObject({ status: 'open', staffId: 's3' });
    expect(h.log.slice(-2).map((e) => e.type)).toEqual(['StaffSignedIn', 'WindowOpened']);
    expect(h.events('StaffSignedIn')[0]).toMatchObject({ staffId: 's3', window: 3, at: h.now });
  });

  it('takes an open window over with its current citizen, and refuses a staff member already at another window', () => {
    const h = new Hall();
    h.open(1, 's1');
    const a = h.issue('A');
    h.callNext(1);
    h.ok({ type: 'SignIn', staffId: 's5', window: 1 });
    expect(h.state.windows['1']).toMatchObject({ status: 'open', staffId: 's5', current: a });
    expect(h.events('WindowTakenOver')[0]).toMatchObject({ window: 1, staffId: 's5', previousStaffId: 's1' });
    const seq = h.state.seq;
    expect(h.run({ type: 'SignIn', staffId: 's5', window: 2 }).outcome).toMatchObject({ ok: false, code: 'staff-elsewhere' });
    expect(h.run({ type: 'SignIn', staffId: 'ghost', window: 2 }).outcome).toMatchObject({ ok: false, code: 'unknown-staff' });
    expect(h.run({ type: 'SignIn', staffId: 's2', window: 99 }).outcome).toMatchObject({ ok: false, code: 'unknown-window' });
    expect(h.events('StaffSignedIn')).toHaveLength(1);
    expect(h.state.windows['2']?.status).toBe('closed');
    expect(h.state.seq).toBeGreaterThanOrEqual(seq);
  });

  it("serves at a window under a staff member's or a manager's id, never a technician's (the security tryout)", () => {
    const c = hallConfig();
    const h = new Hall({ ...c, staff: [...c.staff, { id: 'm1', name: 'Manager', role: 'manager' }, { id: 't1', name: 'Technician', role: 'technician' }] });
    for (const cmd of [
      { type: 'OpenWindow', window: 1, staffId: 't1' },
      { type: 'TakeOver', window: 1, staffId: 't1' },
      { type: 'SignIn', window: 1, staffId: 't1' },
    ] as const) {
      expect(h.run(cmd).outcome).toMatchObject({ ok: false, code: 'staff-role', message: { en: expect.stringContaining('technician') } });
    }
    expect(h.state.windows['1']?.status ?? 'closed').toBe('closed');
    h.open(1, 's1');
    expect(h.run({ type: 'TakeOver', window: 1, staffId: 't1' }).outcome).toMatchObject({ ok: false, code: 'staff-role' });
    expect(h.state.windows['1']).toMatchObject({ staffId: 's1' });
    h.ok({ type: 'OpenWindow', window: 2, staffId: 'm1' });
    // A technician's sign-in without a window (the web pages) is attendance as before.
    h.ok({ type: 'SignIn', staffId: 't1' });
  });

  it('records a sign-in without a window (a manager) as attendance only', () => {
    const h = new Hall();
    const before = JSON.stringify(h.state.windows);
    h.ok({ type: 'SignIn', staffId: 's6' });
    expect(h.log.at(-1)).toMatchObject({ type: 'StaffSignedIn', staffId: 's6' });
    expect(JSON.stringify(h.state.windows)).toBe(before);
  });

  it('closes the window on sign-out (finishing its citizen) only if it is still theirs', () => {
    const h = new Hall();
    h.ok({ type: 'SignIn', staffId: 's1', window: 1 });
    const a = h.issue('A');
    h.callNext(1);
    h.ok({ type: 'SignOut', staffId: 's1', window: 1 });
    expect(h.log.slice(-3).map((e) => e.type)).toEqual(['StaffSignedOut', 'ServiceCompleted', 'WindowClosed']);
    expect(h.state.windows['1']?.status).toBe('closed');
    expect(h.state.tickets[a]?.status).toBe('done');
    // s2 signed in, then s4 took the window over: s2 signing out leaves it open for s4.
    h.ok({ type: 'SignIn', staffId: 's2', window: 2 });
    h.ok({ type: 'SignIn', staffId: 's4', window: 2 });
    h.ok({ type: 'SignOut', staffId: 's2', window: 2 });
    expect(h.log.at(-1)).toMatchObject({ type: 'StaffSignedOut', staffId: 's2', window: 2 });
    expect(h.state.windows['2']).toMatchObject({ status: 'open', staffId: 's4' });
  });

  it('keeps a sign-out\'s end only when it is past (a session that expired while the server was down), never a future one', () => {
    const h = new Hall();
    h.ok({ type: 'SignIn', staffId: 's1', window: 1 });
    h.ok({ type: 'SignOut', staffId: 's1', window: 1, endedAt: h.now - 3600_000 });
    expect(h.log.find((e) => e.type === 'StaffSignedOut')).toMatchObject({ staffId: 's1', endedAt: h.now - 3600_000, at: h.now });
    h.ok({ type: 'SignIn', staffId: 's2', window: 2 });
    h.ok({ type: 'SignOut', staffId: 's2', window: 2, endedAt: h.now + 60_000 });
    expect(h.events('StaffSignedOut').at(-1)).not.toHaveProperty('endedAt');
  });

  it('replays to the same state: any sequence of sign-ins and sign-outs', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ out: fc.boolean(), staff: fc.integer({ min: 1, max: 6 }), window: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }) }), { maxLength: 30 }), (steps) => {
        const h = new Hall();
        for (const s of steps) {
          const body = { staffId: `s${s.staff}`, ...(s.window === undefined ? {} : { window: s.window }) };
          h.run(s.out ? { type: 'SignOut', ...body } : { type: 'SignIn', ...body });
          // Never two windows open for one staff member.
          const open = Object.values(h.state.windows).filter((w) => w.status !== 'closed').map((w) => w.staffId);
          expect(new Set(open).size).toBe(open.length);
        }
        const replayed = emptyState();
        for (const e of h.log as HallEvent[]) apply(replayed, e);
        expect(replayed).toEqual(h.state);
      }),
      { numRuns: 200 },
    );
  });
});
