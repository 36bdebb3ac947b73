import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PIN, cookieOf, httpRig, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };

/** A staff member holding window 5 who signs in at window 3 hears which window and how to leave it (issue 13). */
describe('sign-in refused: staff-elsewhere names the window and the way out', () => {
  let rig: HttpRig;
  beforeEach(async () => {
    rig = await httpRig();
  });
  afterEach(async () => {
    await rig.close();
  });
  const cli = () => ({ ...json, authorization: `Bearer ${rig.cliToken}` });
  const signIn = (window: number) => rig.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 's03', secret: PIN['s03'], window } });

  it('when the manager (here the CLI) opened window 5 for them: names window 5, and the manager closing it lets them in', async () => {
    expect((await rig.app.inject({ method: 'POST', url: '/api/commands', headers: cli(), payload: { id: 'open5', type: 'OpenWindow', window: 5, staffId: 's03' } })).json()).toMatchObject({ outcome: { ok: true } });
    const r = await signIn(3);
    expect(r.statusCode).toBe(409);
    const e = (r.json() as { error: { code: string; message: string; messageZh: string } }).error;
    expect(e.code).toBe('staff-elsewhere');
    // Open under their id, not "signed in": they never signed in there (a manager opened it for them).
    expect(e.messageZh).toContain('5 号窗口正以您的工号开启');
    expect(e.message).toContain('Window 5 is open under your staff id');
    expect(e.messageZh).toContain('请管理员关闭 5 号窗口');
    expect(e.message).toContain('window 5');
    expect(e.message).toMatch(/sign out there|ask a manager to close window 5/);
    expect(rig.engine.state.windows['3']?.status).toBe('closed');
    // The way out the message names: a manager closes window 5.
    expect((await rig.app.inject({ method: 'POST', url: '/api/commands', headers: cli(), payload: { id: 'close5', type: 'CloseWindow', window: 5 } })).json()).toMatchObject({ outcome: { ok: true } });
    expect((await signIn(3)).statusCode).toBe(200);
    expect(rig.engine.state.windows['3']).toMatchObject({ status: 'open', staffId: 's03' });
  });

  it('the other way out it names: sign in at window 5 again, sign out, then window 3 takes them', async () => {
    await rig.signIn('s03', PIN['s03']!, 5);
    expect((await signIn(3)).json()).toMatchObject({ error: { code: 'staff-elsewhere' } });
    const at5 = await signIn(5);
    expect(at5.statusCode).toBe(200);
    await rig.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { ...json, cookie: cookieOf(at5) }, payload: {} });
    expect(rig.engine.state.windows['5']?.status).toBe('closed');
    expect((await signIn(3)).statusCode).toBe(200);
  });
});
