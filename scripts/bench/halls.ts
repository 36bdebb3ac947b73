import { defaultPolicy, type HallConfig, type Policy, type TimeRange, type WindowDef } from '../../src/core/index.js';
import type { SimSpec } from '../../src/sim/spec.js';

/** The halls the queue-rule benchmarks and tests run: built here, so both measure the same thing. */

const day: TimeRange[] = [{ from: '06:00', to: '22:00' }];
/** Mean service time of every hall below, minutes (exponential). */
export const meanMinutes = 4;
export const mu = 1 / meanMinutes;

function hall(id: string, services: string[], windows: WindowDef[], policy: Partial<Policy> = {}): HallConfig {
  return {
    id,
    name: { zh: id, en: id },
    utcOffsetMinutes: 480,
    hours: { weekly: { sun: day, mon: day, tue: day, wed: day, thu: day, fri: day, sat: day }, issuingCutoffMinutes: 60, holidays: [], workdays: [] },
    services: services.map((s) => ({ id: s, name: { zh: s, en: s }, prefix: s, dailyQuota: 999, idRequired: false, avgServiceMinutes: meanMinutes })),
    windows,
    staff: windows.map((w) => ({ id: `s${w.id}`, name: `S${w.id}` })),
    policy: { ...defaultPolicy, ...policy },
  };
}

function spec(config: HallConfig, arrivalsPerHour: Record<string, number>, seed: number, days: number, extra: Partial<SimSpec> = {}): SimSpec {
  const exp = { dist: 'exponential' as const, meanMinutes };
  return {
    config,
    startDay: '2026-11-23',
    days,
    seed,
    arrivalsPerHour,
    serviceTime: Object.fromEntries(config.services.map((s) => [s.id, exp])),
    priorityShare: 0,
    noShowRate: 0,
    noShowWaitMinutes: 2,
    warmupMinutes: 120,
    ...extra,
  };
}

/** M/M/10 at ρ 0.8: λ = 2/min over three services that every window serves in one tier. */
export const pooled = { c: 10, lambda: 2 };
export function pooledSpec(seed: number, days: number, policy: Partial<Policy> = {}, extra: Partial<SimSpec> = {}): SimSpec {
  const services = ['A', 'B', 'C'];
  const windows = Array.from({ length: pooled.c }, (_, i) => ({ id: i + 1, kind: 'general' as const, tiers: [services] }));
  const perHour = (pooled.lambda * 60) / services.length;
  return spec(hall('pooled', services, windows, policy), Object.fromEntries(services.map((s) => [s, perHour])), seed, days, extra);
}

/**
 * 6 services, 9 windows, 3 tiers each, ρ 0.85: window i (0-based) serves service i mod 6 first,
 * then the next one round the ring, then the one after. Services 0–2 are the first tier at two
 * windows, 3–5 at one; each service's arrivals load its first-tier windows to ρ.
 * `shape`: 'tiered' as described; 'one-tier' the same skills in one tier (longest wait first);
 * 'pooled' every window serves every service (Erlang C's M/M/9).
 */
export const tieredHall = { c: 9, services: 6, rho: 0.85 };
export function tieredSpec(shape: 'tiered' | 'one-tier' | 'pooled', seed: number, days: number, policy: Partial<Policy> = {}, extra: Partial<SimSpec> = {}): SimSpec {
  const services = Array.from({ length: tieredHall.services }, (_, i) => `S${i}`);
  const ring = (i: number) => services[i % services.length] ?? 'S0';
  const windows: WindowDef[] = Array.from({ length: tieredHall.c }, (_, i) => {
    const tiers = [[ring(i)], [ring(i + 1)], [ring(i + 2)]];
    return { id: i + 1, kind: 'domain' as const, tiers: shape === 'tiered' ? tiers : shape === 'one-tier' ? [tiers.flat()] : [services] };
  });
  const firstTier = (s: string) => windows.filter((_, i) => ring(i) === s).length;
  const arrivals = Object.fromEntries(services.map((s) => [s, tieredHall.rho * mu * 60 * firstTier(s)]));
  return spec(hall(`hall-${shape}`, services, windows, policy), arrivals, seed, days, extra);
}
