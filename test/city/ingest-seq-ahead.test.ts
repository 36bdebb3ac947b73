import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { CityIngest } from '../../src/city/ingest.js';
import type { CityStore } from '../../src/city/store.js';
import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import { brokerPerTest } from './ingest-rig.js';

/**
 * A hall (or a login of it) claims a seq far ahead of what it has: an event with seq 99999999 or a
 * retained status saying 88888888. The hall's answer is the truth: the city asks once, sets its seq
 * back, drops the event that is not the hall's, and does not ask again. Real Mosquitto stands in for
 * the cluster; the store records; the clock only moves when the test moves it.
 */
const event = (seq: number) => ({ type: 'TicketPrinted', ticketId: `T${seq}`, seq, at: seq, commandId: `c${seq}` });

function recordingStore() {
  const hallSeqs: number[] = [];
  const applied: number[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const store = {
    ensureHalls: async () => undefined,
    lastSeqs: async () => new Map<string, number>(),
    applyMany: async (batches: { hall: string; events: { seq: number }[] }[]) => {
      const out = new Map<string, number[]>();
      for (const b of batches) {
        applied.push(...b.events.map((e) => e.seq));
        out.set(b.hall, b.events.map((e) => e.seq));
      }
      wake();
      return out;
    },
    messageAnswered: async () => false,
    hallStatus: async (_hall: string, s: { hallSeq?: number }) => {
      if (s.hallSeq !== undefined) hallSeqs.push(s.hallSeq);
      wake();
    },
  } as unknown as CityStore;
  const until = (ok: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (ok() ? resolve() : waiters.push(check));
      check();
    });
  return { store, hallSeqs, applied, until };
}

const rig0 = brokerPerTest();

async function rig() {
  const broker = await rig0.start();
  const rec = recordingStore();
  let now = 1_000_000;
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)), child: () => logger } as Logger;
  const ingest = new CityIngest(rec.store, { urls: [broker.url], username: 'city', clientId: `city-${Math.random()}`, halls: ['h1'], catchUpTimeoutMs: 300, catchUpGraceMs: 100, clock: () => now }, logger);
  // The hall: it has events 1..hallHas and answers every request truthfully.
  let hallHas = 2;
  const hall = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'hall-h1', clean: true });
  const requests: { after: number }[] = [];
  const answered: (() => void)[] = [];
  hall.on('message', (_topic, payload) => {
    const req = JSON.parse(payload.toString()) as { id: string; after: number };
    requests.push(req);
    const events = [];
    for (let s = req.after + 1; s <= hallHas; s++) events.push(event(s));
    void hall.publishAsync('city/h1/res/city', JSON.stringify({ id: req.id, status: 'ok', data: { events, lastSeq: hallHas } })).then(() => answered.splice(0).forEach((a) => a()));
  });
  await hall.subscribeAsync('city/h1/req/city', { qos: 0 });
  await ingest.start();
  rig0.closeLater(() => hall.endAsync());
  rig0.closeLater(() => ingest.stop());
  return {
    ...rec,
    ingest,
    hall,
    requests,
    warnings,
    advance: (ms: number) => void (now += ms),
    setHallHas: (n: number) => void (hallHas = n),
  };
}

describe('a hall claiming a seq it does not have', () => {
  it("asks the hall once, takes its answer's lastSeq, drops the event it does not have, and does not loop", async () => {
    const r = await rig();
    // A retained status far ahead: the city asks (after the grace) and the hall answers 1..2, lastSeq 2.
    await r.hall.publishAsync('city/h1/server/status', JSON.stringify({ online: true, seq: 88888888 }), { qos: 1, retain: true });
    await r.until(() => r.hallSeqs.includes(88888888));
    r.advance(1000);
    await r.until(() => r.applied.includes(2) && r.hallSeqs.at(-1) === 2);
    // An event far ahead on the events topic: pending, asked about after the grace, refuted by the answer.
    await r.hall.publishAsync('city/h1/events', JSON.stringify(event(99999999)), { qos: 1 });
    await r.until(() => r.ingest.metrics.received >= 3);
    r.advance(1000);
    await r.until(() => r.ingest.metrics.refuted === 1);
    await r.until(() => r.hallSeqs.at(-1) === 2);
    // The hall's next real event (3) is applied in order; by now a looping city would have asked many times.
    r.setHallHas(3);
    await r.hall.publishAsync('city/h1/events', JSON.stringify(event(3)), { qos: 1 });
    await r.until(() => r.applied.includes(3));
    expect(r.applied).toEqual([1, 2, 3]);
    expect(r.requests).toHaveLength(2);
    expect(r.ingest.metrics.refuted).toBe(1);
    expect(r.warnings.filter((w) => w.includes('claims seqs'))).toHaveLength(1);
  });
});

describe("a hall server's heartbeat (its retained status again every 3 s)", () => {
  it('is stored once while it says the same, and again when the seq moves', async () => {
    const r = await rig();
    const status = (seq: number) => r.hall.publishAsync('city/h1/server/status', JSON.stringify({ online: true, seq, at: seq }), { qos: 1, retain: true });
    // One publisher, one topic: the city takes them in this order, so seq 3 is stored after every repeat of 2.
    for (let i = 0; i < 5; i++) await status(2);
    r.setHallHas(3);
    await status(3);
    await r.until(() => r.hallSeqs.includes(3));
    expect(r.hallSeqs.filter((s) => s === 2)).toHaveLength(1);
  });
});
