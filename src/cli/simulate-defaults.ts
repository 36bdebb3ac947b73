import { simulationSchema, type HallqConfig, type SimulationConfig } from '../config/schema.js';

/** Share of the configured windows' time the default arrivals keep busy: a loaded hall, not an overloaded one. */
export const DEFAULT_UTILISATION = 0.8;

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

type Period = { from: string; to: string };

const minuteOf = (hm: string): number => {
  const [h, m] = hm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Minutes of each local hour (0..23) in which tickets are issued: inside a period, before its end's cutoff (src/core/hours.ts). */
function issuingMinutesPerHour(periods: readonly Period[], cutoff: number): number[] {
  const hours = Array.from({ length: 24 }, () => 0);
  for (let minute = 0; minute < 24 * 60; minute++) {
    if (periods.some((p) => minute >= minuteOf(p.from) && minute < minuteOf(p.to) - cutoff)) hours[Math.floor(minute / 60)]! += 1;
  }
  return hours;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export interface DerivedSimulation {
  simulation: SimulationConfig;
  /** What was assumed, one line each, English then Chinese, for stderr. */
  said: string[];
}

/**
 * A simulation section for a config that has none (config/hall.example.yaml), derived from the config
 * itself: the citizens arrive while tickets are issued on the hall's first open weekday (a service with
 * its own hours in those; the issuing cutoff before each period's end; an hour issued in part gets its
 * share of the rate, spread by the simulator over the whole hour, so a few come too late), the services in proportion to their daily quotas (the config's own word on relative
 * demand), in all at the rate that keeps the configured windows DEFAULT_UTILISATION busy with the
 * services' own average case lengths; every window open with the hall; the schema's defaults for the rest.
 * Undefined when the hall is open on no day or has no window.
 */
export function derivedSimulation(c: HallqConfig): DerivedSimulation | undefined {
  const day = WEEK.find((d) => c.hours.weekly[d].length > 0);
  if (day === undefined || c.windows.length === 0 || c.services.length === 0) return undefined;
  const hall = c.hours.weekly[day];
  const demand = c.services.reduce((sum, s) => sum + s.dailyQuota * s.avgServiceMinutes, 0);
  // Citizens per hour per unit of quota: the windows' minutes per hour × utilisation over the work one unit brings.
  const perQuota = (DEFAULT_UTILISATION * c.windows.length * 60) / demand;
  const arrivalsPerHour: Record<string, number[]> = {};
  for (const s of c.services) {
    const rate = s.dailyQuota * perQuota;
    // A service's own hours replace the hall's, as at issue.
    arrivalsPerHour[s.id] = issuingMinutesPerHour(s.hours ?? hall, c.hours.issuingCutoffMinutes).map((m) => r1((rate * m) / 60));
  }
  const simulation = simulationSchema.parse({ arrivalsPerHour });
  const hours = hall.map((p) => `${p.from}–${p.to}`).join(', ');
  const perHour = c.services.map((s) => `${s.id} ${r1(s.dailyQuota * perQuota)}`).join(', ');
  const example = ['simulation:', '  arrivalsPerHour:', ...c.services.map((s) => `    ${s.id}: [${(arrivalsPerHour[s.id] ?? []).join(', ')}]`)];
  const said = [
    `no simulation section: simulating with defaults derived from the config (add a simulation section to set your own; example below)`,
    `没有 simulation 部分：按配置推算的默认值模拟（可加 simulation 部分自定；示例见下）`,
    `  arrivals: while tickets are issued on the hall's ${day} hours ${hours} (a service with its own hours in those; ${c.hours.issuingCutoffMinutes} min issuing cutoff), in proportion to each service's dailyQuota, ` +
      `in all keeping the ${c.windows.length} windows ${Math.round(DEFAULT_UTILISATION * 100)} % busy at each service's avgServiceMinutes; per open hour: ${perHour}`,
    `  到达：在大厅 ${day} 的办公时间 ${hours} 内的取号时段（有自己时间的业务按其时间；截止前 ${c.hours.issuingCutoffMinutes} 分钟停止取号），各业务按 dailyQuota 的比例，总量使 ${c.windows.length} 个窗口按各业务 avgServiceMinutes 计忙 ${Math.round(DEFAULT_UTILISATION * 100)}%`,
    `  case lengths: each service's avgServiceMinutes, lognormal, cv 0.5; windows: all ${c.windows.length} open with the hall; ` +
      `priority share ${simulation.priorityShare}, no-show rate ${simulation.noShowRate}, ${simulation.days} day from today (days the hall is closed are skipped), seed ${simulation.seed}`,
    `  办理时长：各业务 avgServiceMinutes，对数正态，变异系数 0.5；窗口：全部 ${c.windows.length} 个随大厅开放`,
    ...example,
  ];
  return { simulation, said };
}
