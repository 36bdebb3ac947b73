import { describe, expect, it } from 'vitest';
import { defaultPolicy, type HallConfig, type TimeRange } from '../../src/core/index.js';
import { Random } from '../../src/sim/random.js';
import { simulate, type TicketTrace } from '../../src/sim/simulate.js';

/**
 * The simulator on a pooled hall, M/M/10 with λ = 2/min and μ = 0.25/min (ρ = 0.8), against
 * Erlang C computed here from the formula.
 *
 * At ρ = 0.8 daily mean waits vary a lot (sd ≈ 0.42 min on a 0.82 min mean for a 15-hour day), so a
 * 5 % check on one short run would pass or fail by luck. The test therefore shows three things:
 *  1. the hall simulator, driving the real core, gives every ticket exactly the wait a textbook
 *     first-come-first-served M/M/c queue gives on the same arrivals and case lengths;
 *  2. that textbook queue, run long on the same generators, reproduces Erlang C within 5 %;
 *  3. the simulator's own mean lies within 5 % of Erlang C once its run-to-run noise is removed
 *     with the textbook queue as a control variate (its expectation is the Erlang value), and
 *     the raw mean lies within its own 99 % batch-means interval of Erlang C.
 */

const lambda = 2;
const mu = 0.25;
const c = 10;

function erlangC(l: number, m: number, servers: number): number {
  const a = l / m;
  let sum = 0;
  let term = 1;
  for (let k = 0; k < servers; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const top = ((term * a) / servers) * (servers / (servers - a)); // a^c / c! · c / (c − a)
  return top / (sum + top) / (servers * m - l);
}

const wq = erlangC(lambda, mu, c);
const day: TimeRange[] = [{ from: '06:00', to: '22:00' }];
const config: HallConfig = {
  id: 'erlang',
  name: { zh: '排队论校验', en: 'Queueing check' },
  utcOffsetMinutes: 480,
  hours: { weekly: { sun: day, mon: day, tue: day, wed: day, thu: day, fri: day, sat: day }, issuingCutoffMinutes: 60, holidays: [], workdays: [] },
  // Three services sharing the pool keep each under the 999-a-day numbering.
  services: ['A', 'B', 'C'].map((id) => ({ id, name: { zh: id, en: id }, prefix: id, dailyQuota: 999, idRequired: false, avgServiceMinutes: 1 / mu })),
  windows: Array.from({ length: c }, (_, i) => ({ id: i + 1, kind: 'general' as const, tiers: [['A', 'B', 'C']] })),
  staff: Array.from({ length: c }, (_, i) => ({ id: `s${i + 1}`, name: `S${i + 1}` })),
  policy: { ...defaultPolicy, agingMinutes: 100_000 },
};
const exp = { dist: 'exponential' as const, meanMinutes: 1 / mu };
const warmupMinutes = 120;

/** Textbook FCFS multi-server queue: each arrival starts on the first server to come free. */
function fcfsWaits(arrivals: { at: number; caseMs: number }[], servers: number, openAt: number): number[] {
  const free = new Array<number>(servers).fill(openAt);
  return arrivals.map(({ at, caseMs }) => {
    let k = 0;
    for (let i = 1; i < servers; i++) if ((free[i] ?? 0) < (free[k] ?? 0)) k = i;
    const start = Math.max(at, free[k] ?? 0);
    free[k] = start + caseMs;
    return start - at;
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('simulator vs Erlang C (M/M/10, λ = 2/min, μ = 0.25/min)', () => {
  const days = 12;
  const report = simulate({
    config,
    startDay: '2026-11-23',
    days,
    seed: 20261122,
    arrivalsPerHour: { A: (lambda * 60) / 3, B: (lambda * 60) / 3, C: (lambda * 60) / 3 },
    serviceTime: { A: exp, B: exp, C: exp },
    priorityShare: 0,
    noShowRate: 0,
    noShowWaitMinutes: 2,
    warmupMinutes,
    trace: true,
  });
  const byDay = new Map<string, TicketTrace[]>();
  for (const t of report.trace) byDay.set(t.day, [...(byDay.get(t.day) ?? []), t]);

  it('gives every ticket the wait of a textbook FCFS M/M/c queue on the same inputs', () => {
    let compared = 0;
    for (const [d, tickets] of byDay) {
      const openAt = Date.parse(`${d}T06:00:00+08:00`);
      const sorted = [...tickets].sort((a, b) => a.arrivedAt - b.arrivedAt);
      const waits = fcfsWaits(sorted.map((t) => ({ at: t.arrivedAt, caseMs: t.caseMs })), c, openAt);
      sorted.forEach((t, i) => {
        expect(t.calledAt).toBeDefined();
        expect(Math.abs((t.calledAt ?? 0) - t.arrivedAt - (waits[i] ?? 0))).toBeLessThan(0.01);
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(days * 1500);
  });

  it('matches Erlang C within 5 %', () => {
    // 2. The textbook queue on the simulator's generators, long run (fast: no hall in the loop).
    const rng = new Random(7);
    const longWaits: number[] = [];
    for (let d = 0; d < 600; d++) {
      const arrivals: { at: number; caseMs: number }[] = [];
      for (let t = rng.exponential(60_000 / lambda); t < 15 * 3_600_000; t += rng.exponential(60_000 / lambda)) arrivals.push({ at: t, caseMs: rng.exponential(60_000 / mu) });
      fcfsWaits(arrivals, c, 0).forEach((w, i) => {
        if ((arrivals[i]?.at ?? 0) >= warmupMinutes * 60_000) longWaits.push(w / 60_000);
      });
    }
    const textbookLong = mean(longWaits);
    expect(Math.abs(textbookLong / wq - 1)).toBeLessThan(0.05);

    // 3. The simulator's own figure, with the textbook queue on the same inputs as control variate.
    const measured = report.trace.filter((t) => t.arrivedAt >= Date.parse(`${t.day}T06:00:00+08:00`) + warmupMinutes * 60_000);
    const simMean = mean(measured.map((t) => ((t.calledAt ?? 0) - t.arrivedAt) / 60_000));
    expect(simMean).toBeCloseTo(report.waitMean, 9);
    let textbookSame = 0;
    for (const [d, tickets] of byDay) {
      const openAt = Date.parse(`${d}T06:00:00+08:00`);
      const sorted = [...tickets].sort((a, b) => a.arrivedAt - b.arrivedAt);
      fcfsWaits(sorted.map((t) => ({ at: t.arrivedAt, caseMs: t.caseMs })), c, openAt).forEach((w, i) => {
        if ((sorted[i]?.arrivedAt ?? 0) >= openAt + warmupMinutes * 60_000) textbookSame += w / 60_000;
      });
    }
    textbookSame /= measured.length;
    const adjusted = simMean - textbookSame + textbookLong;
    expect(Math.abs(adjusted / wq - 1)).toBeLessThan(0.05);

    // The raw mean is consistent with Erlang C: inside its 99 % batch-means interval (days as batches).
    const dayMeans = report.perDay.map((p) => p.waitMean);
    const m = mean(dayMeans);
    const se = Math.sqrt(dayMeans.reduce((a, x) => a + (x - m) ** 2, 0) / (dayMeans.length - 1) / dayMeans.length);
    expect(Math.abs(m - wq)).toBeLessThan(3.1 * se); // t(0.995, 11) ≈ 3.11
    console.log(
      `Erlang C Wq = ${wq.toFixed(4)} min; textbook long run ${textbookLong.toFixed(4)} (${longWaits.length} waits); ` +
        `simulator ${simMean.toFixed(4)} over ${measured.length} tickets (day-mean ${m.toFixed(3)} ± ${se.toFixed(3)}); adjusted ${adjusted.toFixed(4)} (${((adjusted / wq - 1) * 100).toFixed(2)} %)`,
    );
  });
});
