/**
 * Queue-rule benchmarks (issue 12): the wait estimate, the tier rule, strict priority and the pooled
 * hall, each as a ratio to a baseline measured in the same run on the same simulated citizens
 * (same seed), repeated over seeds; min and median are printed. `npx tsx scripts/bench/queue-rules.ts`
 * runs it alone; `npm run bench` runs it at the end.
 */
import { pathToFileURL } from 'node:url';
import { simulate, type SimReport, type TicketTrace } from '../../src/sim/simulate.js';
import { erlangCWait, mean, quantile } from '../../src/sim/stats.js';
import { mu, pooled, pooledSpec, tieredHall, tieredSpec } from './halls.js';

const seeds = [101, 202, 303, 404, 505];
const fmt = (x: number, d = 2) => x.toFixed(d);
const median = (xs: number[]) => quantile(xs, 0.5);
const summary = (xs: number[]) => `min ${fmt(Math.min(...xs))}, median ${fmt(median(xs))} (${xs.map((x) => fmt(x)).join(' ')})`;

/** Tickets issued after the warm-up and called: the measured ones. */
function measured(r: SimReport): TicketTrace[] {
  return r.trace.filter((t) => t.calledAt !== undefined && t.arrivedAt >= Date.parse(`${t.day}T06:00:00+08:00`) + 120 * 60_000);
}
const waitMin = (t: TicketTrace) => ((t.calledAt ?? 0) - t.arrivedAt) / 60_000;

/**
 * RMSE of the estimate at issue against the realised wait, over the floor: for each ticket √k/(cμ),
 * k = max(0, position − free windows) the completions it needs, c the open windows that can call it
 * (all of them, even those that serve it at a lower tier: the smallest floor, so the strictest ratio).
 */
function estimateAccuracy(r: SimReport): { ratio: number; bias: number; rmse: number; floor: number } {
  const xs = measured(r).filter((t) => t.estimateMs !== undefined);
  const err = xs.map((t) => (t.estimateMs ?? 0) / 60_000 - waitMin(t));
  const rmse = Math.sqrt(mean(err.map((e) => e * e)));
  const floor = Math.sqrt(mean(xs.map((t) => Math.max(0, t.position - t.freeWindows) / (Math.max(1, t.openWindows) * mu) ** 2)));
  return { ratio: rmse / floor, bias: mean(err), rmse, floor };
}

const meanSe = (xs: number[]) => {
  const m = mean(xs);
  const se = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1) / xs.length);
  return `${m >= 0 ? '+' : ''}${fmt(m, 3)} ± ${fmt(se, 3)} min`;
};

function benchEstimate(say: (s: string) => void): void {
  for (const [name, make] of [
    ['pooled hall (M/M/10, ρ 0.8)', (seed: number) => pooledSpec(seed, 1)],
    ['tiered hall (6 services, 9 windows, 3 tiers, ρ 0.85)', (seed: number) => tieredSpec('tiered', seed, 1)],
  ] as const) {
    const runs = seeds.map((seed) => estimateAccuracy(simulate({ ...make(seed), trace: true, estimates: true })));
    say(
      `estimated wait, ${name}: RMSE / floor √k/(cμ) ${summary(runs.map((r) => r.ratio))}; ` +
        `bias (estimate − realised) ${meanSe(runs.map((r) => r.bias))} over ${seeds.length} seeds, 1 day each`,
    );
  }
}

function benchTiers(say: (s: string) => void): void {
  const days = 2;
  const mean_: number[] = [];
  const p99: number[] = [];
  const p99Pooled: number[] = [];
  const meanPooled: number[] = [];
  const p99Strict: number[] = [];
  const abs: string[] = [];
  for (const seed of seeds) {
    const waits = (shape: 'tiered' | 'one-tier' | 'pooled', policy = {}) => measured(simulate({ ...tieredSpec(shape, seed, days, policy), trace: true })).map(waitMin);
    const tiered = waits('tiered');
    const strict = waits('tiered', { tierSlack: null });
    const lwf = waits('one-tier');
    const all = waits('pooled');
    mean_.push(mean(tiered) / mean(lwf));
    p99.push(quantile(tiered, 0.99) / quantile(lwf, 0.99));
    meanPooled.push(mean(tiered) / mean(all));
    p99Pooled.push(quantile(tiered, 0.99) / quantile(all, 0.99));
    p99Strict.push(quantile(strict, 0.99) / quantile(lwf, 0.99));
    abs.push(`${fmt(mean(tiered))}/${fmt(mean(lwf))}/${fmt(mean(all))} min, p99 ${fmt(quantile(tiered, 0.99), 1)}/${fmt(quantile(lwf, 0.99), 1)}/${fmt(quantile(all, 0.99), 1)}`);
  }
  const { c, rho } = tieredHall;
  say(`tiered hall, ${seeds.length} seeds × ${days} days (tiered / same skills in one tier = longest wait first / every window every service): ${abs.join('; ')}; Erlang C of the last ${fmt(erlangCWait(c * rho * mu, mu, c))} min`);
  say(`  mean wait tiered / longest-wait-first: ${summary(mean_)}`);
  say(`  p99 wait tiered / the same hall in one tier: ${summary(p99)}`);
  say(`  p99 wait with strict tiers (tierSlack: null, the old rule) / the same hall in one tier: ${summary(p99Strict)}`);
  say(`  vs every window serving every service (M/M/9): mean ${summary(meanPooled)}; p99 ${summary(p99Pooled)}`);
}

/**
 * Cobham's formula for a non-preemptive priority M/M/c with one service rate for all classes (A. Cobham,
 * "Priority assignment in waiting line problems", J. Operations Research Society of America 2 (1954) 70–76; also Gross & Harris,
 * Fundamentals of Queueing Theory, on priority disciplines): W_k = C(c, a) / (cμ (1 − σ_{k−1})(1 − σ_k)),
 * C(c, a) Erlang's probability of waiting, σ_k = (λ_1 + … + λ_k)/(cμ) (σ_0 = 0).
 */
export function cobhamWaits(lambdaPriority: number, lambdaNormal: number, m: number, c: number): { priority: number; normal: number } {
  const lambda = lambdaPriority + lambdaNormal;
  const pWaitOverRate = erlangCWait(lambda, m, c) * (1 - lambda / (c * m)); // C(c, a) / (cμ)
  const s1 = lambdaPriority / (c * m);
  const s2 = lambda / (c * m);
  return { priority: pWaitOverRate / (1 - s1), normal: pWaitOverRate / ((1 - s1) * (1 - s2)) };
}

function benchStrict(say: (s: string) => void): void {
  const share = 0.3;
  const days = 3;
  const policy = { interleave: { normal: 0, priority: 1 }, agingMinutes: 100_000 };
  const theory = cobhamWaits(pooled.lambda * share, pooled.lambda * (1 - share), mu, pooled.c);
  const pr: number[] = [];
  const nr: number[] = [];
  for (const seed of seeds) {
    const ts = measured(simulate({ ...pooledSpec(seed, days, policy, { priorityShare: share }), trace: true }));
    pr.push(mean(ts.filter((t) => t.priority).map(waitMin)) / theory.priority);
    nr.push(mean(ts.filter((t) => !t.priority).map(waitMin)) / theory.normal);
  }
  say(`strict priority (interleave.normal 0), M/M/10 ρ 0.8, ${share * 100} % priority, ${seeds.length} seeds × ${days} days: Cobham W_priority ${fmt(theory.priority, 3)} min, W_normal ${fmt(theory.normal, 3)} min`);
  say(`  priority wait / Cobham: ${summary(pr)}; normal wait / Cobham: ${summary(nr)}`);
}

function benchPooled(say: (s: string) => void): void {
  const runs = 10;
  const days = 3;
  const wq = erlangCWait(pooled.lambda, mu, pooled.c);
  const ratios = Array.from({ length: runs }, (_, i) => simulate(pooledSpec(1000 + i, days)).waitMean / wq);
  say(`pooled hall M/M/10 ρ 0.8 vs Erlang C ${fmt(wq, 3)} min, ${runs} seeds × ${days} days: ${summary(ratios)}; mean of the ratios ${fmt(mean(ratios), 3)} (one seed alone is luck)`);
}

export function benchQueueRules(say: (s: string) => void = console.log): void {
  const t = Date.now();
  const cpu = process.cpuUsage();
  benchEstimate(say);
  benchTiers(say);
  benchStrict(say);
  benchPooled(say);
  const used = process.cpuUsage(cpu);
  say(`(queue-rule benchmarks took ${fmt((Date.now() - t) / 1000, 0)} s, ${fmt((used.user + used.system) / 1e6, 0)} s of CPU)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) benchQueueRules();
