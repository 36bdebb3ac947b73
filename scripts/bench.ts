/**
 * `npm run bench`: hallq's speed and queue quality, each as a ratio against a baseline measured in
 * the same run: a physical limit (fsync), theory (Erlang C) or a naive policy (a queue per window).
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hallConfigOf, loadConfigOrThrow } from '../src/config/load.js';
import { emptyState, execute, positions, type Command, type CommandBody, type HallEvent } from '../src/core/index.js';
import { simSpecOf } from '../src/cli/simulate.js';
import { simulate, type TicketTrace } from '../src/sim/simulate.js';
import { erlangCWait, quantile } from '../src/sim/stats.js';
import { EventLog } from '../src/store/index.js';
import { benchBusLatency } from './bench/bus-latency.js';
import { benchStartup } from './bench/startup.js';
import { benchTouchToCut } from './bench/touch-to-cut.js';

const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};

// 1. Durable append vs the disk's own fsync.
function benchAppend(): void {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-'));
  try {
    const n = 300;
    const payload = 'x'.repeat(300);
    const raw = openSync(join(dir, 'raw.bin'), 'w');
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      writeSync(raw, payload);
      fsyncSync(raw);
    }
    const fsyncUs = Number(process.hrtime.bigint() - t) / 1000 / n;
    closeSync(raw);
    const log = EventLog.open<HallEvent>(join(dir, 'log.db'));
    t = process.hrtime.bigint();
    for (let i = 1; i <= n; i++) {
      const e = { seq: i, at: i, commandId: `c${i}`, type: 'CommandNoop', pad: payload } as unknown as HallEvent;
      log.append([e], { id: `c${i}`, outcome: { ok: true } });
    }
    const appendUs = Number(process.hrtime.bigint() - t) / 1000 / n;
    log.close();
    say(`append (synchronous=FULL, 1 event + outcome): ${appendUs.toFixed(0)} µs vs raw write+fsync ${fsyncUs.toFixed(0)} µs → ratio ${(appendUs / fsyncUs).toFixed(2)} (the physical limit is 1.00)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 2. Command latency in a crowded hall vs the blink a call must fit in (100 ms).
function benchCommand(): void {
  const config = hallConfigOf(loadConfigOrThrow('config/demo.yaml'));
  const state = emptyState();
  let id = 0;
  let now = Date.parse('2026-11-23T09:00:00+08:00');
  const run = (cmd: CommandBody) => execute(state, { ...cmd, id: `b${++id}` } as Command, now);
  run({ type: 'Configure', config });
  for (const w of config.windows) run({ type: 'OpenWindow', window: w.id, staffId: config.staff[w.id - 1]?.id ?? 's01' });
  const services = config.services.map((s) => s.id);
  for (let i = 0; i < 600; i++) run({ type: 'IssueTicket', serviceId: services[i % services.length] ?? 'social', delivery: 'none', person: { idHash: `p${i}`, idMasked: 'x', idValid: true } });
  const times: number[] = [];
  for (let i = 0; i < 400; i++) {
    now += 1000;
    const t = process.hrtime.bigint();
    if (i % 2 === 0) run({ type: 'CallNext', window: (i % config.windows.length) + 1 });
    else run({ type: 'IssueTicket', serviceId: services[i % services.length] ?? 'social', delivery: 'none', person: { idHash: `q${i}`, idMasked: 'x', idValid: true } });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const waiting = positions(state, now).size;
  const p99 = quantile(times, 0.99);
  say(`command (call or issue, then positions and notices) with ${waiting} waiting at 12 windows: p50 ${quantile(times, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms → ${(p99 / 100).toFixed(4)} of a 100 ms blink`);
}

// 3. Pooled dispatcher vs theory: M/M/10, λ = 2/min, μ = 0.25/min.
function benchErlang(): void {
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
  const t = Date.now();
  const r = simulate({ config, startDay: '2026-11-23', days: 20, seed: 11, arrivalsPerHour: { A: 40, B: 40, C: 40 }, serviceTime: { A: exp, B: exp, C: exp }, priorityShare: 0, noShowRate: 0, noShowWaitMinutes: 2, warmupMinutes: 120 });
  const secs = (Date.now() - t) / 1000;
  const wq = erlangCWait(2, 0.25, 10);
  say(`M/M/10 (ρ 0.8), 20 simulated days (${r.measured} tickets, ${r.events} events in ${secs.toFixed(1)} s, ${(r.events / secs / 1000).toFixed(0)}k events/s): mean wait ${r.waitMean.toFixed(3)} min vs Erlang C ${wq.toFixed(3)} → ratio ${(r.waitMean / wq).toFixed(2)} (day-to-day noise at ρ 0.8 is about ±10 % over 20 days)`);
}

// 4. The demo hall: pooled dispatch vs the naive hall where each citizen joins the shortest queue of one window.
function benchPooling(): void {
  const cfg = loadConfigOrThrow('config/demo.yaml');
  const spec = simSpecOf(cfg, { days: 5 });
  if (typeof spec === 'string') throw new Error(spec);
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
  say(`demo hall, 5 days: pooled dispatcher mean wait ${pooled.toFixed(1)} min vs one line per window (citizen joins the shortest, same citizens and case lengths) ${naive.toFixed(1)} min → ratio ${(pooled / naive).toFixed(2)}; p90 ${quantile(pooledAll, 0.9).toFixed(1)} vs ${quantile(naiveWaits, 0.9).toFixed(1)} min`);
}

benchAppend();
benchCommand();
await (await import('./bench/commands.js')).benchCommands(say); // issue 12: commands/s and p50/p99 over MQTT vs a no-op command and the raw fsync rate
await (await import('./bench/live-stream.js')).benchLiveStream(say); // issue 12: live stream CPU per event, 100 pages vs one
benchErlang();
benchPooling();
// Device timing (issue 12), each in its own file under scripts/bench/.
await benchBusLatency(say);
// Start time and RSS of `hallq server` from the build vs bare Node (scripts/bench/startup.ts; needs `npm run build`).
await benchStartup(say);
await benchTouchToCut(say);
(await import('./bench/queue-rules.js')).benchQueueRules(say); // issue 12: estimate, tiers, strict priority, Erlang C over seeds
await (await import('./bench/reports.js')).benchReports(say); // issue 11: a year of reports vs a full log scan
// Many halls, one city (issue 14): events/s and lag at 10 / 100 / 1,000 simulated halls vs the broker's own delivery (scripts/bench/city.ts).
await (await import('./bench/city.js')).benchCity(say);
