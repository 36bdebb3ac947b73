import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { IslandMode, type IslandPhase } from '../../src/agent/island/island-mode.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import type { Request } from '../../src/bus/messages.js';
import { topics } from '../../src/bus/topics.js';
import { emptyState, execute } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';
import { within } from '../helpers/hallq-process.js';

/**
 * Island mode's away clock (AgentLink.unansweredMs; the tryout: a keypad agent on a link that hung
 * without closing never went island, each press withdrawn at 8 s, before afterSeconds, and forgotten).
 * A request the server left unanswered counts from when it was sent, withdrawn or not, until the server
 * shows itself: an answer to any request, or an online status it published live. The "server" is a
 * plain MQTT client that answers each request, or not, as the test says.
 */
const HALL = 'h';
const AGENT = 'agent-a';
const t = topics(HALL);

describe('the away clock', () => {
  let broker: EmbeddedBroker;
  let server: mqtt.MqttClient;
  let link: AgentLink;
  /** Whether the stand-in server answers (a hung one answers nothing); ids it never answers either way. */
  let answering = true;
  const ignored = new Set<string>();

  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await mqtt.connectAsync(broker.url, { clientId: 'stand-in-server' });
    server.on('message', (_topic, payload) => {
      const req = JSON.parse(payload.toString()) as Request;
      if (!answering || ignored.has(req.id)) return;
      // Any answer will do: the catch-up stops at data it cannot read; the clock reads only that one came.
      server.publish(t.response(AGENT), JSON.stringify({ id: req.id, status: 'ok', data: {} }), { qos: 1 });
    });
    await server.subscribeAsync(t.request(AGENT), { qos: 1 });
    link = new AgentLink({ url: broker.url, hall: HALL, agentId: AGENT, requestTimeoutMs: 60_000 }, silentLogger);
    await link.start();
    // An answer comes after the subscriptions' acknowledgement, whose callback sends the start's catch-up: then that one is answered too.
    await link.request({ id: 'warm-up', type: 'events', after: 0, limit: 1 });
    await link.catchUp();
  });

  afterAll(async () => {
    await link?.stop();
    await server?.endAsync(true);
    await broker?.close();
  });

  /** A keypad's press: withdrawn after `withinMs` unanswered. */
  const press = (id: string, withinMs = 30) => link.request({ id, type: 'events', after: 0, limit: 1 }, { withinMs });
  const put = (topic: string, body: unknown, retained = false) => link.handleMessage(topic, Buffer.from(JSON.stringify(body)), retained);
  const later = (ms: number) => Date.now() + ms;

  it('counts a withdrawn request from when it was sent, until an answer to any request', async () => {
    expect(link.unansweredMs(later(60_000))).toBe(0);
    answering = false;
    const before = Date.now();
    expect(await press('press-1')).toMatchObject({ status: 'error', error: { code: 'REQUEST_TIMEOUT' } });
    const after = Date.now();
    // Nothing waits any more, yet the server has not answered since the press.
    expect(link.oldestWaitMs()).toBe(0);
    expect(link.unansweredMs(after + 10_000)).toBeGreaterThanOrEqual(10_000);
    // A second press withdrawn does not move the start: the clock runs from the first.
    expect(await press('press-2')).toMatchObject({ status: 'error' });
    expect(link.unansweredMs(before + 10_000)).toBeLessThanOrEqual(10_000);
    expect(link.unansweredMs(before + 10_000)).toBeGreaterThanOrEqual(10_000 - (after - before));
    // The server answers again (any request): the clock stops.
    answering = true;
    expect(await link.request({ id: 'q-1', type: 'events', after: 0, limit: 1 })).toMatchObject({ status: 'ok' });
    expect(link.unansweredMs(later(60_000))).toBe(0);
  });

  it("stops at a withdrawn request's late answer", async () => {
    answering = false;
    expect(await press('press-3')).toMatchObject({ status: 'error' });
    expect(link.unansweredMs(later(10_000))).toBeGreaterThanOrEqual(10_000);
    put(t.response(AGENT), { id: 'press-3', status: 'ok', data: {} });
    expect(link.unansweredMs(later(60_000))).toBe(0);
    answering = true;
  });

  it('a busy, healthy hall, one request lost among the answered ones, never counts', async () => {
    ignored.add('lost-1');
    const lost = press('lost-1', 30);
    const answered = Array.from({ length: 40 }, (_, i) => link.request({ id: `busy-${String(i)}`, type: 'events', after: 0, limit: 1 }));
    expect(await lost).toMatchObject({ status: 'error', error: { code: 'REQUEST_TIMEOUT' } });
    for (const r of await Promise.all(answered)) expect(r.status).toBe('ok');
    // The lost one was withdrawn while the others were answered; the next answer ends what it started.
    expect(await link.request({ id: 'busy-last', type: 'events', after: 0, limit: 1 })).toMatchObject({ status: 'ok' });
    expect(link.unansweredMs(later(60_000))).toBe(0);
  });

  it('stops at an online status the server published live, not at a retained one nor an offline one', async () => {
    answering = false;
    expect(await press('press-4')).toMatchObject({ status: 'error' });
    // Retained: the broker's copy, maybe a hung server's. Offline: its last will.
    put(t.serverStatus, { online: true, seq: link.replica.seq }, true);
    put(t.serverStatus, { online: false });
    expect(link.unansweredMs(later(10_000))).toBeGreaterThanOrEqual(10_000);
    put(t.serverStatus, { online: true, seq: link.replica.seq, at: Date.now() });
    expect(link.unansweredMs(later(60_000))).toBe(0);
    answering = true;
  });

  it('takes an agent whose requests are withdrawn unanswered into island mode after afterSeconds', async () => {
    const state = emptyState();
    execute(state, { id: 'cfg', type: 'Configure', config: allDayHall(HALL, { zh: '测试大厅', en: 'Test hall' }, 2) }, Date.now());
    link.rewind(state);
    const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-away-clock-')), 'island.db'));
    const island = new IslandMode(link, store, { agentId: AGENT, afterSeconds: 1, logger: silentLogger });
    const phases: IslandPhase[] = [];
    const islanded = new Promise<void>((resolve) => island.onPhase((p) => (phases.push(p), p === 'island' && resolve())));
    try {
      island.start();
      answering = false;
      const sent = Date.now();
      // One press, withdrawn long before afterSeconds: nothing waits, yet the agent goes island.
      expect(await press('press-5', 200)).toMatchObject({ status: 'error' });
      expect(link.oldestWaitMs()).toBe(0);
      await within(islanded, 5000, 'island mode after one withdrawn request');
      expect(Date.now() - sent).toBeGreaterThanOrEqual(1000);
      expect(phases).toEqual(['island']);
    } finally {
      island.stop();
      link.divert = undefined;
      store.close();
      answering = true;
    }
  });
});
