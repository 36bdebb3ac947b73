import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { PIN, cookieOf, httpRig, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };
const isError = (r: LightMyRequestResponse, status: number, code?: string) => {
  expect(r.statusCode, r.body).toBe(status);
  const body = r.json() as { error: { code: string; message: string } };
  expect(typeof body.error.message).toBe('string');
  expect(body.error.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  if (code) expect(body.error.code).toBe(code);
};

/** One valid body per command type the API takes, so a refusal is about who sends it, not what. */
const commands = [
  { type: 'IssueTicket', serviceId: 'social', delivery: 'none' },
  { type: 'PrintConfirmed', ticketId: '20261123-A001' },
  { type: 'PrintFailed', ticketId: '20261123-A001', reason: 'x' },
  { type: 'CallNext', window: 3 },
  { type: 'CallTicket', window: 3, ticketId: '20261123-A001' },
  { type: 'Recall', window: 3 },
  { type: 'StartService', window: 3 },
  { type: 'Complete', window: 3 },
  { type: 'NoShow', window: 3 },
  { type: 'Transfer', window: 3, toService: 'medical' },
  { type: 'Cancel', ticketId: '20261123-A001', reason: 'x' },
  { type: 'OpenWindow', window: 3, staffId: 's03' },
  { type: 'PauseWindow', window: 3, reason: 'x' },
  { type: 'ResumeWindow', window: 3 },
  { type: 'CloseWindow', window: 3 },
  { type: 'TakeOver', window: 3, staffId: 's03' },
  { type: 'BookAppointment', appointment: { id: 'ap1', serviceId: 'social', slotStart: 0, slotEnd: 1, person: { idHash: 'h'.repeat(16), idMasked: '1' } } },
  { type: 'CancelAppointment', appointmentId: 'ap1' },
  { type: 'CheckIn', appointmentId: 'ap1' },
  { type: 'RequestRating', window: 3 },
  { type: 'Rate', window: 3, grade: 'very-dissatisfied' },
  { type: 'FollowUp', ratingId: 'r1', note: 'x' },
];

const staffReads = ['/api/state', '/api/queue', '/api/windows', '/api/staff', '/api/tickets/20261123-A001', '/metrics', '/api/hall/staff', '/api/stream/staff', '/api/auth/me'];

describe('HTTP: the staff surface needs a session with the right role', () => {
  let rig: HttpRig;
  beforeEach(async () => {
    rig = await httpRig();
  });
  afterEach(async () => {
    await rig.close();
  });

  it('answers 401 on every staff route and command without a session (and with a wrong token), and changes nothing', async () => {
    const seq = rig.engine.state.seq;
    for (const headers of [{}, { authorization: 'Bearer not-the-token' }, { cookie: 'hallq_session=forged' }]) {
      for (const url of staffReads) isError(await rig.app.inject({ url, headers }), 401, 'unauthorized');
      for (const [i, c] of commands.entries()) isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, ...headers }, payload: { id: `c${i}`, ...c } }), 401, 'unauthorized');
      for (const url of ['/caller', '/admin']) {
        const r = await rig.app.inject({ url, headers });
        expect(r.statusCode).toBe(303);
        expect(r.headers.location).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
      }
    }
    // The old enumerable status page is gone.
    expect((await rig.app.inject({ url: '/t/20261123-A001' })).statusCode).toBe(404);
    expect(rig.engine.state.seq).toBe(seq);
  });

  it('gives a technician the diagnostic routes but no command and no desk page; staff no admin and no state', async () => {
    const tech = await rig.signIn('t01', PIN['t01']!);
    for (const url of ['/api/state', '/metrics', '/api/windows', '/api/queue']) expect((await rig.app.inject({ url, headers: { cookie: tech } })).statusCode).toBe(200);
    isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: tech }, payload: { id: 't1', type: 'CallNext', window: 3 } }), 403, 'forbidden');
    isError(await rig.app.inject({ url: '/caller', headers: { cookie: tech } }), 403, 'forbidden');
    const staff = await rig.signIn('s03', PIN['s03']!, 3);
    isError(await rig.app.inject({ url: '/admin', headers: { cookie: staff } }), 403, 'forbidden');
    isError(await rig.app.inject({ url: '/api/state', headers: { cookie: staff } }), 403, 'forbidden');
    isError(await rig.app.inject({ url: '/metrics', headers: { cookie: staff } }), 403, 'forbidden');
    expect((await rig.app.inject({ url: '/caller', headers: { cookie: staff } })).statusCode).toBe(200);
  });

  it('lets staff signed in on window 3 act there but not on window 5; a manager acts on any; nobody rates', async () => {
    const cli = { ...json, authorization: `Bearer ${rig.cliToken}` };
    for (let i = 0; i < 3; i++) expect((await rig.app.inject({ method: 'POST', url: '/api/commands', headers: cli, payload: { id: `issue-${i}`, type: 'IssueTicket', serviceId: 'social', delivery: 'none' } })).json()).toMatchObject({ outcome: { ok: true } });
    const s03 = await rig.signIn('s03', PIN['s03']!, 3);
    expect(rig.engine.state.windows['3']).toMatchObject({ status: 'open', staffId: 's03' });
    const s05 = await rig.signIn('s05', PIN['s05']!, 5);
    const post = (cookie: string, body: object) => rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie }, payload: body });

    const seq = rig.engine.state.seq;
    for (const c of [{ type: 'CallNext', window: 5 }, { type: 'PauseWindow', window: 5, reason: 'x' }, { type: 'CloseWindow', window: 5 }, { type: 'OpenWindow', window: 7, staffId: 's03' }, { type: 'TakeOver', window: 5, staffId: 's03' }]) {
      isError(await post(s03, { id: `s03-${c.type}`, ...c }), 403);
    }
    expect(rig.engine.state.seq).toBe(seq);
    expect(rig.engine.state.windows['5']).toMatchObject({ status: 'open', staffId: 's05' });

    // On their own window it works, whatever source the body claims (the server sets it from the session).
    const called = await post(s03, { id: 'own', type: 'CallNext', window: 3, source: 'rating-device' });
    expect(called.json()).toMatchObject({ outcome: { ok: true } });
    const ticket = rig.engine.state.windows['3']?.current;
    expect(ticket).toBeDefined();
    // s05 may not cancel the ticket called at window 3; s03 may.
    isError(await post(s05, { id: 'x-cancel', type: 'Cancel', ticketId: ticket, reason: 'x' }), 403, 'not-your-window');

    // No one rates over HTTP: not staff, not a manager, not the CLI.
    const manager = await rig.signIn('m01', PIN['m01']!);
    for (const who of [s03, manager]) isError(await post(who, { id: `rate-${who.length}`, type: 'Rate', window: 3, grade: 'very-satisfied', source: 'rating-device' }), 403, 'rating-source');
    isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: cli, payload: { id: 'rate-cli', type: 'Rate', window: 3, grade: 'very-satisfied' } }), 403, 'rating-source');
    // An ID card only from a kiosk's reader: no role picks the hash the per-ID rules count.
    const card = { idHash: 'f'.repeat(64), idMasked: '1101**********002X', nameMasked: '张*华', idValid: true };
    for (const who of [s03, manager]) isError(await post(who, { id: `card-${who.length}`, type: 'IssueTicket', serviceId: 'social', delivery: 'none', person: card }), 403, 'card-from-kiosk-only');
    // What a printer did comes only from the kiosk's agent: no session and not the CLI token confirm or fail a print.
    const issued = rig.engine.state.seq;
    for (const [i, c] of [{ type: 'PrintConfirmed', ticketId: '20261123-A001' }, { type: 'PrintFailed', ticketId: '20261123-A001', reason: 'x' }].entries()) {
      for (const who of [s03, s05, manager]) {
        const r = await post(who, { id: `print-${i}-${who.length}-${who.slice(-6)}`, ...c });
        isError(r, 403, 'kiosk-only');
        expect((r.json() as { error: { messageZh?: string } }).error.messageZh).toBeTruthy();
      }
      isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: cli, payload: { id: `print-cli-${i}`, ...c } }), 403, 'kiosk-only');
    }
    expect(rig.engine.state.seq).toBe(issued);
    // "Masked" fields that hold the whole ID number, name or phone are not masked: refused by the schema.
    isError(await post(manager, { id: 'raw-phone', type: 'IssueTicket', serviceId: 'social', delivery: 'none', phoneMasked: '13912345678' }), 400, 'payload-invalid');
    expect(Object.keys(rig.engine.state.ratings)).toHaveLength(0);

    // The manager calls at window 5 and pauses window 3.
    expect((await post(manager, { id: 'm-call', type: 'CallNext', window: 5 })).json()).toMatchObject({ outcome: { ok: true } });
    expect(rig.engine.state.windows['5']?.current).toBeDefined();
    expect((await post(manager, { id: 'm-pause', type: 'PauseWindow', window: 3, reason: '管理员暂停' })).json()).toMatchObject({ outcome: { ok: true } });
    expect(rig.engine.state.windows['3']?.status).toBe('paused');
  });

  it('records sign-in and sign-out as attendance events; sign-out closes the window and ends the session', async () => {
    const before = rig.engine.state.seq;
    const cookie = await rig.signIn('s03', PIN['s03']!, 3);
    const types = () => rig.engine.eventsAfter(before).filter((e) => e.type !== 'DayStarted').map((e) => `${e.type}${'window' in e ? `@${e.window}` : ''}${'staffId' in e ? `:${e.staffId}` : ''}`);
    expect(types()).toEqual(['StaffSignedIn@3:s03', 'WindowOpened@3:s03']);
    const me = await rig.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ staffId: 's03', role: 'staff', window: 3 });
    const out = await rig.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { ...json, cookie }, payload: {} });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/hallq_session=;/);
    expect(types()).toEqual(['StaffSignedIn@3:s03', 'WindowOpened@3:s03', 'StaffSignedOut@3:s03', 'WindowClosed@3']);
    isError(await rig.app.inject({ url: '/api/auth/me', headers: { cookie } }), 401, 'unauthorized');
  });

  it('ends the session and the attendance of a staff member whose window a colleague took over, and signs out an expired session', async () => {
    const s03 = await rig.signIn('s03', PIN['s03']!, 3);
    const pause = (cookie: string, id: string) => rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie }, payload: { id, type: 'PauseWindow', window: 3, reason: 'x' } });
    const taken = rig.engine.state.seq;
    const s05 = await rig.signIn('s05', PIN['s05']!, 3);
    expect(rig.engine.state.windows['3']?.staffId).toBe('s05');
    // s03's session ended with the window (their page goes to the sign-in), and so did their attendance;
    // the window stays open for s05.
    await vi.waitFor(() => expect(rig.engine.eventsAfter(taken).map((e) => `${e.type}:${'staffId' in e ? e.staffId : ''}`)).toContain('StaffSignedOut:s03'));
    isError(await pause(s03, 'p1'), 401, 'unauthorized');
    expect(rig.engine.state.windows['3']).toMatchObject({ status: 'open', staffId: 's05' });
    expect((await pause(s05, 'p2')).json()).toMatchObject({ outcome: { ok: true } });
    // Twelve hours on, the session has expired: 401, and the sign-out is in the log (the window closes).
    rig.advance(12 * 3600_000 + 1);
    const before = rig.engine.state.seq;
    isError(await rig.app.inject({ url: '/api/auth/me', headers: { cookie: s05 } }), 401, 'unauthorized');
    expect(rig.engine.eventsAfter(before).map((e) => e.type)).toEqual(expect.arrayContaining(['StaffSignedOut', 'WindowClosed']));
    expect(rig.engine.state.windows['3']?.status).toBe('closed');
  });

  it("keeps the window of someone still signed in there in another session when an older one of theirs expires", async () => {
    const first = await rig.signIn('s05', PIN['s05']!, 4);
    rig.advance(3600_000);
    // The same person at the same window from a second device (or signed in there again): a session of its own.
    const second = await rig.signIn('s05', PIN['s05']!, 4);
    rig.advance(11 * 3600_000 + 1);
    // The first has expired (401, asked with its cookie); the second has an hour left and the window stays theirs.
    isError(await rig.app.inject({ url: '/api/auth/me', headers: { cookie: first } }), 401, 'unauthorized');
    expect(rig.engine.state.windows['4']).toMatchObject({ status: 'open', staffId: 's05' });
    const pause = await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: second }, payload: { id: 'p-second', type: 'PauseWindow', window: 4, reason: 'x' } });
    expect(pause.json()).toMatchObject({ outcome: { ok: true } });
    // When the last one expires, the window closes and the attendance ends.
    rig.advance(3600_000);
    isError(await rig.app.inject({ url: '/api/auth/me', headers: { cookie: second } }), 401, 'unauthorized');
    expect(rig.engine.state.windows['4']?.status).toBe('closed');
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, with an expiry, and Secure only over HTTPS', async () => {
    const r = await rig.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 'm01', secret: PIN['m01'] } });
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/^hallq_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toMatch(/Expires=/);
    expect(cookie).not.toContain('Secure');
    expect(r.json()).toMatchObject({ staffId: 'm01', role: 'manager' });
    // Staff need a window; a wrong window is refused.
    isError(await rig.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 's01', secret: PIN['s01'] } }), 400, 'window-required');
    isError(await rig.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload: { staffId: 's01', secret: PIN['s01'], window: 99 } }), 400, 'unknown-window');
    expect(cookieOf(r)).not.toBe('');
  });

  it('refuses cross-site and non-JSON state changes before anything runs', async () => {
    const cookie = await rig.signIn('m01', PIN['m01']!);
    const seq = rig.engine.state.seq;
    const body = JSON.stringify({ id: 'x', type: 'PauseWindow', window: 3, reason: 'x' });
    isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { 'content-type': 'text/plain', cookie }, payload: body }), 415, 'unsupported-media-type');
    isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, payload: 'a=b' }), 415, 'unsupported-media-type');
    isError(await rig.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie } }), 415, 'unsupported-media-type');
    isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie, origin: 'http://evil.test' }, payload: body }), 403, 'cross-site');
    isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie, 'sec-fetch-site': 'cross-site' }, payload: body }), 403, 'cross-site');
    isError(await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie, origin: 'null' }, payload: body }), 403, 'cross-site');
    expect(rig.engine.state.seq).toBe(seq);
    // The page's own origin passes.
    const ok = await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie, origin: 'http://hall.test:8080', host: 'hall.test:8080', 'sec-fetch-site': 'same-origin' }, payload: body });
    expect(ok.statusCode).toBe(200);
  });

  it('a ticket staff issue over HTTP without `delivery` waits at once; a print is refused (only a kiosk prints)', async () => {
    const s03 = await rig.signIn('s03', PIN['s03']!, 3);
    const post = (body: object) => rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: s03 }, payload: body });
    const plain = (await post({ id: 'x8', type: 'IssueTicket', serviceId: 'social' })).json() as { outcome: { ok: boolean; ticketId: string } };
    expect(plain.outcome.ok).toBe(true);
    expect(rig.engine.state.tickets[plain.outcome.ticketId]).toMatchObject({ status: 'waiting', delivery: 'none' });
    // A print said outright is refused (the tryout of the eighteenth session: it sat `issued` with nothing
    // that could confirm it, PrintConfirmed being the kiosk's alone), by every front of HTTP, and nothing is recorded.
    const manager = await rig.signIn('m01', PIN['m01']!);
    const seq = rig.engine.state.seq;
    for (const headers of [{ ...json, cookie: s03 }, { ...json, cookie: manager }, { ...json, authorization: `Bearer ${rig.cliToken}` }]) {
      const r = await rig.app.inject({ method: 'POST', url: '/api/commands', headers, payload: { id: 'x9', type: 'IssueTicket', serviceId: 'social', delivery: 'print' } });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error: { code: 'print-at-kiosk-only' } });
    }
    expect(rig.engine.state.seq).toBe(seq);
  });
});

describe('HTTP: failed sign-ins slow down the address they come from (issue 13)', () => {
  let rig: HttpRig;
  afterEach(async () => {
    await rig.close();
  });
  const signIn = (payload: object, remoteAddress: string) => rig.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: json, payload, remoteAddress });
  const attacker = '10.0.0.66';
  const windowPc = '10.0.0.5';

  it('wrong PINs for s05 from one PC refuse that PC only: s05 signs in at the window PC, and no PIN is logged', async () => {
    const records: LogRecord[] = [];
    rig = await httpRig({ logger: recordingLogger(records) });
    const answers: number[] = [];
    for (let i = 0; i < 12; i++) answers.push((await signIn({ staffId: 's05', secret: `00${10 + i}`, window: 5 }, attacker)).statusCode);
    // Five free failures and the sixth, then refusals: the PIN is not even checked.
    expect(answers.filter((c) => c === 401)).toHaveLength(6);
    expect(answers.slice(6)).toEqual(Array(6).fill(429));
    const refused = await signIn({ staffId: 's05', secret: PIN['s05'], window: 5 }, attacker);
    isError(refused, 429, 'sign-in-throttled');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const body = refused.json() as { error: { message: string; messageZh: string } };
    expect(body.error.message).toMatch(/try again in \d+ s \(at \d\d:\d\d\)/);
    expect(body.error.messageZh).toMatch(/请\d+ 秒（\d\d:\d\d）后再试/);
    // The real s05 at the window's PC: in at once.
    const real = await signIn({ staffId: 's05', secret: PIN['s05'], window: 5 }, windowPc);
    expect(real.statusCode, real.body).toBe(200);
    expect(rig.engine.state.windows['5']).toMatchObject({ staffId: 's05' });
    const warnings = records.filter((r) => r.level === 'warn' && r.msg === 'sign-in refused: too many failures from this address');
    expect(warnings.length).toBe(7);
    expect(warnings[0]?.obj).toMatchObject({ staffId: 's05', ip: attacker, scope: 'staff-at-address' });
    const logged = JSON.stringify(records);
    for (let i = 0; i < 12; i++) expect(logged).not.toContain(`00${10 + i}`);
    expect(logged).not.toContain(PIN['s05']);
  });

  it('one address trying every staff id is refused after 10 failures; the manager signs in from elsewhere', async () => {
    rig = await httpRig();
    const ids = ['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08', 's09', 's10', 'nobody', 'm01'];
    const codes: number[] = [];
    for (const staffId of ids) codes.push((await signIn({ staffId, secret: 'wrong-pin', window: 1 }, attacker)).statusCode);
    expect(codes).toEqual([...Array(11).fill(401), 429]);
    isError(await signIn({ staffId: 'm01', secret: PIN['m01'] }, attacker), 429, 'sign-in-throttled');
    expect((await signIn({ staffId: 'm01', secret: PIN['m01'] }, '10.0.0.9')).statusCode).toBe(200);
  });

  it('parallel guesses cannot slip past the count while the PIN is being checked', async () => {
    rig = await httpRig();
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn({ staffId: 's03', secret: `9${String(i).padStart(3, '0')}`, window: 3 }, attacker)));
    expect(all.filter((r) => r.statusCode === 401)).toHaveLength(6);
    expect(all.filter((r) => r.statusCode === 429)).toHaveLength(14);
  });

  it('an hour of guessing from one address gets fewer than 20 PINs checked', async () => {
    rig = await httpRig();
    const start = rig.clock();
    let checked = 0;
    let n = 0;
    while (rig.clock() - start < 3600_000) {
      const r = await signIn({ staffId: `s0${(n % 9) + 1}`, secret: String(1000 + n), window: 1 }, attacker);
      n += 1;
      if (r.statusCode === 401) checked += 1;
      else if (r.statusCode === 429) rig.advance(Number(r.headers['retry-after']) * 1000);
      else throw new Error(`unexpected ${r.statusCode} ${r.body}`);
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(checked).toBeLessThan(20);
    // The window PC is not slowed by any of it.
    expect((await signIn({ staffId: 's03', secret: PIN['s03'], window: 3 }, windowPc)).statusCode).toBe(200);
  });

  it('correct sign-ins at once after failures are all let in, over a socket; a burst of guesses after them still gets no more checks than one by one (tryout: 4 of 8 refused)', async () => {
    // The PIN checks of a burst are held until every request of it has reached the server, as a real
    // scrypt check (tens of ms) overlaps requests arriving together; the test's cheap one would not.
    let burst = 0;
    let arrived = 0;
    let allArrived = (): void => undefined;
    let gate = Promise.resolve();
    const hold = (n: number) => {
      burst = n;
      arrived = 0;
      gate = new Promise<void>((r) => (allArrived = r));
    };
    rig = await httpRig({
      beforeReady: (app) =>
        app.addHook('onRequest', async (req) => {
          if (req.url === '/api/auth/sign-in' && burst > 0 && ++arrived === burst) allArrived();
        }),
    });
    const verify = rig.credentials.verify.bind(rig.credentials);
    rig.credentials.verify = async (id, secret) => {
      await gate;
      return verify(id, secret);
    };
    const staff = ['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08'];
    for (const id of staff) await rig.credentials.set(id, `4${id.slice(1)}1`, rig.clock());
    const base = await rig.app.listen({ host: '127.0.0.1', port: 0 });
    const post = async (body: object) => (await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify(body) })).status;
    // Seven failures from this computer (127.0.0.1), one each for seven colleagues.
    for (const id of staff.slice(0, 7)) expect(await post({ staffId: id, secret: '0000', window: 1 })).toBe(401);
    // Then eight staff at once, each with the right PIN at their own window.
    hold(8);
    const together = await Promise.all(staff.map((id, i) => post({ staffId: id, secret: `4${id.slice(1)}1`, window: i + 1 })));
    expect(together).toEqual(Array(8).fill(200));
    // Twelve guesses at m01's PIN at once: five free, the sixth once those are known, then refused.
    hold(12);
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => post({ staffId: 'm01', secret: `8${String(i).padStart(3, '0')}` })));
    expect(guesses.filter((c) => c === 401)).toHaveLength(6);
    expect(guesses.filter((c) => c === 429)).toHaveLength(6);
  });

  it('a staff member who mistypes and then gets it right starts again from zero', async () => {
    rig = await httpRig();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) isError(await signIn({ staffId: 's01', secret: `000${i}`, window: 1 }, windowPc), 401, 'bad-credentials');
      const ok = await signIn({ staffId: 's01', secret: PIN['s01'], window: 1 }, windowPc);
      expect(ok.statusCode, ok.body).toBe(200);
    }
  });
});
