import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { openCredentials } from '../../src/server/auth/credentials.js';
import { ProcessHall } from './daemon-process.js';

/**
 * `hallq server` as a real process, SIGKILLed with staff signed in through the web (issue 12's tryout,
 * finding 1: the sessions lived in its memory, so a restart left their windows open with nobody signed
 * in, attendance counting and the kiosk sending citizens there). Started again on the same files, it
 * still knows them: the same cookie acts at its window, and a session that expired while it was down is
 * signed out at the start, its window closed.
 */
describe('staff sessions across a SIGKILL of the server', () => {
  let hall: ProcessHall | undefined;
  afterAll(async () => {
    await hall?.close();
  });

  it('keeps the live ones and signs out the one that expired meanwhile', async () => {
    const h = (hall = await ProcessHall.open('session-kill'));
    // PINs set as `hallq staff passwd` does (a cheap hash cost: the test signs in, it does not time it).
    const credentials = openCredentials(join(h.dir, 'hall.db'), silentLogger, { N: 1024, r: 8, p: 1 });
    for (const id of ['s1', 's2']) await credentials.set(id, '4321', Date.now());
    credentials.close();
    const sessionHours = (hours: number) => writeFileSync(h.config, readFileSync(h.config, 'utf8').replace(/http: \{ host: 127\.0\.0\.1, port: (\d+)(, sessionHours: [\d.]+)? \}/, `http: { host: 127.0.0.1, port: $1, sessionHours: ${hours} }`));
    const signIn = async (staffId: string, window: number) => {
      const res = await fetch(`${h.base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffId, secret: '4321', window }) });
      expect(res.status, await res.clone().text()).toBe(200);
      return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, expiresAt: ((await res.json()) as { expiresAt: number }).expiresAt };
    };
    const me = (cookie: string) => fetch(`${h.base}/api/auth/me`, { headers: { cookie } });
    const windows = async () => (await h.get<{ windows: Record<string, { status: string; staffId?: string }> }>('/api/state')).windows;

    // s1 signs in for the day; the server is killed at once (the session's row is all there is of it).
    await h.startServer();
    const s1 = await signIn('s1', 1);
    await h.restartServer();
    expect((await me(s1.cookie)).status).toBe(200);
    expect((await windows())['1']).toMatchObject({ status: 'open', staffId: 's1' });
    const call = await fetch(`${h.base}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: s1.cookie }, body: JSON.stringify({ id: 'after-kill', type: 'PauseWindow', window: 1, reason: '午休' }) });
    expect(await call.json()).toMatchObject({ outcome: { ok: true } });

    // s2 signs in with a session of two seconds, and the server is killed before it ends.
    sessionHours(2 / 3600);
    await h.restartServer();
    const s2 = await signIn('s2', 2);
    await h.server?.kill();
    sessionHours(12);
    // Down past s2's expiry (the wait is for the wall clock to pass it, the thing under test).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, s2.expiresAt - Date.now() + 200)));
    const server = await h.startServer();
    await server.says(/"staffId":"s2","window":2,"why":"session expired".*"msg":"signed out"/);
    expect((await me(s2.cookie)).status).toBe(401);
    const after = await windows();
    expect(after['2']?.status).toBe('closed');
    expect(after['1']).toMatchObject({ status: 'paused', staffId: 's1' });
    expect((await me(s1.cookie)).status).toBe(200);
  }, 180_000);
});
