import { formatIssues, loadConfigFile } from '../config/load.js';
import { hallConfigOf } from '../config/hall-config.js';
import { derivedSimulation } from './simulate-defaults.js';
import { hallToday } from './hall-time.js';
import type { HallqConfig } from '../config/schema.js';
import { simulate, type SimReport } from '../sim/simulate.js';
import type { SimSpec } from '../sim/spec.js';
import { HallqError } from '../../drivers/common/error.js';
import { UsageError } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { progressBar } from './progress.js';
import { table } from './table.js';

export interface SimulateOptions {
  days?: number;
  seed?: number;
  /** Only these windows are staffed, e.g. "1-4,7". */
  windows?: string;
  json: boolean;
}

/** "1-4,7" → [1, 2, 3, 4, 7] */
export function parseWindowList(text: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    // A descending range (4-1) is a typo more often than a wish: refused, like any list it cannot read.
    if (b < a) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

export function simSpecOf(c: HallqConfig, o: Pick<SimulateOptions, 'days' | 'seed'>, staffed?: number[]): SimSpec | string {
  const sim = c.simulation;
  if (!sim) return 'the config has no simulation section (arrivals per hour per service)';
  const config = hallConfigOf(c);
  if (staffed) config.windows = config.windows.filter((w) => staffed.includes(w.id));
  const serviceTime: SimSpec['serviceTime'] = {};
  for (const s of c.services) serviceTime[s.id] = sim.serviceTime[s.id] ?? { dist: 'lognormal', meanMinutes: s.avgServiceMinutes, cv: 0.5 };
  return {
    config,
    startDay: sim.startDay ?? hallToday(Date.now(), c.hall.utcOffsetMinutes), // today in the hall, not on this machine's clock zone
    days: o.days ?? sim.days,
    seed: o.seed ?? sim.seed,
    arrivalsPerHour: sim.arrivalsPerHour,
    serviceTime,
    ...(sim.shifts ? { shifts: staffed ? sim.shifts.filter((s) => staffed.includes(s.window)) : sim.shifts } : {}),
    priorityShare: sim.priorityShare,
    noShowRate: sim.noShowRate,
    noShowWaitMinutes: sim.noShowWaitMinutes,
    warmupMinutes: sim.warmupMinutes,
  };
}

const f1 = (x: number) => x.toFixed(1);

export function formatReport(c: HallqConfig, r: SimReport): string {
  const name = (id: string) => c.services.find((s) => s.id === id)?.name.zh ?? id;
  const services = table(
    ['service 业务', 'arrived', 'served', 'no-show', 'refused', 'wait mean', 'p90', 'max', 'near SMS', 'lead mean', 'lead p10'],
    r.services.map((s) => [
      `${name(s.serviceId)} (${s.serviceId})`,
      s.arrivals,
      s.served,
      s.noShows,
      Object.values(s.rejected).reduce((a, b) => a + b, 0),
      f1(s.waitMean),
      f1(s.waitP90),
      f1(s.waitMax),
      s.nearCount,
      f1(s.nearLeadMean),
      f1(s.nearLeadP10),
    ]),
  );
  const windows = table(
    ['window 窗口', 'open min', 'busy min', 'utilisation', 'served'],
    r.windows.map((w) => [w.window, Math.round(w.openMinutes), Math.round(w.busyMinutes), `${Math.round(w.utilisation * 100)} %`, w.served]),
  );
  const refused = r.services.flatMap((s) => Object.entries(s.rejected).map(([code, n]) => `${s.serviceId}: ${n} × ${code}`));
  return [
    `hallq simulate: ${c.hall.name.zh} · ${r.days.length} day(s) from ${r.days[0] ?? '-'} · ${r.measured} tickets measured · waits in minutes`,
    '',
    services,
    '',
    windows,
    ...(refused.length > 0 ? ['', `refused: ${refused.join(', ')}`] : []),
    '',
    `mean wait over all services: ${f1(r.waitMean)} min. "lead" = minutes between the near SMS and the call.`,
  ].join('\n');
}

/** `hallq simulate FILE`: a hall day (or several) on the real core. */
export function simulateCommand(file: string, o: SimulateOptions): number {
  const loaded = loadConfigFile(file);
  if (!loaded.ok) {
    process.stderr.write(`${formatIssues(file, loaded.issues, true)}\n`);
    throw new HallqError('CONFIG_INVALID', `${loaded.issues.length} problem(s) in ${file}; nothing simulated`, { messageZh: `${file} 中有 ${loaded.issues.length} 处问题，未模拟` });
  }
  const staffed = o.windows === undefined ? undefined : parseWindowList(o.windows);
  if (o.windows !== undefined && !staffed) {
    const backwards = o.windows.split(',').find((p) => {
      const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(p);
      return m !== null && Number(m[2]) < Number(m[1]);
    });
    if (backwards !== undefined) throw new UsageError(`--windows: the range ${backwards.trim()} runs backwards; write it low-high, e.g. 1-4`, `--windows 的范围 ${backwards.trim()} 写反了，请从小到大写，例如 1-4`);
    throw new UsageError(`--windows is a list of window numbers like 1-4,7 (not "${o.windows}")`, `--windows 应为窗口号列表，例如 1-4,7（而不是 "${o.windows}"）`);
  }
  if (o.days !== undefined && (o.days < 1 || o.days > 3650)) {
    throw new UsageError(`--days is 1 to 3650 days (not ${o.days})`, `--days 应为 1 到 3650 天（而不是 ${o.days}）`);
  }
  const known = new Set(loaded.config.windows.map((w) => w.id));
  const unknown = staffed?.filter((w) => !known.has(w)) ?? [];
  if (unknown.length > 0) {
    throw new UsageError(`--windows: ${file} has no window ${unknown.join(', ')} (its windows: ${[...known].join(', ')})`, `--windows：${file} 没有 ${unknown.join('、')} 号窗口（有：${[...known].join('、')}）`);
  }
  let config = loaded.config;
  if (!config.simulation) {
    // A production config (config/hall.example.yaml) has none: defaults derived from it, said on stderr.
    const derived = derivedSimulation(config);
    if (!derived) throw new HallqError('CONFIG_INVALID', `${file}: the config has no simulation section (arrivals per hour per service), and no open day, window or service to derive one from`, { messageZh: `${file} 没有 simulation 部分，也没有可据以推算的开放日、窗口或业务，无法模拟` });
    process.stderr.write(`${derived.said.join('\n')}\n\n`);
    config = { ...config, simulation: derived.simulation };
  }
  const spec = simSpecOf(config, o, staffed);
  if (typeof spec === 'string') throw new HallqError('CONFIG_INVALID', `${file}: ${spec}`, { messageZh: `${file} 无法模拟` });
  // Many days take a while: a bar on a terminal's stderr (nothing on a pipe, so stdout stays the report).
  const bar = spec.days > 1 ? progressBar('simulate', 'days') : undefined;
  let report: SimReport;
  try {
    report = simulate(bar ? { ...spec, onDay: (done, total) => bar.update(done, total) } : spec);
  } finally {
    bar?.stop();
  }
  process.stdout.write(o.json ? `${JSON.stringify({ ...report, trace: undefined })}\n` : `${formatReport(config, report)}\n`);
  return exitCodes.ok;
}
