/**
 * Tryout (medium): one agent's broker credentials froze the hall server. 1,000 requests
 * `{"type":"events","after":0,"limit":5000}` on its own request topic were each answered at once, a full
 * page (~30 ms of the loop) apiece: /readyz went unanswered for 30 s and a staff command waited behind
 * them. The server now makes the answers that grow with the day one at a time, each agent in turn, at
 * most CATCH_UP_WAITING waiting per agent, and refuses the rest BUSY (one warning per episode).
 *
 * A real `hallq server` process over a real Mosquitto, a busy log of a few thousand events, then the
 * flood from kiosk-1 while a command comes from kiosk-2, /readyz is asked and a well-behaved agent
 * pages through the whole day from its start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { topics } from '../../src/bus/topics.js';
import type { HallState } from '../../src/core/index.js';
import { CATCH_UP_WAITING } from '../../src/server/catch-up.js';
import { writeAllDayHallYaml } from '../helpers/all-day-hall-yaml.js';
import { startReady, type Daemon } from '../helpers/hallq-process.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { cliAuth } from '../wire/server-process.js';

const HALL = 'flood-hall';
const T = topics(HALL);
const FLOOD = 1000;
const WARNING = 'catch-up requests refused BUSY';

interface Answer {
  client: string;
  id: string;
  status: 'ok' | 'error';
  code?: string;
  messageZh?: string;
  data?: { events?: unknown[] };
}

describe('an agent flooding catch-up requests', () => {
  let broker: Broker;
  let server: Daemon;
  let raw: MqttClient;
  let dir: string;
  let config: string;
  let base: string;
  const good: AgentLink[] = [];
  /** Every answer the server published on res/<client>, in the order the broker passed them on (one publisher, one subscriber). */
  const answers: Answer[] = [];
  /** Answers on res/kiosk-1 (the flooder's) so far. */
  let floodCount = 0;
  /** The ids answered so far. */
  const ids = new Set<string>();
  /** Waits for a predicate over the answers, checked as each one comes (not polled). */
  const waiters = new Set<() => void>();
  const until = (pred: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!pred()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });

  beforeAll(async () => {
    // The shipped config's queue per client: the 1,000 answers reach the watching client whole.
    broker = await startMosquitto('max_queued_messages 10000\n');
    dir = mkdtempSync(join(tmpdir(), 'hallq-catch-up-flood-'));
    const httpPort = await freePort();
    base = `http://127.0.0.1:${httpPort}`;
    config = writeAllDayHallYaml({
      dir,
      id: HALL,
      name: { zh: '补发大厅', en: 'Flood hall' },
      windows: 2,
      agents: ['{ id: kiosk-1, kiosk: {} }', '{ id: kiosk-2, kiosk: {}, devices: { rs485: [{ path: /dev/hallq/rs485-0, keypads: [{ window: 2, address: 2 }] }] } }', '{ id: reader-1 }'],
      brokerUrl: broker.url,
      httpPort,
    });
    server = await startReady('server', config);
    raw = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    raw.on('message', (topic, payload) => {
      const r = JSON.parse(payload.toString()) as { id: string; status: 'ok' | 'error'; data?: Answer['data']; error?: { code: string; messageZh: string } };
      answers.push({ client: topic.slice(topic.lastIndexOf('/') + 1), id: r.id, status: r.status, code: r.error?.code, messageZh: r.error?.messageZh, data: r.data });
      ids.add(r.id);
      if (topic === T.response('kiosk-1')) floodCount += 1;
      for (const w of [...waiters]) w();
    });
    await raw.subscribeAsync(T.response('+'), { qos: 1 });
  }, 120_000);

  afterAll(async () => {
    for (const a of good) await a.stop();
    raw?.end(true);
    await server?.kill();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const http = (path: string, body?: unknown) =>
    fetch(`${base}${path}`, body === undefined ? { headers: cliAuth(config) } : { method: 'POST', headers: { 'content-type': 'application/json', ...cliAuth(config) }, body: JSON.stringify(body) });
  const stateNow = async () => (await (await http('/api/state')).json()) as HallState;
  const answered = (id: string) => ids.has(id);

  it('refuses the excess BUSY and warns once, while /readyz, a command and a fair catch-up of the day go on', async () => {
    expect((await http('/api/commands', { id: 'open-2', type: 'OpenWindow', window: 2, staffId: 's2' })).status).toBe(200);
    // Where the well-behaved agent was before the day got busy: it pages through all the rest.
    const early = await stateNow();

    // A busy day from kiosk-2 (its kiosk issues, its keypad calls at window 2): a few thousand events.
    for (let batch = 0; batch < 6; batch++) {
      const sent: string[] = [];
      for (let i = 0; i < 200; i++) {
        const n = batch * 200 + i;
        sent.push(`issue-${n}`, `call-${n}`);
        raw.publish(T.request('kiosk-2'), JSON.stringify({ id: `issue-${n}`, type: 'command', command: { id: `c-issue-${n}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none' } }), { qos: 1 });
        raw.publish(T.request('kiosk-2'), JSON.stringify({ id: `call-${n}`, type: 'command', command: { id: `c-call-${n}`, type: 'CallNext', window: 2 } }), { qos: 1 });
      }
      await until(() => sent.every(answered));
    }
    const busyDay = await stateNow();
    expect(busyDay.seq - early.seq).toBeGreaterThan(3000);
    const warningsBefore = server.output().split('\n').filter((l) => l.includes(WARNING)).length;

    // The flood, then (on the same connection, so the broker hands it to the server after the whole
    // flood) a command from kiosk-2: the server takes each request's agent from its topic.
    for (let i = 0; i < FLOOD; i++) raw.publish(T.request('kiosk-1'), JSON.stringify({ id: `runaway-${i}`, type: 'events', after: 0, limit: 5000 }), { qos: 0 });
    raw.publish(T.request('kiosk-2'), JSON.stringify({ id: 'during-flood', type: 'command', command: { id: 'c-during-flood', type: 'IssueTicket', serviceId: 'A', delivery: 'none' } }), { qos: 0 });
    const floodAnswers = () => answers.filter((a) => a.client === 'kiosk-1');
    const floodDone = until(() => floodCount >= FLOOD);
    // /readyz asked once the server answers the flood; how much of the flood was answered when it came back.
    const readyz = until(() => floodCount > 0)
      .then(() => fetch(`${base}/readyz`))
      .then(async (res) => ({ status: res.status, body: (await res.json()) as { ok: boolean }, floodAnswered: floodCount }));
    // A well-behaved agent joins now and pages through the day from where it was (events pages, no state load).
    const logs: LogRecord[] = [];
    const reader = new AgentLink({ url: broker.url, hall: HALL, agentId: 'reader-1', requestTimeoutMs: 5000 }, recordingLogger(logs));
    good.push(reader);
    reader.replica.load(early);
    let replayed = 0;
    reader.onCaughtUp((r) => (replayed += r.length));
    await reader.start();
    await reader.catchUp();

    await floodDone;
    await until(() => answered('during-flood'));
    const ready = await readyz;

    // Each flood request answered once: a page, or the documented refusal for what is beyond the bound.
    const flood = floodAnswers();
    expect(flood).toHaveLength(FLOOD);
    expect(new Set(flood.map((a) => a.id)).size).toBe(FLOOD);
    const pages = flood.filter((a) => a.status === 'ok');
    const busy = flood.filter((a) => a.status === 'error');
    expect(busy.every((a) => a.code === 'BUSY' && a.messageZh !== undefined && a.messageZh.length > 0)).toBe(true);
    for (const p of pages) expect(p.data?.events?.length).toBeGreaterThan(0);
    // Refused beyond the bound: the flood arrives far faster than one page is made, so nearly all of it.
    expect(busy.length).toBeGreaterThanOrEqual(FLOOD - 10 * CATCH_UP_WAITING);

    // The command from another agent was answered while flood pages were still to be made.
    const order = answers.map((a) => a.id);
    const lastFlood = Math.max(...flood.map((a) => order.indexOf(a.id)));
    expect(answers.find((a) => a.id === 'during-flood')?.status).toBe('ok');
    expect(order.indexOf('during-flood')).toBeLessThan(lastFlood);
    // /readyz answered, ready, during the flood or with the flood refused beyond the bound.
    expect(ready.status).toBe(200);
    expect(ready.body.ok).toBe(true);
    expect(ready.floodAnswered < FLOOD || busy.length >= FLOOD - 10 * CATCH_UP_WAITING).toBe(true);

    // One warning for the episode, naming the agent, none of its requests.
    const warnings = server
      .output()
      .split('\n')
      .filter((l) => l.includes(WARNING));
    expect(warnings.length - warningsBefore).toBe(1);
    expect(warnings.at(-1)).toContain('"agent":"kiosk-1"');
    expect(server.output()).not.toContain('runaway-');

    // The well-behaved agent got the whole day by pages, never refused, and follows the hall.
    const end = await stateNow();
    await reader.reach(end.seq);
    expect(replayed).toBeGreaterThanOrEqual(busyDay.seq - early.seq);
    expect(reader.replica.seq).toBe(end.seq);
    expect(Object.fromEntries(Object.entries(reader.replica.state.tickets).map(([id, t]) => [id, t.status]))).toEqual(Object.fromEntries(Object.entries(end.tickets).map(([id, t]) => [id, t.status])));
    expect(logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  }, 180_000);
});
