/**
 * The city tier at 10 / 100 / 1,000 simulated halls (issue 14, docs/city.md "Results"): a hall
 * generator replays a simulated hall day (src/sim: the core's own events) for N halls into the
 * 3-node NATS cluster (JetStream + MQTT, QoS 1, as the halls' bridges publish), at a time speed-up,
 * and the city service (in this process) puts them into PostgreSQL.
 *
 * Figures per size: events/s the city applied, and lag (publish → committed in the city tables)
 * p50/p99. Baseline, in the same run and on the same messages: a plain MQTT subscriber on the same
 * cluster (QoS 1, like the city's) — the broker's own publish → deliver time and delivery rate.
 * Each figure is given as a ratio to that baseline; min and median over the repeats.
 *
 * Offered load: a hall's real day is ~0.1 event/s (a few thousand events in 9 h); at speed-up S,
 * N halls offer N × 0.1 × S events/s. The halls (scripts/bench/city-halls.ts) behave as real halls
 * behind their bridges: each hall's events go in seq order through one events connection, always the
 * same (hall index % 4), and each hall answers the city's catch-up requests with the events asked for
 * (the hall server's own eventsPage) on one of 4 control connections (QoS 0, as the bridge carries
 * them). The 8 connections are a bench user's, allowed `city.*.events` and `city.*.res.city`
 * (per-hall users and Mosquitto bridges are the end-to-end test's job). Printed per size: the catch-up
 * requests the city asked and the halls answered, over the runs.
 *
 * Run alone: npx tsx scripts/bench/city.ts   (CITY_BENCH_SIZES=10,100 CITY_BENCH_REPEATS=2 CITY_BENCH_SECONDS=5)
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { silentLogger } from '../../drivers/common/logger.js';
import { CITY_AGENT } from '../../src/city/bridge.js';
import { parseCityConfig } from '../../src/city/config.js';
import { startCity } from '../../src/city/service.js';
import { CATCH_UP_REQUESTS, SimulatedHalls } from './city-halls.js';
import type { HallEvent } from '../../src/core/index.js';
import { simulate } from '../../src/sim/simulate.js';
import { quantile } from '../../src/sim/stats.js';
import { allDayHall } from '../../test/helpers/all-day-hall.js';
import { startNatsCluster } from '../../test/city/nats-cluster.js';
import { startPostgres } from '../../test/city/postgres.js';

const SPEEDUP = Number(process.env.CITY_BENCH_SPEEDUP ?? 20);
const REAL_EVENTS_PER_HALL_S = 0.1;

function dayOfEvents(): HallEvent[] {
  const events: HallEvent[] = [];
  simulate({
    config: allDayHall('bench', { zh: '压测', en: 'Bench' }, 6),
    startDay: '2026-11-23',
    days: 1,
    seed: 14,
    arrivalsPerHour: { A: 30, B: 15 },
    serviceTime: { A: { dist: 'exponential', meanMinutes: 5 }, B: { dist: 'exponential', meanMinutes: 6 } },
    priorityShare: 0.05,
    noShowRate: 0.05,
    noShowWaitMinutes: 2,
    warmupMinutes: 0,
    onCommand: (_c, es) => void events.push(...es),
  });
  return events;
}

interface Run {
  cityRate: number;
  brokerRate: number;
  cityP50: number;
  cityP99: number;
  brokerP50: number;
  brokerP99: number;
  events: number;
  /** Catch-up requests the city sent, and the halls answered. */
  asked: number;
  answered: number;
}

/** Connections of each kind (events, control); a hall uses connection (hall index % CONNECTIONS) of each. */
const CONNECTIONS = 4;
/** Once the city has every event, how long the baseline subscriber may be silent before its wait ends. */
const RAW_QUIET_MS = 5000;

const median = (xs: number[]) => quantile(xs, 0.5);
const f2 = (x: number) => x.toFixed(2);
const f1 = (x: number) => x.toFixed(1);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export async function benchCity(say: (s: string) => void = console.log, o: { sizes?: number[]; repeats?: number; seconds?: number } = {}): Promise<void> {
  const sizes = o.sizes ?? (process.env.CITY_BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
  const repeats = o.repeats ?? Number(process.env.CITY_BENCH_REPEATS ?? 2);
  const seconds = o.seconds ?? Number(process.env.CITY_BENCH_SECONDS ?? 5);
  const day = dayOfEvents();
  const pw = { city: 'bench-city', gen: 'bench-gen' };
  const [cluster, pg] = await Promise.all([
    startNatsCluster({ city: { user: 'city', password: pw.city }, halls: [], others: [{ user: 'gen', password: pw.gen, publish: ['city.*.events', `city.*.res.${CITY_AGENT}`], subscribe: ['city.>'] }] }),
    startPostgres(),
  ]);
  const conns: MqttClient[] = [];
  const controls: MqttClient[] = [];
  try {
    // As a hall's bridge: the events connection and the control connection of a hall on the same node.
    for (let i = 0; i < CONNECTIONS; i++) {
      const url = cluster.mqttUrls[i % cluster.mqttUrls.length] as string;
      conns.push(await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `bench-gen-${i}`, username: 'gen', password: pw.gen, clean: true }));
      const control = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `bench-gen-${i}-control`, username: 'gen', password: pw.gen, clean: true });
      await control.subscribeAsync(CATCH_UP_REQUESTS, { qos: 0 });
      controls.push(control);
    }
    let runNo = 0;
    for (const n of sizes) {
      const runs: Run[] = [];
      for (let r = 0; r < repeats; r++) {
        runNo += 1;
        const halls = Array.from({ length: n }, (_, i) => `b${runNo}-${String(i).padStart(4, '0')}`);
        const config = parseCityConfig({
          city: { id: 'bench', name: { zh: '压测', en: 'Bench' } },
          broker: { urls: cluster.mqttUrls, username: 'city', clientId: `bench-city-${runNo}` },
          postgres: { url: pg.url },
          http: { host: '127.0.0.1', port: 0 },
          // catchUp: the defaults (the halls answer; a lost request or answer is asked again).
          halls: halls.map((id, i) => ({ id, name: { zh: id, en: id }, lat: 32 + i / 1e4, lon: 118 })),
        });
        const city = await startCity(config, { brokerPassword: pw.city, logger: silentLogger });
        // The baseline subscriber: same cluster, same QoS, same messages, nothing to do but note the time.
        const raw = await mqtt.connectAsync(cluster.mqttUrls[1] as string, { protocolVersion: 4, clientId: `bench-raw-${runNo}`, username: 'gen', password: pw.gen, clean: true });
        const sent = new Map<string, number>();
        const cityLag: number[] = [];
        const rawLag: number[] = [];
        let rawFirst = 0;
        let rawLast = 0;
        let cityFirst = 0;
        let cityLast = 0;
        const prefix = `b${runNo}-`;
        raw.on('message', (topic, payload) => {
          const hall = topic.split('/')[1] ?? '';
          if (!hall.startsWith(prefix)) return;
          const t = performance.now();
          const at = sent.get(`${hall}:${(JSON.parse(payload.toString()) as { seq: number }).seq}`);
          if (at !== undefined) rawLag.push(t - at);
          rawFirst ||= t;
          rawLast = t;
        });
        await raw.subscribeAsync('city/+/events', { qos: 1 });
        city.ingest.on('applied', (hall, seqs) => {
          const t = performance.now();
          for (const s of seqs) {
            const at = sent.get(`${hall}:${s}`);
            if (at !== undefined) cityLag.push(t - at);
          }
          cityFirst ||= t;
          cityLast = t;
        });
        // Pace: N × 0.1 × S events/s, every hall in turn, each hall's day in seq order.
        const rate = n * REAL_EVENTS_PER_HALL_S * SPEEDUP;
        const total = Math.min(Math.round(rate * seconds), n * day.length);
        const gen = new SimulatedHalls(halls, day, conns, controls);
        let published = 0;
        let h = 0;
        const start = performance.now();
        await new Promise<void>((resolve) => {
          const tick = setInterval(() => {
            const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
            while (published < due) {
              const at = performance.now();
              const made = gen.publishNext(h);
              h = (h + 1) % n;
              // Every hall has the same day, so one whose day is over means all are (total is below).
              if (!made) break;
              sent.set(`${made.hall}:${made.event.seq}`, at);
              published += 1;
            }
            if (published >= total) {
              clearInterval(tick);
              resolve();
            }
          }, 20);
        });
        // Until the city has every event (bounded: a saturated city is reported as it stands).
        const deadline = performance.now() + 120_000;
        while (city.ingest.metrics.applied < total && performance.now() < deadline) await new Promise((res) => setTimeout(res, 100));
        if (city.ingest.metrics.applied < total) say(`city ${n} halls: only ${city.ingest.metrics.applied} of ${total} events applied within the bound (city ${JSON.stringify(city.ingest.metrics)}, halls ${JSON.stringify(gen.metrics)})`);
        // The baseline until it has every event too, or nothing came for RAW_QUIET_MS: an event the
        // cluster lost never reaches it (the city has it from the hall's answer).
        while (rawLag.length < total && performance.now() < deadline && performance.now() - rawLast < RAW_QUIET_MS) await new Promise((res) => setTimeout(res, 50));
        const span = (a: number, b: number) => Math.max(1, b - a) / 1000;
        runs.push({
          events: city.ingest.metrics.applied,
          cityRate: city.ingest.metrics.applied / span(start, cityLast),
          brokerRate: rawLag.length / span(start, rawLast || rawFirst),
          cityP50: quantile(cityLag, 0.5),
          cityP99: quantile(cityLag, 0.99),
          brokerP50: quantile(rawLag, 0.5),
          brokerP99: quantile(rawLag, 0.99),
          asked: city.ingest.metrics.catchUpRequests,
          answered: gen.metrics.answered,
        });
        gen.detach();
        await raw.endAsync();
        await city.stop();
      }
      const offered = n * REAL_EVENTS_PER_HALL_S * SPEEDUP;
      const ratio = (f: (x: Run) => number) => runs.map(f);
      const mm = (xs: number[]) => `min ${f2(Math.min(...xs))} median ${f2(median(xs))}`;
      say(
        `city ${n} halls (offered ${f1(offered)} events/s = ${n} × ${REAL_EVENTS_PER_HALL_S} × speed-up ${SPEEDUP}, ${runs[0]?.events ?? 0} events, ${runs.length} runs): ` +
          `city ${f1(median(ratio((x) => x.cityRate)))} events/s vs broker delivery ${f1(median(ratio((x) => x.brokerRate)))} → ratio ${mm(ratio((x) => x.cityRate / x.brokerRate))}; ` +
          `lag p50 ${f1(median(ratio((x) => x.cityP50)))} ms vs broker ${f1(median(ratio((x) => x.brokerP50)))} ms → ratio ${mm(ratio((x) => x.cityP50 / x.brokerP50))}; ` +
          `lag p99 ${f1(median(ratio((x) => x.cityP99)))} ms vs broker ${f1(median(ratio((x) => x.brokerP99)))} ms → ratio ${mm(ratio((x) => x.cityP99 / x.brokerP99))}; ` +
          `catch-up requests (all runs) ${sum(ratio((x) => x.asked))} asked, ${sum(ratio((x) => x.answered))} answered`,
      );
    }
  } finally {
    for (const c of [...conns, ...controls]) await c.endAsync();
    await cluster.stop();
    await pg.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchCity();
