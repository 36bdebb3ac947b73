/**
 * The bound on catch-up answers (README "MQTT API"): the server's CatchUpQueue makes them one at a
 * time, agents in turn, a few waiting per agent, the rest refused BUSY; the agent's link answered BUSY
 * pauses and asks again, so its catch-up still completes. The whole flood over a real server process:
 * test/server/catch-up-flood.test.ts.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { topics } from '../../src/bus/topics.js';
import { emptyState } from '../../src/core/index.js';
import { CATCH_UP_WAITING, CatchUpQueue } from '../../src/server/catch-up.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';

describe('CatchUpQueue', () => {
  it('answers one per turn of the loop, agents in turn, other work between; refuses beyond the bound; a repeat waits once', async () => {
    const q = new CatchUpQueue();
    const order: string[] = [];
    let last!: () => void;
    const done = new Promise<void>((resolve) => (last = resolve));
    const job = (name: string) => () => {
      order.push(name);
      // Work that comes meanwhile (a command's group commit, an HTTP request) runs before the next answer.
      if (name === 'a1') setImmediate(() => order.push('other'));
      if (name === 'b2') last();
    };
    const added = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => q.add('a', id, job(id)));
    expect(added).toEqual([...Array<string>(CATCH_UP_WAITING).fill('queued'), 'full']);
    expect(q.add('a', 'a2', job('a2 again'))).toBe('repeat');
    expect(q.add('b', 'b1', job('b1'))).toBe('queued');
    expect(q.add('b', 'b2', job('b2'))).toBe('queued');
    expect(order).toEqual([]);
    await done;
    expect(order).toEqual(['a1', 'other', 'b1', 'a2', 'b2']);
    // A lane with room again takes a new one.
    expect(q.add('a', 'a6', () => undefined)).toBe('queued');
    q.clear();
  });
});

describe('the agent link answered BUSY', () => {
  const HALL = 'busy-hall';
  const T = topics(HALL);
  let broker: Broker;
  beforeAll(async () => {
    broker = await startMosquitto();
  }, 60_000);
  afterAll(async () => {
    await broker?.stop();
  });

  it('asks again after a pause and completes its catch-up', async () => {
    // A stand-in server: BUSY to the first two state requests, then the state; the events after it: none.
    const server = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const asked: string[] = [];
    const state = { ...emptyState(), seq: 7 };
    server.on('message', (_topic, payload) => {
      const req = JSON.parse(payload.toString()) as { id: string; type: string };
      asked.push(req.type);
      const busy = req.type === 'state' && asked.filter((t) => t === 'state').length <= 2;
      const answer = busy
        ? { id: req.id, status: 'error', error: { code: 'BUSY', message: 'busy', messageZh: '忙' } }
        : req.type === 'state'
          ? { id: req.id, status: 'ok', data: { seq: 7, part: 0, parts: 1, chunk: JSON.stringify(state) } }
          : { id: req.id, status: 'ok', data: { events: [], lastSeq: 7, more: false, resync: false } };
      server.publish(T.response('agent-1'), JSON.stringify(answer), { qos: 1 });
    });
    await server.subscribeAsync(T.request('agent-1'), { qos: 1 });
    const logs: LogRecord[] = [];
    const link = new AgentLink({ url: broker.url, hall: HALL, agentId: 'agent-1' }, recordingLogger(logs));
    try {
      // The link's own catch-up, once it is subscribed to its answers (start's connect begins it).
      const caughtUp = new Promise<void>((resolve) => link.onCaughtUp(() => resolve()));
      await link.start();
      await caughtUp;
      expect(link.replica.seq).toBe(7);
      expect(asked).toEqual(['state', 'state', 'state', 'events']);
      expect(logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
    } finally {
      await link.stop();
      await server.endAsync();
    }
  }, 60_000);
});
