import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { within } from '../helpers/hallq-process.js';
import { PIN, httpRig, type HttpRig } from './rig.js';

/**
 * The staff live feed ends with its session (issue 12's tryout, finding 2: it went on sending the hall to
 * a signed-out or expired session until the connection closed), with a last event saying why, which the
 * pages turn into the sign-in page at once (finding 4). Over a real socket.
 */

/** Reads a server-sent events response to its end; resolves with all it said (rejects after `ms`: a bound). */
async function readToEnd(res: Response, ms: number): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const all = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return within(all, ms, `the end of the feed (so far: ${text.slice(-200)})`).finally(() => void reader.cancel().catch(() => undefined));
}

/** The events of a feed's text, by name, in order (comments left out). */
const eventNames = (text: string) => [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
const endedWhy = (text: string) => JSON.parse(/event: ended\ndata: (.*)\n/.exec(text)?.[1] ?? 'null') as { why: string } | null;

describe('the staff live feed ends with its session', () => {
  let rig: HttpRig;
  let base: string;
  beforeEach(async () => {
    rig = await httpRig();
    base = await rig.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await rig.close();
  });
  const feed = (cookie: string) => fetch(`${base}/api/stream/staff`, { headers: { cookie } });

  it('when signed out on another page: ended, signed-out', async () => {
    const cookie = await rig.signIn('s03', PIN['s03']!, 3);
    const res = await feed(cookie);
    expect(res.status).toBe(200);
    const reading = readToEnd(res, 10_000);
    const out = await rig.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { 'content-type': 'application/json', cookie }, payload: {} });
    expect(out.statusCode).toBe(200);
    const text = await reading;
    // The snapshot on connect (and the sign-out's, coalesced or not), then the end.
    expect(eventNames(text).at(-1)).toBe('ended');
    expect(eventNames(text)[0]).toBe('snapshot');
    expect(endedWhy(text)).toEqual({ why: 'signed-out' });
  });

  it('when a colleague signs in at the window: ended, window-passed; the colleague\'s own feed goes on', async () => {
    const first = await rig.signIn('s03', PIN['s03']!, 3);
    const res = await feed(first);
    const reading = readToEnd(res, 10_000);
    const colleague = await rig.signIn('s05', PIN['s05']!, 3);
    expect(endedWhy(await reading)).toEqual({ why: 'window-passed' });
    // The colleague's session is live and their feed is open.
    const theirs = await feed(colleague);
    expect(theirs.status).toBe(200);
    const reader = theirs.body!.getReader();
    const { value } = await within(reader.read(), 10_000, "the colleague's first snapshot");
    expect(new TextDecoder().decode(value)).toMatch(/^event: snapshot\n/);
    await reader.cancel();
  });

  it('when a manager (here the CLI) closes the window: ended, window-closed; signed out once, at the close', async () => {
    const cookie = await rig.signIn('s03', PIN['s03']!, 3);
    const reading = readToEnd(await feed(cookie), 10_000);
    const seq = rig.engine.state.seq;
    const close = await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { 'content-type': 'application/json', authorization: `Bearer ${rig.cliToken}` }, payload: { id: 'close-3', type: 'CloseWindow', window: 3 } });
    expect(close.json()).toMatchObject({ outcome: { ok: true } });
    expect(endedWhy(await reading)).toEqual({ why: 'window-closed' });
    expect(rig.engine.eventsAfter(seq).map((e) => `${e.type}${'staffId' in e ? `:${e.staffId}` : ''}`)).toEqual(['WindowClosed', 'StaffSignedOut:s03']);
    // Not left signed in at a closed window, where every command was refused not-your-window.
    expect((await rig.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('one person on two devices at a window: signing out on one ends the other too, with one sign-out', async () => {
    const a = await rig.signIn('s05', PIN['s05']!, 5);
    const b = await rig.signIn('s05', PIN['s05']!, 5);
    const reading = readToEnd(await feed(a), 10_000);
    const seq = rig.engine.state.seq;
    await rig.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { 'content-type': 'application/json', cookie: b }, payload: {} });
    expect(endedWhy(await reading)).toEqual({ why: 'window-closed' });
    expect(rig.engine.eventsAfter(seq).filter((e) => e.type === 'StaffSignedOut')).toHaveLength(1);
    expect((await rig.app.inject({ url: '/api/auth/me', headers: { cookie: a } })).statusCode).toBe(401);
  });

  it('one person on two devices at a window a colleague takes: both end, one sign-out', async () => {
    const a = await rig.signIn('s05', PIN['s05']!, 5);
    const b = await rig.signIn('s05', PIN['s05']!, 5);
    const readings = [readToEnd(await feed(a), 10_000), readToEnd(await feed(b), 10_000)];
    const seq = rig.engine.state.seq;
    await rig.signIn('s03', PIN['s03']!, 5);
    for (const r of readings) expect(endedWhy(await r)).toEqual({ why: 'window-passed' });
    expect(rig.engine.eventsAfter(seq).filter((e) => e.type === 'StaffSignedOut').map((e) => ('staffId' in e ? e.staffId : ''))).toEqual(['s05']);
  });

  it('at its expiry, by the store\'s timer, with no request: ended, expired; the window closes', async () => {
    await rig.close();
    // A session of two seconds: nothing but its timer can end its feed.
    rig = await httpRig({ sessionHours: 2 / 3600 });
    base = await rig.app.listen({ host: '127.0.0.1', port: 0 });
    const cookie = await rig.signIn('s01', PIN['s01']!, 1);
    const text = await readToEnd(await feed(cookie), 30_000);
    expect(endedWhy(text)).toEqual({ why: 'expired' });
    expect(rig.engine.state.windows['1']?.status).toBe('closed');
  });
});
