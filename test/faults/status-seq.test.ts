/**
 * issue 10, fault 6: the retained server/status and agent/<id>/status carry a seq that follows the
 * log (refreshed after events, at most once a second), not the seq of the moment they connected.
 * Real Mosquitto; a late subscriber reads what the broker retained.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentLink } from '../../src/agent/link.js';
import { topics } from '../../src/bus/topics.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { hallClock, startAgent, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';

const t = topics(wireConfig.id);

/** Subscribes to the status topics and resolves when both have shown `seq` (now, retained, or later). */
async function statusesReach(url: string, seq: number, agentId: string): Promise<{ server: number[]; agent: number[] }> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true });
  const seen = { server: [] as number[], agent: [] as number[] };
  try {
    await new Promise<void>((resolve) => {
      client.on('message', (topic, payload) => {
        const s = JSON.parse(payload.toString('utf8')) as { online: boolean; seq?: number };
        if (!s.online || s.seq === undefined) return;
        (topic === t.serverStatus ? seen.server : seen.agent).push(s.seq);
        if (seen.server.includes(seq) && seen.agent.includes(seq)) resolve();
      });
      void client.subscribeAsync([t.serverStatus, t.agentStatus(agentId)], { qos: 1 });
    });
  } finally {
    await client.endAsync();
  }
  return seen;
}

describe('fault 6: retained status follows the log', () => {
  let broker: Broker;
  let server: ServerRig;
  let link: AgentLink;
  beforeAll(async () => {
    broker = await startMosquitto();
    server = await startServer(broker.url, tempDb(), hallClock());
    link = await startAgent(broker.url, 'kiosk-2');
  });
  afterAll(async () => {
    await link?.stop();
    await server?.stop();
    await broker?.stop();
  });

  it('a burst of 50 events: both statuses end at the new seq, published a few times, not 50', async () => {
    const connectedAt = server.engine.state.seq;
    const counts = { server: 0, agent: 0 };
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clean: true });
    let retainedSkipped = false;
    watcher.on('message', (topic, _p, packet) => {
      if (packet.retain) return void (retainedSkipped = true);
      counts[topic === t.serverStatus ? 'server' : 'agent'] += 1;
    });
    await watcher.subscribeAsync([t.serverStatus, t.agentStatus('kiosk-2')], { qos: 1 });
    for (let i = 0; i < 50; i++) expect(server.mqtt.run({ id: `burst-${i}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none', source: 'admin' }).ok).toBe(true);
    const seq = server.engine.state.seq;
    expect(seq).toBeGreaterThanOrEqual(connectedAt + 50);
    await link.reach(seq);
    // A late subscriber gets the retained statuses: at the log's seq, not the one of the connection.
    const seen = await statusesReach(broker.url, seq, 'kiosk-2');
    expect(seen.server.at(-1)).toBe(seq);
    expect(seen.agent.at(-1)).toBe(seq);
    await watcher.endAsync();
    expect(retainedSkipped).toBe(true);
    // Rate-limited: one now and one trailing per second, never one per event.
    expect(counts.server).toBeLessThanOrEqual(4);
    expect(counts.agent).toBeLessThanOrEqual(10);
  }, 60_000);
});
