import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRig, PIN, type HttpRig } from './rig.js';

/**
 * The security tryout of the nineteenth session opened window 2 from admin (a manager's session) and
 * window 1 from a keypad login under t01, a technician, who then "served" a ticket there. The hall's
 * config (the demo's) says t01 is a technician: no window is opened or passed to that id, whoever asks.
 */
describe("a window under a technician's id", () => {
  let rig: HttpRig;
  beforeAll(async () => {
    rig = await httpRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  it('is refused staff-role from admin; a manager may still open one for staff, or for themself', async () => {
    const cookie = await rig.signIn('m01', PIN['m01']!);
    const post = (payload: object) => rig.app.inject({ method: 'POST', url: '/api/commands', headers: { 'content-type': 'application/json', cookie }, payload });
    for (const [i, type] of (['OpenWindow', 'TakeOver'] as const).entries()) {
      const r = await post({ id: `tech-${i}`, type, window: 2, staffId: 't01' });
      expect(r.json()).toMatchObject({ outcome: { ok: false, code: 'staff-role' } });
    }
    expect(rig.engine.state.windows['2']?.status ?? 'closed').toBe('closed');
    expect((await post({ id: 'staff-2', type: 'OpenWindow', window: 2, staffId: 's03' })).json()).toMatchObject({ outcome: { ok: true } });
    expect((await post({ id: 'manager-4', type: 'OpenWindow', window: 4, staffId: 'm01' })).json()).toMatchObject({ outcome: { ok: true } });
  });

  it("is refused staff-role at a keypad's sign-in to a window (the tryout's path), through the server's command path", () => {
    // A keypad login reaches the server as a SignIn naming the window; before the change it opened window 5 under t01.
    const outcome = rig.mqtt.run({ id: 'keypad-t01', type: 'SignIn', staffId: 't01', window: 5, source: 'caller-keypad' });
    expect(outcome).toMatchObject({ ok: false, code: 'staff-role' });
    expect(rig.engine.state.windows['5']?.status ?? 'closed').toBe('closed');
    // A technician's sign-in without a window (the admin pages) is still attendance only.
    expect(rig.mqtt.run({ id: 'admin-t01', type: 'SignIn', staffId: 't01', source: 'admin' })).toMatchObject({ ok: true });
  });
});
