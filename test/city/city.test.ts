import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { parseCityConfig, type CityConfig } from '../../src/city/config.js';
import { startCity, type CityService } from '../../src/city/service.js';
import { arrivalWaitMs, waitMinutes } from '../../src/core/index.js';
import { errorBodySchema } from '../../src/http/errors.js';
import { launchChromium } from '../helpers/browser.js';
import { startHall, wanLink, type TestHall, type WanLink } from './hall.js';
import { startNatsCluster, type NatsCluster } from './nats-cluster.js';
import { startPostgres, type TestPostgres } from './postgres.js';

/**
 * Issue 14 end to end: a 3-node NATS cluster (JetStream + MQTT) and PostgreSQL started here, three
 * real halls (server + shipped Mosquitto + the bridge `hallq city bridge` writes) replaying simulated
 * days, and the city service. One cluster node is killed mid-run, then one hall's WAN is cut for
 * CITY_WAN_CUT_S seconds (60 in CI): every hall event must be in the city tables once.
 */
const CUT_MS = Number(process.env.CITY_WAN_CUT_S ?? 60) * 1000;
/** The issue's lag bound after the WAN returns, and how soon after the return it must hold (then for HOLD_MS). */
const LAG_MS = 2000;
const RETURN_WINDOW_MS = Number(process.env.CITY_RETURN_WINDOW_S ?? 6) * 1000;
const HOLD_MS = 5000;
const HALLS = ['hall-east', 'hall-west', 'hall-south'];
const PLACES = [
  { lat: 32.06, lon: 118.8 },
  { lat: 32.05, lon: 118.75 },
  { lat: 31.99, lon: 118.78 },
];

let cluster: NatsCluster;
let pgsql: TestPostgres;
let city: CityService;
let config: CityConfig;
const halls: TestHall[] = [];
const cityLogs: LogRecord[] = [];
let links: WanLink[] = [];
const passwords = new Map(HALLS.map((h) => [h, `pw-${h}-${Math.random().toString(36).slice(2)}`]));
const cityPassword = `pw-city-${Math.random().toString(36).slice(2)}`;

/** Resolves when `ok()` holds, checked after every batch the city applies and every 250 ms; rejects after `ms`. */
function until(ok: () => boolean, what: string, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!ok()) return;
      clearInterval(timer);
      clearTimeout(timeout);
      city.ingest.off('applied', check);
      resolve();
    };
    const timer = setInterval(check, 250);
    const timeout = setTimeout(() => {
      clearInterval(timer);
      city.ingest.off('applied', check);
      reject(new Error(`timed out waiting for ${what} (city log: ${JSON.stringify(cityLogs.filter((l) => l.level !== 'info').slice(-5))}; metrics ${JSON.stringify(city.ingest.metrics)}; south broker: ${halls[2]?.brokerLog().split('\n').slice(-6).join(' | ')}): ${halls.map((h) => `${h.id} hall ${h.engine.state.seq} city ${city.ingest.lastSeq(h.id)}`).join(', ')}`));
    }, ms);
    city.ingest.on('applied', check);
    check();
  });
}

/** Every event hall `h` appended more than `ms` ago is in the city tables (seqs are appended in time order). */
const lagUnder = (h: TestHall, ms: number) => {
  const at = h.appendedAt.get(city.ingest.lastSeq(h.id) + 1);
  return at === undefined || Date.now() - at < ms;
};

const caughtUp = () => halls.every((h) => city.ingest.lastSeq(h.id) === h.engine.state.seq);

/** Drives every hall's simulated day: `perTick` commands each, every 100 ms, until stopped. */
function replay(perTick: number): () => void {
  const timer = setInterval(() => {
    for (const h of halls) h.step(perTick);
  }, 100);
  return () => clearInterval(timer);
}

beforeAll(async () => {
  [cluster, pgsql] = await Promise.all([startNatsCluster({ city: { user: 'city', password: cityPassword }, halls: HALLS.map((hall) => ({ hall, password: passwords.get(hall) as string })) }), startPostgres()]);
  const addr = (i: number) => `127.0.0.1:${cluster.nodes[i]?.mqttPort}`;
  // The last hall reaches the cluster through WAN links we can cut; each hall prefers another node.
  links = await Promise.all(cluster.nodes.map((n) => wanLink({ host: n.host, port: n.mqttPort })));
  for (const [i, id] of HALLS.entries()) {
    const addresses = i === 2 ? links.map((l) => l.address) : [addr(i), addr((i + 1) % 3), addr((i + 2) % 3)];
    halls.push(await startHall(id, { addresses, remotePassword: passwords.get(id) as string }));
  }
  config = parseCityConfig({
    city: { id: 'nanjing', name: { zh: '南京', en: 'Nanjing' } },
    broker: { urls: cluster.mqttUrls, username: 'city' },
    postgres: { url: pgsql.url },
    http: { host: '127.0.0.1', port: 0 },
    catchUp: { timeoutMs: 2000 },
    halls: HALLS.map((id, i) => ({ id, name: { zh: `大厅${i + 1}`, en: `Hall ${i + 1}` }, ...PLACES[i] })),
  });
  city = await startCity(config, { brokerPassword: cityPassword, token: 'city-token', logger: recordingLogger(cityLogs) });
}, 180_000);

afterAll(async () => {
  await city?.stop();
  for (const h of halls) await h.stop();
  for (const l of links) await l.close();
  await cluster?.stop();
  await pgsql?.stop();
}, 60_000);

const auth = { authorization: 'Bearer city-token', 'content-type': 'application/json' };
/** Sends one message through the city's API and resolves with the hall's answer (bounded). */
const send = async (hall: string, kind: 'appointments' | 'notice', body: unknown) => {
  const res = await fetch(`${city.baseUrl}/api/city/halls/${hall}/${kind}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`no answer from ${hall} to ${kind} ${id}`)), 30_000);
    const on = (_h: string, got: string) => {
      if (got !== id) return;
      clearTimeout(timeout);
      city.ingest.off('answer', on);
      resolve();
    };
    city.ingest.on('answer', on);
    void city.ingest.message(id).then((m) => m?.answer && on(hall, id));
  });
  return (await (await fetch(`${city.baseUrl}/api/city/messages/${id}`, { headers: auth })).json()) as { id: string; answer: { hall: string; status: string; data?: { results?: { id: string; result: string }[]; outcome?: { ok: boolean } }; error?: { code: string } } };
};

describe('the city tier', () => {
  it('takes every hall event once through a node failure and a WAN cut', async () => {
    const stop = replay(1);
    try {
      await until(() => halls.every((h) => city.ingest.lastSeq(h.id) >= 60), 'the first events of every hall');

      // A cluster node dies mid-run (the first hall's bridge and the city prefer it).
      cluster.kill(0);
      const atKill = halls.map((h) => h.engine.state.seq);
      await until(() => halls.every((h, i) => city.ingest.lastSeq(h.id) > (atKill[i] as number) + 30), 'events after the node died');

      // The last hall's WAN goes down; the others keep reaching the city.
      const cutHall = halls[2] as TestHall;
      for (const l of links) l.cut();
      const cutAt = Date.now();
      const cityAtCut = city.ingest.lastSeq(cutHall.id);
      const othersAtCut = halls.slice(0, 2).map((h) => city.ingest.lastSeq(h.id));
      await new Promise((r) => setTimeout(r, CUT_MS)); // the scenario's outage, not a wait for something
      // The dashboard shows the cut hall offline (its bridge's will), the others online.
      const during = (await (await fetch(`${city.baseUrl}/api/city/halls`)).json()) as { halls: { hallId: string; online: boolean }[] };
      expect(Object.fromEntries(during.halls.map((h) => [h.hallId, h.online]))).toEqual(Object.fromEntries(halls.map((h) => [h.id, h !== cutHall])));
      const hallDuringCut = cutHall.engine.state.seq;
      expect(hallDuringCut).toBeGreaterThan(cityAtCut + 50);
      expect(city.ingest.lastSeq(cutHall.id)).toBeLessThan(hallDuringCut);
      halls.slice(0, 2).forEach((h, i) => expect(city.ingest.lastSeq(h.id)).toBeGreaterThan(othersAtCut[i] as number));
      // What the cut hall sends after the return (a QoS 0 watcher on the cluster) and what the city applies: printed if the window is missed.
      const trace: string[] = [];
      const watcher = await mqtt.connectAsync(cluster.mqttUrls[2] as string, { protocolVersion: 4, clientId: 'trace-watcher', username: 'city', password: cityPassword, clean: true });
      await watcher.subscribeAsync(`city/${cutHall.id}/#`, { qos: 0 });
      watcher.on('message', (topic, payload) => {
        if (trace.length < 300 && !topic.includes('/state/')) trace.push(`${Date.now() - restoredAt} ms: ${topic} ${payload.length} bytes`);
      });
      const traceApplied = (hall: string, seqs: number[]) => {
        if (hall === cutHall.id && trace.length < 300) trace.push(`${Date.now() - restoredAt} ms: applied ${seqs[0]}..${seqs.at(-1)}, ${city.ingest.metrics.catchUpRequests} catch-up requests so far`);
      };
      city.ingest.on('applied', traceApplied);
      for (const l of links) l.restore();
      const restoredAt = Date.now();
      // Correctness window, not a benchmark: the bridge retries every 2 s (Mosquitto's least), then
      // the city follows the hall by catch-up pages while the events' own connection drains.
      await until(() => city.ingest.lastSeq(cutHall.id) >= hallDuringCut && lagUnder(cutHall, LAG_MS), `the cut hall's lag back under ${LAG_MS} ms within ${RETURN_WINDOW_MS} ms of the link's return`, RETURN_WINDOW_MS).catch((e: unknown) => {
        console.log(trace.join('\n'));
        throw e;
      });
      city.ingest.off('applied', traceApplied);
      await watcher.endAsync();
      const backAt = Date.now();
      console.log(`city: WAN cut ${Math.round((restoredAt - cutAt) / 1000)} s; the cut hall's ${hallDuringCut - cityAtCut} events in the city and its lag under ${LAG_MS} ms ${backAt - restoredAt} ms after the link returned`);
      const after = (await (await fetch(`${city.baseUrl}/api/city/halls`)).json()) as { halls: { hallId: string; online: boolean }[] };
      expect(Object.fromEntries(after.halls.map((h) => [h.hallId, h.online]))).toEqual(Object.fromEntries(halls.map((h) => [h.id, true])));
      // And it stays there while the halls go on.
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (!lagUnder(cutHall, LAG_MS)) {
            clearInterval(check);
            reject(new Error(`lag above ${LAG_MS} ms again ${Date.now() - backAt} ms after it was back: city ${city.ingest.lastSeq(cutHall.id)}, hall ${cutHall.engine.state.seq}`));
          } else if (Date.now() - backAt > HOLD_MS) {
            clearInterval(check);
            resolve();
          }
        }, 100);
      });
    } finally {
      stop();
    }
    await until(caughtUp, 'every hall caught up');

    // Exactly once: the city has seq 1..n of each hall, each once, of the hall's own types.
    for (const h of halls) {
      const rows = (await city.store.pool.query<{ seq: string; type: string }>('SELECT seq, type FROM hall_events WHERE hall_id = $1 ORDER BY seq', [h.id])).rows;
      const log = h.engine.eventsAfter(0, 1_000_000);
      expect(rows.map((r) => Number(r.seq))).toEqual(log.map((e) => e.seq));
      expect(rows.map((r) => r.type)).toEqual(log.map((e) => e.type));
      // The projection ran once per event: tickets and outcomes as the hall has them.
      const t = (await city.store.pool.query<{ n: string; done: string; called: string }>("SELECT count(*) n, count(*) FILTER (WHERE status = 'done') done, count(called_at) called FROM tickets WHERE hall_id = $1", [h.id])).rows[0];
      const tickets = Object.values(h.engine.state.tickets);
      expect(Number(t?.n)).toBe(log.filter((e) => e.type === 'TicketIssued').length);
      expect(Number(t?.done)).toBe(tickets.filter((x) => x.status === 'done').length);
      expect(Number(t?.called)).toBe(tickets.filter((x) => x.calledAt !== undefined).length);
    }
    console.log(`city ingest: ${JSON.stringify(city.ingest.metrics)}`);
    // The dead node comes back, so the tests below meet a whole cluster.
    await cluster.restart(0);
  }, 240_000);

  it('refuses a hall publishing under another hall id', async () => {
    const url = cluster.mqttUrls[1] as string;
    const watcher = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: 'test-watcher', username: 'city', password: cityPassword, clean: true });
    const seen: string[] = [];
    // A QoS 1 subscription is a JetStream consumer: while the cluster settles after the node's return the
    // suback can say "unspecified error"; asked again on that answer, a few times at most.
    for (let attempt = 1; ; attempt++) {
      try {
        await watcher.subscribeAsync('city/+/#', { qos: 1 });
        break;
      } catch (e) {
        if (attempt >= 10) throw e;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
    const marker = new Promise<void>((resolve) =>
      watcher.on('message', (topic, payload) => {
        seen.push(`${topic} ${payload.toString()}`);
        if (topic === 'city/hall-east/state/probe') resolve();
      }),
    );
    const east = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: 'forger', username: 'hall-east', password: passwords.get('hall-east'), clean: true });
    const forged = { type: 'TicketIssued', seq: 999_999, at: 1, commandId: 'x', ticket: { id: 'forged' } };
    await east.publishAsync('city/hall-west/events', JSON.stringify(forged), { qos: 1 });
    await east.publishAsync('city/hall-west/state/queue', JSON.stringify({ seq: 999_999, day: '2026-11-23', services: {} }), { qos: 1 });
    // Its own topic, after the forged ones on the same connection: once this arrives, they would have.
    await east.publishAsync('city/hall-east/state/probe', 'marker', { qos: 1 });
    await marker;
    // hall-west's own bridge may still be draining its backlog from the WAN cut: only the forged ones count.
    expect(seen.filter((s) => s.startsWith('city/hall-west/') && s.includes('999999'))).toEqual([]);
    expect(cluster.log(1)).toMatch(/Publish Violation.*hall-east.*city\.hall-west\.events/);
    expect(city.ingest.lastSeq('hall-west')).toBeLessThan(999_999);
    await east.endAsync();
    await watcher.endAsync();
  });

  it('carries appointments and notices from the city to that hall only, through the cluster and the bridge', async () => {
    const east = halls[0] as TestHall;
    const west = halls[1] as TestHall;
    const day = new Date(east.now() + 86_400_000).toISOString().slice(0, 10);
    const appt = { id: 'CITY-A-1', serviceId: 'A', slotStart: `${day}T10:00:00+08:00`, slotEnd: `${day}T10:30:00+08:00`, idNumber: '11010519491231002X', name: '张三' };
    const booked = await send('hall-east', 'appointments', { appointments: [appt] });
    expect(booked.answer.data?.results).toEqual([{ id: 'CITY-A-1', result: 'booked' }]);
    expect(east.engine.state.appointments['CITY-A-1']).toMatchObject({ serviceId: 'A', status: 'booked' });
    expect(west.engine.state.appointments['CITY-A-1']).toBeUndefined();
    // Idempotent, then a change and a cancellation through the same import.
    expect((await send('hall-east', 'appointments', { appointments: [appt] })).answer.data?.results).toEqual([{ id: 'CITY-A-1', result: 'unchanged' }]);
    expect((await send('hall-east', 'appointments', { appointments: [{ ...appt, slotStart: `${day}T11:00:00+08:00`, slotEnd: `${day}T11:30:00+08:00` }] })).answer.data?.results).toEqual([{ id: 'CITY-A-1', result: 'changed' }]);
    expect(east.engine.state.appointments['CITY-A-1']?.slotStart).toBe(Date.parse(`${day}T11:00:00+08:00`));
    expect((await send('hall-east', 'appointments', { appointments: [{ ...appt, status: 'cancelled' }] })).answer.data?.results).toEqual([{ id: 'CITY-A-1', result: 'cancelled' }]);
    expect(east.engine.state.appointments['CITY-A-1']?.status).toBe('cancelled');
    // No raw ID number in the hall's state or log lines.
    expect(JSON.stringify(east.engine.state.appointments)).not.toContain('11010519491231002X');
    expect(JSON.stringify(east.logs)).not.toContain('11010519491231002X');

    // A notice: the hall's emergency notice, raised and cleared; the other halls untouched.
    expect((await send('hall-east', 'notice', { action: 'raise', preset: 'suspend' })).answer.data?.outcome?.ok).toBe(true);
    expect(east.engine.state.emergency?.kind).toBe('emergency');
    expect(west.engine.state.emergency).toBeUndefined();
    // A notice past its time is not applied.
    expect((await send('hall-west', 'notice', { action: 'raise', text: '过期通知', until: new Date(west.now() - 60_000).toISOString() })).answer.error?.code).toBe('expired');
    expect(west.engine.state.emergency).toBeUndefined();
    expect((await send('hall-east', 'notice', { action: 'clear' })).answer.data?.outcome?.ok).toBe(true);
    expect(east.engine.state.emergency).toBeUndefined();
    // The API checks the body and the token.
    expect((await fetch(`${city.baseUrl}/api/city/halls/hall-east/notice`, { method: 'POST', headers: auth, body: JSON.stringify({ action: 'shout' }) })).status).toBe(400);
    expect((await fetch(`${city.baseUrl}/api/city/halls/hall-east/notice`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'clear' }) })).status).toBe(401);
    expect((await fetch(`${city.baseUrl}/api/city/halls/nowhere/notice`, { method: 'POST', headers: auth, body: JSON.stringify({ action: 'clear' }) })).status).toBe(404);

    // The answers are in PostgreSQL: a restart of the city service keeps them (same durable session).
    await city.stop();
    city = await startCity(config, { brokerPassword: cityPassword, token: 'city-token', logger: recordingLogger(cityLogs) });
    const kept = await fetch(`${city.baseUrl}/api/city/messages/${booked.id}`, { headers: auth });
    expect(kept.status).toBe(200);
    expect(((await kept.json()) as { answer: unknown }).answer).toEqual(booked.answer);
    expect(booked.answer).toMatchObject({ hall: 'hall-east', status: 'ok' });
    // Nothing personal kept with it: the body sent (with the ID number) is not stored.
    const rows = (await city.store.pool.query('SELECT * FROM city_messages')).rows;
    expect(rows.length).toBe(7); // the 4 appointment imports and 3 notices above
    expect(JSON.stringify(rows)).not.toMatch(/11010519491231002X|张三/);
    // An id never sent: 404, not a null answer.
    const unknown = await fetch(`${city.baseUrl}/api/city/messages/in-00000000-0000-4000-8000-000000000000`, { headers: auth });
    expect(unknown.status).toBe(404);
  }, 120_000);

  it("keeps each identity's client ids its own: a hall's login with the city's or another hall's bridge id takes no session over", async () => {
    const west = halls[1] as TestHall;
    const bridgeConnects = () => (west.brokerLog().match(/Connecting bridge/g) ?? []).length;
    const before = { city: city.ingest.metrics.connections, bridge: bridgeConnects() };
    // The ids an impostor would try: the documented fixed ones (before they became per-password).
    for (const clientId of ['hallq-city', 'hallq-bridge-hall-west', 'hallq-bridge-hall-west-events']) {
      for (const url of cluster.mqttUrls) {
        // (NATS may refuse a client id that connects again and again within a second: as good.)
        const c = await mqtt.connectAsync(url, { protocolVersion: 4, clientId, username: 'hall-east', password: passwords.get('hall-east'), clean: true, reconnectPeriod: 0, connectTimeout: 5000 }).catch(() => undefined);
        await c?.endAsync();
      }
    }
    // A round trip through the city's session and hall-west's bridge (both connections): a session
    // taken over would reconnect before this could complete.
    // (No notice is in force: the hall's core refuses the clear, an answer all the same.)
    expect((await send('hall-west', 'notice', { action: 'clear' })).answer).toMatchObject({ status: 'error', error: { code: 'emergency-none' } });
    const target = west.engine.state.seq + 1;
    west.step(3);
    await until(() => city.ingest.lastSeq(west.id) >= target, "hall-west's next events in the city", 30_000);
    expect(city.ingest.metrics.connections).toBe(before.city);
    expect(bridgeConnects()).toBe(before.bridge);
  }, 60_000);

  it('answers every bad request to the city in the one error shape, in English and Chinese', async () => {
    const shape = (b: unknown) => errorBodySchema.parse(b).error;
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const r = await fetch(`${city.baseUrl}${path}`, { headers });
      return { status: r.status, error: shape(await r.json()) };
    };
    const post = async (path: string, body: string, type = 'application/json') => {
      const r = await fetch(`${city.baseUrl}${path}`, { method: 'POST', headers: { authorization: 'Bearer city-token', 'content-type': type }, body });
      return { status: r.status, error: shape(await r.json()) };
    };
    const token = { authorization: 'Bearer city-token' };
    // One at a time: each case's request is made when its turn comes.
    const cases: [() => Promise<{ status: number; error: { code: string; message: string; messageZh?: string | undefined } }>, number, string, RegExp?][] = [
      [() => get('/api/public/nearby?service=A&lat=999&lon=118'), 400, 'payload-invalid', /lat/],
      [() => get('/api/public/nearby?service=A&lat=&lon=118'), 400, 'payload-invalid', /lat/],
      [() => get('/api/public/nearby?service=A&lat=32&lon=abc'), 400, 'payload-invalid', /lon/],
      [() => get('/api/public/nearby?service=A%20B&lat=32&lon=118'), 400, 'payload-invalid', /service/],
      [() => get('/api/public/nearby?service=A&lat=32&lon=118&radiusKm=0'), 400, 'payload-invalid', /radiusKm/],
      [() => get('/api/public/nearby?service=A&lat=32&lon=118&x=1'), 400, 'payload-invalid', /query\.x: unknown key/],
      [() => get('/api/city/reports?day=2026-11-23'), 401, 'unauthorized'],
      [() => get('/api/city/reports?day=2026-13-45', token), 400, 'payload-invalid', /^day: /],
      [() => get('/api/city/reports?day=2026-02-30', token), 400, 'payload-invalid', /^day: /],
      [() => get('/api/city/reports', token), 400, 'payload-invalid', /^day: /],
      [() => get('/api/city/feed?after=-1', token), 400, 'payload-invalid', /after/],
      [() => get('/api/city/feed?limit=0', token), 400, 'payload-invalid', /limit/],
      [() => get('/api/city/feed?limit=ten', token), 400, 'payload-invalid', /limit/],
      [() => get('/api/city/feed'), 401, 'unauthorized'],
      [() => get('/api/city/messages/nope', token), 404, 'not-found', /no such message/],
      [() => get('/api/city/messages/in-00000000-0000-4000-8000-000000000000'), 401, 'unauthorized'],
      [() => get('/api/city/nothing-here'), 404, 'not-found'],
      [() => post('/api/city/halls/hall-east/notice', '{"action": '), 400, 'payload-invalid'],
      [() => post('/api/city/halls/hall-east/notice', ''), 400, 'payload-invalid'],
      [() => post('/api/city/halls/hall-east/notice', 'action=clear', 'application/x-www-form-urlencoded'), 415, 'unsupported-media-type'],
      [() => post('/api/city/halls/hall-east/notice', JSON.stringify({ action: 'shout' })), 400, 'payload-invalid', /action/],
      [() => post('/api/city/halls/hall-east/appointments', JSON.stringify({ appointments: [{ id: 'X' }] })), 400, 'payload-invalid', /appointments/],
      [() => post('/api/city/halls/nowhere/appointments', JSON.stringify({ appointments: [] })), 404, 'not-found'],
      [() => post('/api/city/halls/hall-east/notice', JSON.stringify({ action: 'raise', text: 'x'.repeat(100_000) })), 413, 'payload-too-large'],
    ];
    for (const [ask, status, code, message] of cases) {
      const a = await ask();
      expect({ status: a.status, code: a.error.code }).toEqual({ status, code });
      expect(a.error.messageZh).toMatch(/[\u4e00-\u9fff]/);
      if (message) expect(a.error.message).toMatch(message);
      // The validator's raw wording stays out of what a citizen reads.
      expect(a.error.messageZh).not.toMatch(/Invalid|expected|received/);
    }
    // A day that is not a calendar day was answered 200 with empty rows before.
    expect((await get('/api/city/reports?day=2026-13-45', token)).error.message).toMatch(/YYYY-MM-DD/);
  });

  it('lets only the bridge feed city/in/ on the hall broker, and each hall read only its own on the cluster', async () => {
    const east = halls[0] as TestHall;
    const T = `hallq/v1/${east.id}`;
    // The server's user reads everything of its hall: it watches what reaches city/in/.
    const watcher = await mqtt.connectAsync(east.brokerUrl, { protocolVersion: 4, clientId: east.users.server.username, username: east.users.server.username, password: east.users.server.password, clean: true });
    const seen: string[] = [];
    await watcher.subscribeAsync(`${T}/city/#`, { qos: 1 });
    const marker = new Promise<void>((resolve) =>
      watcher.on('message', (topic) => {
        seen.push(topic);
        if (topic === `${T}/city/probe`) resolve();
      }),
    );
    // A hall agent on the LAN forges an evacuation notice: Mosquitto's ACL drops it.
    const agent = await mqtt.connectAsync(east.brokerUrl, { protocolVersion: 4, clientId: east.users.agent.username, username: east.users.agent.username, password: east.users.agent.password, clean: true });
    await agent.publishAsync(`${T}/city/in/notice`, JSON.stringify({ id: 'forged-1', action: 'raise', preset: 'evacuate' }), { qos: 1 });
    // Routed after the forged one was (it was acknowledged first): once this arrives, that one would have.
    await watcher.publishAsync(`${T}/city/probe`, 'marker', { qos: 1 });
    await marker;
    expect(seen).toEqual([`${T}/city/probe`]);
    expect(east.engine.state.emergency).toBeUndefined();
    await agent.endAsync();
    await watcher.endAsync();

    // On the cluster a hall may neither read another hall's city/in/ nor write it.
    const eastOnCluster = await mqtt.connectAsync(cluster.mqttUrls[1] as string, { protocolVersion: 4, clientId: 'east-probe', username: 'hall-east', password: passwords.get('hall-east'), clean: true });
    const granted = await eastOnCluster.subscribeAsync('city/hall-west/in/#', { qos: 0 }).then(
      (g) => g.map((x) => x.qos),
      () => [128],
    );
    expect(granted).toEqual([128]);
    await eastOnCluster.publishAsync('city/hall-west/in/notice', JSON.stringify({ id: 'forged-2', action: 'raise', preset: 'evacuate' }), { qos: 1 });
    await eastOnCluster.endAsync();
    // The node logs the violation as it drops the message (its log is read through a pipe: bounded wait).
    for (let i = 0; i < 50 && !/Publish Violation.*hall-east.*city\.hall-west\.in\.notice/.test(cluster.log(1)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(cluster.log(1)).toMatch(/Publish Violation.*hall-east.*city\.hall-west\.in\.notice/);
    expect((halls[1] as TestHall).engine.state.emergency).toBeUndefined();
  }, 60_000);

  it('shows the dashboard and the shortest wait in Chromium', async () => {
    const api = (await (await fetch(`${city.baseUrl}/api/city/halls`)).json()) as { halls: { hallId: string; openWindows: number; services: { serviceId: string; waiting: number }[] }[] };
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${city.baseUrl}/`);
      await page.waitForSelector('body[data-loaded="true"]');
      for (const h of api.halls) {
        expect(await page.textContent(`section[data-hall="${h.hallId}"] .open-windows`)).toBe(String(h.openWindows));
        for (const s of h.services) expect(await page.textContent(`section[data-hall="${h.hallId}"] tr[data-service="${s.serviceId}"] .waiting`)).toBe(String(s.waiting));
      }
      // Nothing personal on the page: no masked names or ID numbers.
      expect(await page.textContent('body')).not.toMatch(/\*\*\*/);
      // The static placeholder goes once the halls are drawn; the city is live; the icon is served.
      expect(await page.textContent('body')).not.toContain('Loading');
      expect(await page.$('#not-live')).toBeNull();
      expect((await fetch(`${city.baseUrl}/favicon.ico`)).status).toBe(200);

      // hall-east with a queue of A: two windows open, both serving, three waiting (the figures the estimate reads:
      // the new ticket, 4th, waits 4 completions, 4 × mean ÷ 2; waiting × mean ÷ open would say 3 × mean ÷ 2).
      const east = halls[0] as TestHall;
      let n = 0;
      const run = (cmd: Record<string, unknown>) => {
        const r = east.engine.handle({ id: `near-${String(++n)}`, ...cmd } as Parameters<TestHall['engine']['handle']>[0], east.now());
        if (!r.outcome.ok) throw new Error(`${String(cmd['type'])} refused: ${JSON.stringify(r.outcome)}`);
      };
      for (const [window, staffId] of [[1, 's1'], [2, 's2']] as const) if (east.engine.state.windows[String(window)]?.status !== 'open') run({ type: 'OpenWindow', window, staffId });
      for (let i = 0; i < 5; i++) run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
      run({ type: 'CallNext', window: 1 });
      run({ type: 'CallNext', window: 2 });
      await until(caughtUp, 'the city caught up');
      const near = (await (await fetch(`${city.baseUrl}/api/public/nearby?service=A&lat=32.05&lon=118.78&radiusKm=30`)).json()) as { halls: { hallId: string; waiting: number; openWindows: number; freeWindows: number; estimatedWaitMinutes: number | null }[] };
      expect(near.halls.map((x) => x.hallId).sort()).toEqual([...HALLS].sort());
      // Each hall's figures as its own state has them (the city is caught up), and the wait of a ticket taken
      // now by the hall's formula (position waiting + 1; a free window calls at once), not waiting × mean ÷ open.
      for (const x of near.halls) {
        const st = (halls.find((h) => h.id === x.hallId) as TestHall).engine.state;
        const cfg = st.config;
        if (!cfg) throw new Error(`${x.hallId} has no config`);
        const openA = cfg.windows.filter((w) => st.windows[String(w.id)]?.status === 'open' && w.tiers.flat().includes('A'));
        const busy = (id: number) => {
          const cur = st.windows[String(id)]?.current;
          const t = cur === undefined ? undefined : st.tickets[cur];
          return t !== undefined && (t.status === 'called' || t.status === 'serving');
        };
        const free = openA.filter((w) => !busy(w.id)).length;
        const waitingA = Object.values(st.tickets).filter((t) => t.serviceId === 'A' && t.status === 'waiting' && t.day === st.day).length;
        const mean = cfg.services.find((sv) => sv.id === 'A')?.avgServiceMinutes ?? NaN;
        expect({ waiting: x.waiting, open: x.openWindows, free: x.freeWindows }).toEqual({ waiting: waitingA, open: openA.length, free });
        const ms = arrivalWaitMs({ waiting: waitingA, openWindows: openA.length, freeWindows: free, meanServiceMs: mean * 60_000 });
        expect(x.estimatedWaitMinutes).toBe(ms === undefined ? null : waitMinutes(ms));
      }
      // Not vacuous: hall-east has a queue and a wait to tell.
      expect(near.halls.find((x) => x.hallId === 'hall-east')).toMatchObject({ waiting: expect.any(Number) as number, estimatedWaitMinutes: expect.any(Number) as number });
      expect(near.halls.find((x) => x.hallId === 'hall-east')?.waiting).toBeGreaterThanOrEqual(3);
      // A link with its query searches at load, without a click.
      await page.goto(`${city.baseUrl}/nearby?service=A&lat=32.05&lon=118.78`);
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.$$eval('#results tbody tr', (rows) => rows.map((r) => r.getAttribute('data-hall')))).toEqual(near.halls.map((x) => x.hallId));
      // Typed with spaces: trimmed, and the inputs keep what was typed after the search.
      await page.$eval('body', (b) => b.removeAttribute('data-loaded'));
      await page.fill('#ask input[name="lat"]', ' 32.05 ');
      await page.click('#ask button');
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.$$eval('#results tbody tr', (rows) => rows.map((r) => r.getAttribute('data-hall')))).toEqual(near.halls.map((x) => x.hallId));
      expect(await page.inputValue('#ask input[name="lat"]')).toBe('32.05');
      expect(await page.inputValue('#ask input[name="lon"]')).toBe('118.78');
      // Bad input: a clear message in Chinese and English naming the field, not the validator's text.
      await page.fill('#ask input[name="lat"]', '999');
      await page.click('#ask button');
      await page.waitForSelector('#error');
      const zh = await page.textContent('#error p[lang="zh-CN"]');
      const en = await page.textContent('#error p[lang="en"]');
      expect(zh).toContain('纬度：请输入 -90 到 90 之间的数字');
      expect(en).toContain('the latitude must be a number from -90 to 90');
      expect(`${zh} ${en}`).not.toMatch(/Invalid|expected|received|Too big|Number must/);
      await page.fill('#ask input[name="lat"]', '');
      await page.fill('#ask input[name="lon"]', 'east');
      await page.click('#ask button');
      await page.waitForSelector('#error p[lang="zh-CN"]:has-text("经度")');
      expect(await page.textContent('#error p[lang="zh-CN"]')).toContain('纬度');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('serves reports and the feed to the city token only, without personal data', async () => {
    const day = (await city.store.pool.query<{ day: string }>("SELECT day FROM halls WHERE hall_id = 'hall-east'")).rows[0]?.day as string;
    expect((await fetch(`${city.baseUrl}/api/city/reports?day=${day}`)).status).toBe(401);
    const auth = { headers: { authorization: 'Bearer city-token' } };
    const rep = (await (await fetch(`${city.baseUrl}/api/city/reports?day=${day}`, auth)).json()) as { rows: { hallId: string; issued: number }[] };
    for (const h of halls) {
      const issued = Object.values(h.engine.state.tickets).filter((t) => t.day === day).length;
      expect(rep.rows.filter((r) => r.hallId === h.id).reduce((n, r) => n + r.issued, 0)).toBe(issued);
    }
    const feed = (await (await fetch(`${city.baseUrl}/api/city/feed?after=0&limit=5000`, auth)).json()) as { items: { cursor: number }[]; next: number };
    expect(feed.items.length).toBeGreaterThan(100);
    expect(JSON.stringify(feed)).not.toMatch(/idHash|idMasked|nameMasked|phone/);
    expect((await fetch(`${city.baseUrl}/api/public/nearby?service=A&lat=999&lon=0`)).status).toBe(400);
  });
});
