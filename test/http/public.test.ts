import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskName, maskPhone, parseResidentId } from '../../src/core/index.js';
import { PIN, httpRig, type HttpRig } from './rig.js';

/** A citizen with a real-looking name, ID number and phone, issued and called: none of it may show on the public surface. */
const citizen = { name: '张丽华', id: '11010519491231002X', phone: '13912345678', idHash: 'keyed-hash-3f9a8b7c6d5e4f3a2b1c' };

describe('HTTP: the public surface carries no personal data', () => {
  let rig: HttpRig;
  let base: string;
  let token: string;
  beforeAll(async () => {
    rig = await httpRig();
    await rig.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(rig.app.server.address() as AddressInfo).port}`;
    const info = parseResidentId(citizen.id);
    if (!info.valid) throw new Error('test ID invalid');
    const cookie = await rig.signIn('s03', PIN['s03']!, 3);
    const headers = { 'content-type': 'application/json', cookie };
    // The card is read at a kiosk, whose request reaches the same command path over MQTT (an ID card
    // never comes over HTTP); its answer carries the status token the QR code prints.
    const outcome = rig.mqtt.run({ id: 'issue-1', type: 'IssueTicket', serviceId: 'social', delivery: 'none', source: 'kiosk', phoneMasked: maskPhone(citizen.phone), person: { idHash: citizen.idHash, idMasked: info.masked, nameMasked: maskName(citizen.name), idValid: true, birthDate: info.birthDate } });
    if (!outcome.ok || !outcome.ticketId) throw new Error('not issued');
    token = rig.statusTokens.tokenOf(rig.engine.state, outcome.ticketId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await rig.app.inject({ method: 'POST', url: '/api/commands', headers, payload: { id: 'call-1', type: 'CallNext', window: 3 } })).json()).toMatchObject({ outcome: { ok: true } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  const forbidden = () => {
    const info = parseResidentId(citizen.id);
    const masked = info.valid ? info.masked : '';
    return [citizen.name, citizen.id, citizen.phone, citizen.idHash, maskName(citizen.name), maskPhone(citizen.phone), masked, citizen.id.slice(-4), citizen.phone.slice(-4), '丽', 's03'];
  };

  /** The first server-sent event of a stream. */
  const firstEvent = async (path: string): Promise<string> => {
    const ac = new AbortController();
    const res = await fetch(`${base}${path}`, { signal: ac.signal });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    return text;
  };

  it('answers a cut or mistyped status link with the page (which says not found), not a JSON error', async () => {
    const r = await fetch(`${base}/s/not-a-token`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${base}/api/status/not-a-token`)).status).toBe(400);
  });

  it('shows the called ticket on the display and its status page, without name, ID, phone, hash or staff', async () => {
    const bodies: Record<string, string> = {};
    for (const path of ['/', '/display', '/sign-in', `/s/${token}`, '/api/hall', `/api/status/${token}`, '/livez', '/readyz', '/web/live.js', '/web/hallq.css']) {
      const r = await fetch(`${base}${path}`);
      // /readyz is 200 here although the MQTT side is not connected in this rig: degraded, not dead.
      expect(r.status, path).toBe(200);
      bodies[path] = await r.text();
    }
    // Degraded (no broker in this rig), never dead: the hall's pages keep working.
    expect(JSON.parse(bodies['/readyz']!)).toMatchObject({ ok: true, status: 'degraded', log: 'open', broker: 'disconnected' });
    bodies['/api/stream'] = await firstEvent('/api/stream');
    // The data is there (the test would pass on an empty page otherwise) …
    const status = JSON.parse(bodies[`/api/status/${token}`]!) as { number: string; status: string; window: number };
    expect(status).toMatchObject({ number: 'A001', status: 'called', window: 3 });
    expect(bodies['/api/hall']).toContain('"number":"A001"');
    expect(bodies['/api/stream']).toContain('"number":"A001"');
    // … and nothing personal, not even masked.
    for (const [path, body] of Object.entries(bodies)) for (const bad of forbidden()) expect(body.includes(bad), `${path} contains ${bad}`).toBe(false);
  });

  // The tryout of the eighteenth session: a pause reason is free text staff type, and one held an ID
  // number; /api/hall served it to anyone. Staff see it; the public surface does not carry it at all.
  it("leaves a window's pause reason (free text) off the public surface; staff still read it", async () => {
    const reason = `身份证 ${citizen.id} 电话 ${citizen.phone}`;
    const paused = rig.mqtt.run({ id: 'pause-3', type: 'PauseWindow', window: 3, reason });
    expect(paused.ok).toBe(true);
    const hall = await (await fetch(`${base}/api/hall`)).text();
    expect(hall).toContain('"status":"paused"');
    const stream = await firstEvent('/api/stream');
    for (const body of [hall, stream]) {
      expect(body).not.toContain('pauseReason');
      expect(body).not.toContain(citizen.id);
      expect(body).not.toContain(citizen.phone);
    }
    const staff = await (await fetch(`${base}/api/hall/staff`, { headers: { authorization: `Bearer ${rig.cliToken}` } })).text();
    // Staff read the reason, its numbers masked as every staff-typed text is (test/core/free-text-masked).
    expect(staff).toContain('pauseReason');
    expect(staff).not.toContain(citizen.id);
    expect(staff).not.toContain(citizen.phone);
    expect(rig.mqtt.run({ id: 'resume-3', type: 'ResumeWindow', window: 3 }).ok).toBe(true);
  });

  it('finds a ticket only by its token; the staff views strip the keyed ID hash', async () => {
    expect((await fetch(`${base}/api/status/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await fetch(`${base}/api/status/20261123-A001`)).status).toBe(400);
    expect((await fetch(`${base}/api/tickets/20261123-A001`)).status).toBe(401);
    const cli = { authorization: `Bearer ${rig.cliToken}` };
    for (const path of ['/api/state', '/api/hall/staff', '/api/windows', '/api/tickets/20261123-A001']) {
      const body = await (await fetch(`${base}${path}`, { headers: cli })).text();
      expect(body, path).not.toContain(citizen.idHash);
      expect(body, path).not.toContain('idHash');
    }
    // Staff do see the masked name of the citizen they call.
    expect(await (await fetch(`${base}/api/hall/staff`, { headers: cli })).text()).toContain(maskName(citizen.name));
  });
});
