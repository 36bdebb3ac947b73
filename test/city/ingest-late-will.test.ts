import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { CityIngest } from '../../src/city/ingest.js';
import type { CityStore } from '../../src/city/store.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { brokerPerTest } from './ingest-rig.js';

/**
 * A hall's status in the city when its bridge's notifications arrive out of order: after a short WAN
 * cut the old connection's will ("0") can be delivered after the new connection's "1". Real Mosquitto
 * stands in for the cluster; the store is a recorder whose writes finish in reverse order unless the
 * ingest orders them itself.
 */
interface Recorded {
  online?: boolean;
}

function recordingStore(): { store: CityStore; written: Recorded[]; wrote: (n: number) => Promise<void> } {
  const written: Recorded[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let calls = 0;
  const store = {
    ensureHalls: async () => undefined,
    lastSeqs: async () => new Map<string, number>(),
    applyMany: async () => new Map<string, number[]>(),
    messageAnswered: async () => false,
    // The first write takes longest: a pool that runs writes concurrently would finish it last.
    hallStatus: async (_hall: string, s: Recorded) => {
      const delay = Math.max(0, 60 - 20 * calls++);
      await new Promise((r) => setTimeout(r, delay));
      if (s.online !== undefined) written.push({ online: s.online });
      for (const w of waiters.filter((x) => written.length >= x.n)) w.resolve();
    },
  } as unknown as CityStore;
  const wrote = (n: number) => new Promise<void>((resolve) => (written.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { store, written, wrote };
}

const rig0 = brokerPerTest();

async function rig(answering: boolean) {
  const broker = await rig0.start();
  const { store, written, wrote } = recordingStore();
  const ingest = new CityIngest(store, { urls: [broker.url], username: 'city', clientId: `city-${Math.random()}`, halls: ['h1'], catchUpTimeoutMs: 300, catchUpGraceMs: 100, clock: Date.now }, silentLogger);
  await ingest.start();
  rig0.closeLater(() => ingest.stop());
  // The hall at the far end of its bridge: answers the city's requests while `answering`.
  const hall = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'hall-h1', clean: true });
  rig0.closeLater(() => hall.endAsync());
  const requests: string[] = [];
  hall.on('message', (_topic, payload) => {
    const req = JSON.parse(payload.toString()) as { id: string };
    requests.push(req.id);
    if (answering) void hall.publishAsync('city/h1/res/city', JSON.stringify({ id: req.id, status: 'ok', data: { events: [], lastSeq: 0 } }));
  });
  await hall.subscribeAsync('city/h1/req/city', { qos: 0 });
  const requested = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (requests.length >= n ? resolve() : setTimeout(check, 10));
      check();
    });
  await hall.publishAsync('city/h1/server/status', JSON.stringify({ online: true, seq: 0 }), { qos: 1 });
  return { hall, written, wrote, requests, requested };
}

describe("the city's view of a hall's link", () => {
  it('keeps a hall online when its old connection\'s will comes after the new "1", once the hall answers', async () => {
    const { hall, written, wrote, requested } = await rig(true);
    await hall.publishAsync('city/h1/bridge', '1', { qos: 1 });
    await hall.publishAsync('city/h1/bridge', '0', { qos: 1 }); // the late will
    const before = written.length;
    await requested(2); // the bridge-up request, then the probe the "0" sends
    // The probe's answer turns the hall online again: the last write says online.
    await wrote(before + 1);
    await new Promise<void>((resolve) => {
      const check = () => (written.at(-1)?.online === true && written.length >= 4 ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(written.at(-1)).toEqual({ online: true });
  });

  it('keeps a hall offline while it does not answer, and stores its writes in the order they were made', async () => {
    const { hall, written, wrote, requested } = await rig(false);
    await hall.publishAsync('city/h1/bridge', '1', { qos: 1 });
    await hall.publishAsync('city/h1/bridge', '0', { qos: 1 });
    await requested(3); // bridge-up request, the probe, and a second probe after the timeout: none answered
    await wrote(3); // server status, "1", "0"
    // Each write stores the view current when it runs, in the order made: the last one is the "0"'s.
    expect(written).toHaveLength(3);
    expect(written.at(-1)).toEqual({ online: false });
  });
});
