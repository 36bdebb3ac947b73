/**
 * The first parts of `npm run bench` (scripts/bench.ts): durable append vs the disk's fsync (alone, and a
 * commit on a month's log, p50 and p99), one
 * command in the core vs a no-op command, the simulated pooled hall vs Erlang C, the demo hall vs a
 * queue per window. Each a ratio to a baseline in the same run — measured interleaved (fsync, the
 * no-op command), computed on the same citizens (a queue per window), or theory (Erlang C) — repeated,
 * min and median printed.
 *
 * Run alone: npx tsx scripts/bench/basics.ts   (BENCH_REPEATS=7: rounds; seeds are at most 5)
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import { emptyState, execute, positions, type Command, type CommandBody, type HallEvent } from '../../src/core/index.js';
import { simSpecOf } from '../../src/cli/simulate.js';
import { simulate, type TicketTrace } from '../../src/sim/simulate.js';
import { erlangCWait, quantile } from '../../src/sim/stats.js';
import { EventLog } from '../../src/store/index.js';

/** Repeats (rounds or seeds); `BENCH_REPEATS=3` for a quicker run. */
const REPEATS = Math.max(1, Math.floor(Number(process.env.BENCH_REPEATS ?? 7)));
const SEEDS = Math.max(1, Math.min(REPEATS, 5));
const med = (xs: readonly number[]) => quantile(xs, 0.5);
/** "min a / median b" of ratios over the repeats. */
const minMed = (xs: readonly number[], digits = 2) => `min ${Math.min(...xs).toFixed(digits)} / median ${med(xs).toFixed(digits)}`;

// 1. Durable append vs the disk's own fsync, interleaved op by op (the same disk, the same moment), REPEATS rounds.
export function benchAppend(say: (s: string) => void = console.log): void {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-'));
  try {
    const n = 100;
    const payload = 'x'.repeat(300);
    const raw = openSync(join(dir, 'raw.bin'), 'w');
    const log = EventLog.open<HallEvent>(join(dir, 'log.db'));
    const rounds: { appendUs: number; fsyncUs: number }[] = [];
    let seq = 0;
    for (let r = 0; r < REPEATS; r++) {
      let fsyncNs = 0n;
      let appendNs = 0n;
      for (let i = 0; i < n; i++) {
        let t = process.hrtime.bigint();
        writeSync(raw, payload);
        fsyncSync(raw);
        fsyncNs += process.hrtime.bigint() - t;
        seq += 1;
        const e = { seq, at: seq, commandId: `c${seq}`, type: 'CommandNoop', pad: payload } as unknown as HallEvent;
        t = process.hrtime.bigint();
        log.append([e], { id: `c${seq}`, outcome: { ok: true } });
        appendNs += process.hrtime.bigint() - t;
      }
      rounds.push({ appendUs: Number(appendNs) / 1000 / n, fsyncUs: Number(fsyncNs) / 1000 / n });
    }
    closeSync(raw);
    log.close();
    say(
      `append (synchronous=FULL, 1 event + outcome), ${REPEATS} rounds × ${n} interleaved with raw write+fsync of the same size: ` +
        `median ${med(rounds.map((x) => x.appendUs)).toFixed(0)} µs vs ${med(rounds.map((x) => x.fsyncUs)).toFixed(0)} µs → ratio ${minMed(rounds.map((x) => x.appendUs / x.fsyncUs))} (the physical limit is 1.00)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 1b. A commit as the server makes them on a month's log: a group of 2 or 3 commands (2 events each, the
// random ids agents give commands) appended after 60,000 commands (120,000 events, about 30 days of the
// demo hall), each commit interleaved with a raw write+fsync of the same bytes; p50 and p99 per round.
// The tail is what the open loop feels: a commit that stalls holds every command behind it (issue 12).
export function benchAppendMonth(say: (s: string) => void = console.log): void {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-'));
  try {
    const body = 'x'.repeat(250);
    const log = EventLog.open<HallEvent>(join(dir, 'log.db'));
    let seq = 0;
    const group = (id: string) => {
      const events = [0, 1].map(() => ({ seq: ++seq, at: seq, commandId: id, type: 'CommandNoop', pad: body }) as unknown as HallEvent);
      return { events, command: { id, outcome: { ok: true, seq } } };
    };
    for (let chunk = 0; chunk < 120; chunk++) log.appendBatch(Array.from({ length: 500 }, () => group(randomUUID())));
    const raw = openSync(join(dir, 'raw.bin'), 'w');
    const n = 300;
    const rounds: { append: number[]; fsync: number[] }[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const round = { append: [] as number[], fsync: [] as number[] };
      for (let i = 0; i < n; i++) {
        const batch = Array.from({ length: 2 + (i % 2) }, () => group(randomUUID()));
        const bytes = 'y'.repeat(batch.length * 2 * (body.length + 60));
        let t = process.hrtime.bigint();
        writeSync(raw, bytes);
        fsyncSync(raw);
        round.fsync.push(Number(process.hrtime.bigint() - t) / 1e3);
        t = process.hrtime.bigint();
        log.appendBatch(batch);
        round.append.push(Number(process.hrtime.bigint() - t) / 1e3);
      }
      rounds.push(round);
    }
    closeSync(raw);
    log.close();
    const q = (xs: readonly number[], p: number) => quantile(xs, p);
    const of = (k: 'append' | 'fsync', p: number) => med(rounds.map((x) => q(x[k], p))).toFixed(0);
    say(
      `append on a month's log (60,000 commands), groups of 2–3 commands with random ids, ${REPEATS} rounds × ${n} interleaved with raw write+fsync of the same bytes: ` +
        `p50 median ${of('append', 0.5)} µs vs ${of('fsync', 0.5)} µs → ratio ${minMed(rounds.map((x) => q(x.append, 0.5) / q(x.fsync, 0.5)))}; ` +
        `p99 median ${of('append', 0.99)} µs vs ${of('fsync', 0.99)} µs → ratio ${minMed(rounds.map((x) => q(x.append, 0.99) / q(x.fsync, 0.99)))}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 2. Command latency in a crowded hall vs a no-op command (a CallNext to a window the hall does not have:
// decided and refused, nothing applied) interleaved one for one, REPEATS rounds; and vs the 100 ms blink.
export function benchCommand(say: (s: string) => void = console.log): void {
  const demo = hallConfigOf(loadConfigOrThrow('config/demo.yaml'));
  // No daily quota: every issue of every round is a real one (a refused issue would be a cheap no-op).
  const config = { ...demo, services: demo.services.map((s) => ({ ...s, dailyQuota: 100_000 })) };
  const state = emptyState();
  let id = 0;
  let now = Date.parse('2026-11-23T09:00:00+08:00');
  const run = (cmd: CommandBody) => execute(state, { ...cmd, id: `b${++id}` } as Command, now);
  run({ type: 'Configure', config });
  for (const w of config.windows) run({ type: 'OpenWindow', window: w.id, staffId: config.staff[w.id - 1]?.id ?? 's01' });
  const services = config.services.map((s) => s.id);
  for (let i = 0; i < 600; i++) run({ type: 'IssueTicket', serviceId: services[i % services.length] ?? 'social', delivery: 'none', person: { idHash: `p${i}`, idMasked: 'x', idValid: true } });
  const timed = (cmd: CommandBody): number => {
    const t = process.hrtime.bigint();
    run(cmd);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const rounds: { p50: number; p99: number; mean: number; noop50: number; noopMean: number }[] = [];
  let k = 0;
  for (let r = 0; r < REPEATS; r++) {
    const times: number[] = [];
    const noop: number[] = [];
    for (let i = 0; i < 400; i++, k++) {
      now += 1000;
      if (k % 2 === 0) times.push(timed({ type: 'CallNext', window: (k % config.windows.length) + 1 }));
      else times.push(timed({ type: 'IssueTicket', serviceId: services[k % services.length] ?? 'social', delivery: 'none', person: { idHash: `q${k}`, idMasked: 'x', idValid: true } }));
      noop.push(timed({ type: 'CallNext', window: 99 }));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rounds.push({ p50: quantile(times, 0.5), p99: quantile(times, 0.99), mean: mean(times), noop50: quantile(noop, 0.5), noopMean: mean(noop) });
  }
  const waiting = positions(state, now).size;
  const p99 = med(rounds.map((x) => x.p99));
  say(
    `command in the core (call or issue, then positions and notices) with ${waiting} waiting at 12 windows, ${REPEATS} rounds × 400: median p50 ${med(rounds.map((x) => x.p50)).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms → ${(p99 / 100).toFixed(4)} of a 100 ms blink; ` +
      `vs a no-op command interleaved (p50 ${med(rounds.map((x) => x.noop50)).toFixed(3)} ms, mean ${med(rounds.map((x) => x.noopMean)).toFixed(3)} ms): p50 ratio ${minMed(rounds.map((x) => x.p50 / x.noop50), 1)}, mean ratio ${minMed(rounds.map((x) => x.mean / x.noopMean), 1)}`,
  );
}

// 3. Pooled dispatcher vs theory: M/M/10, λ = 2/min, μ = 0.25/min, SEEDS seeds × 4 days (one seed is luck).
export function benchErlang(say: (s: string) => void = console.log): void {
  const day = [{ from: '06:00', to: '22:00' }];
  const base = hallConfigOf(loadConfigOrThrow('config/demo.yaml'));
  const services = ['A', 'B', 'C'].map((id) => ({ id, name: { zh: id, en: id }, prefix: id, dailyQuota: 999, idRequired: false, avgServiceMinutes: 4 }));
  const config = {
    ...base,
    hours: { weekly: { sun: day, mon: day, tue: day, wed: day, thu: day, fri: day, sat: day }, issuingCutoffMinutes: 60, holidays: [], workdays: [] },
    services,
    windows: Array.from({ length: 10 }, (_, i) => ({ id: i + 1, kind: 'general' as const, tiers: [['A', 'B', 'C']] })),
    policy: { ...base.policy, agingMinutes: 100_000 },
  };
  const exp = { dist: 'exponential' as const, meanMinutes: 4 };
  const wq = erlangCWait(2, 0.25, 10);
  const days = 4;
  const runs: { ratio: number; eventsPerS: number; tickets: number }[] = [];
  for (let i = 0; i < SEEDS; i++) {
    const t = Date.now();
    const r = simulate({ config, startDay: '2026-11-23', days, seed: 11 + i, arrivalsPerHour: { A: 40, B: 40, C: 40 }, serviceTime: { A: exp, B: exp, C: exp }, priorityShare: 0, noShowRate: 0, noShowWaitMinutes: 2, warmupMinutes: 120 });
    const secs = Math.max(0.001, (Date.now() - t) / 1000);
    runs.push({ ratio: r.waitMean / wq, eventsPerS: r.events / secs, tickets: r.measured });
  }
  const ratios = runs.map((x) => x.ratio);
  say(
    `M/M/10 (ρ 0.8), ${SEEDS} seeds × ${days} simulated days (${runs.reduce((a, x) => a + x.tickets, 0)} tickets; simulator median ${(med(runs.map((x) => x.eventsPerS)) / 1000).toFixed(0)}k events/s): ` +
      `mean wait / Erlang C ${wq.toFixed(3)} min: ${minMed(ratios)}, mean of the ratios ${(ratios.reduce((a, b) => a + b, 0) / ratios.length).toFixed(2)} (a 4-day mean at ρ 0.8 varies by about ±20 %)`,
  );
}

// 4. The demo hall: pooled dispatch vs the naive hall where each citizen joins the shortest queue of one
// window, on the same citizens and case lengths (the baseline is computed from the same trace), SEEDS seeds × 2 days.
export function benchPooling(say: (s: string) => void = console.log): void {
  const cfg = loadConfigOrThrow('config/demo.yaml');
  const runs: { pooled: number; naive: number; p90: number; naive90: number }[] = [];
  for (let i = 0; i < SEEDS; i++) {
    const spec = simSpecOf(cfg, { days: 2, seed: 101 + i });
    if (typeof spec === 'string') throw new Error(spec);
    runs.push(poolingRun(spec));
  }
  say(
    `demo hall, ${SEEDS} seeds × 2 days: pooled dispatcher mean wait median ${med(runs.map((x) => x.pooled)).toFixed(1)} min vs one line per window (citizen joins the shortest, same citizens and case lengths) ${med(runs.map((x) => x.naive)).toFixed(1)} min → ratio ${minMed(runs.map((x) => x.pooled / x.naive))}; ` +
      `p90 median ${med(runs.map((x) => x.p90)).toFixed(1)} vs ${med(runs.map((x) => x.naive90)).toFixed(1)} min → ratio ${minMed(runs.map((x) => x.p90 / x.naive90))}`,
  );
}

function poolingRun(spec: Exclude<ReturnType<typeof simSpecOf>, string>): { pooled: number; naive: number; p90: number; naive90: number } {
  const r = simulate({ ...spec, noShowRate: 0, priorityShare: 0, trace: true });
  const hall = spec.config;
  const byDay = new Map<string, TicketTrace[]>();
  for (const t of r.trace) byDay.set(t.day, [...(byDay.get(t.day) ?? []), t]);
  const naiveWaits: number[] = [];
  for (const tickets of byDay.values()) {
    // Each window's own line: the finish times of the citizens who joined it.
    const lines = new Map(hall.windows.map((w) => [w.id, [] as number[]]));
    for (const t of [...tickets].sort((a, b) => a.arrivedAt - b.arrivedAt)) {
      // The citizen joins the eligible line with the fewest people in it, and stays there (no pooling).
      const eligible = hall.windows.filter((w) => w.tiers.some((tier) => tier.includes(t.serviceId)));
      const inLine = (id: number) => (lines.get(id) ?? []).filter((end) => end > t.arrivedAt).length;
      let best = eligible[0]!;
      for (const w of eligible) if (inLine(w.id) < inLine(best.id)) best = w;
      const line = lines.get(best.id) ?? [];
      const start = Math.max(t.arrivedAt, line[line.length - 1] ?? 0);
      line.push(start + t.caseMs);
      naiveWaits.push((start - t.arrivedAt) / 60_000);
    }
  }
  const naive = naiveWaits.reduce((a, b) => a + b, 0) / naiveWaits.length;
  const pooledAll = r.trace.filter((t) => t.calledAt !== undefined).map((t) => ((t.calledAt ?? 0) - t.arrivedAt) / 60_000);
  const pooled = pooledAll.reduce((a, b) => a + b, 0) / pooledAll.length;
  return { pooled, naive, p90: quantile(pooledAll, 0.9), naive90: quantile(naiveWaits, 0.9) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchAppend();
  benchAppendMonth();
  benchCommand();
  benchErlang();
  benchPooling();
}
