import {
  emptyState,
  epochOf,
  estimatedWaits,
  canServe,
  execute,
  localTime,
  parseHm,
  positions,
  weekdayKeys,
  type Command,
  type CommandBody,
  type HallEvent,
  type HallState,
  type TimeRange,
} from '../core/index.js';
import { EventHeap } from './heap.js';
import { Random } from './random.js';
import type { ServiceTimeSpec, SimSpec } from './spec.js';
import { mean, quantile } from './stats.js';

/**
 * A discrete-event simulation of hall days that drives the real core: the same decide/apply the
 * server runs, fed with Poisson arrivals, service times from a distribution and window shifts.
 */

export interface ServiceReport {
  serviceId: string;
  arrivals: number;
  rejected: Record<string, number>;
  served: number;
  noShows: number;
  /** Minutes from issue to first call, arrivals after the warm-up only. */
  waitMean: number;
  waitP90: number;
  waitMax: number;
  /** Minutes between the "near" notice and the call, for tickets that got one. */
  nearLeadMean: number;
  nearLeadP10: number;
  nearCount: number;
  measured: number;
}

export interface WindowReport {
  window: number;
  openMinutes: number;
  busyMinutes: number;
  utilisation: number;
  served: number;
}

export interface DayReport {
  day: string;
  /** Mean wait of the day's measured tickets, minutes. */
  waitMean: number;
  measured: number;
  arrivals: number;
  /** Service minutes brought by the day's issued tickets (the realised offered work). */
  workMinutes: number;
}

/** One issued ticket, for checking the simulator against queueing theory. */
export interface TicketTrace {
  day: string;
  serviceId: string;
  arrivedAt: number;
  caseMs: number;
  /** First call; undefined if never called. */
  calledAt?: number;
  priority: boolean;
  /** At issue: the estimated wait (ms; undefined when no open window could call it), the wait position, the open windows that can call it and how many of them were free. */
  estimateMs?: number;
  position: number;
  openWindows: number;
  freeWindows: number;
}

export interface SimReport {
  days: string[];
  perDay: DayReport[];
  /** Every issued ticket, when the spec asks for a trace. */
  trace: TicketTrace[];
  services: ServiceReport[];
  windows: WindowReport[];
  /** Mean wait over every measured ticket, minutes. */
  waitMean: number;
  measured: number;
  events: number;
}

type SimEvent =
  | { t: number; kind: 'arrival'; serviceId: string; serviceMs: number; priority: boolean }
  | { t: number; kind: 'open'; window: number; until: number }
  | { t: number; kind: 'shift-end'; window: number }
  | { t: number; kind: 'done'; window: number; ticketId: string }
  | { t: number; kind: 'no-show'; window: number; ticketId: string };

interface WindowRun {
  id: number;
  until: number;
  openedAt: number;
  open: boolean;
  busy: boolean;
  busySince: number;
}

interface Tracker {
  issuedAt: Map<string, number>;
  nearAt: Map<string, number>;
  counted: Set<string>;
  waits: Map<string, number[]>;
  leads: Map<string, number[]>;
  served: Map<string, number>;
  noShows: Map<string, number>;
  arrivals: Map<string, number>;
  rejected: Map<string, Record<string, number>>;
  windowOpen: Map<number, number>;
  windowBusy: Map<number, number>;
  windowServed: Map<number, number>;
}

function hallRanges(spec: SimSpec, day: string): TimeRange[] {
  const hours = spec.config.hours;
  if (hours.holidays.includes(day)) return [];
  const weekday = weekdayKeys[new Date(`${day}T00:00:00Z`).getUTCDay()];
  if (hours.workdays.includes(day)) return hours.weekly.mon;
  return weekday ? hours.weekly[weekday] : [];
}

function drawService(rng: Random, s: ServiceTimeSpec): number {
  const ms = s.meanMinutes * 60_000;
  if (s.dist === 'fixed') return ms;
  if (s.dist === 'lognormal') return rng.lognormal(ms, s.cv ?? 0.5);
  return rng.exponential(ms);
}

function ratePerMs(spec: SimSpec, serviceId: string, hour: number): number {
  const r = spec.arrivalsPerHour[serviceId];
  const perHour = Array.isArray(r) ? (r[hour] ?? 0) : (r ?? 0);
  return perHour / 3_600_000;
}

function addTo(m: Map<string, number[]>, k: string, v: number): void {
  const xs = m.get(k);
  if (xs) xs.push(v);
  else m.set(k, [v]);
}

function inc<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

export function simulate(spec: SimSpec): SimReport {
  // Two streams: the citizens (arrivals, case lengths, classes) come from their own, so two halls or
  // two policies run on one seed see the very same citizens; the hall's own chance (no-shows, which
  // free window moves first) draws from the other.
  const citizens = new Random(spec.seed);
  const rng = new Random(spec.seed ^ 0x5bd1e995);
  const state: HallState = emptyState();
  const config = spec.config;
  const offset = config.utcOffsetMinutes;
  let cmdNo = 0;
  let eventCount = 0;
  const tr: Tracker = {
    issuedAt: new Map(),
    nearAt: new Map(),
    counted: new Set(),
    waits: new Map(),
    leads: new Map(),
    served: new Map(),
    noShows: new Map(),
    arrivals: new Map(),
    rejected: new Map(),
    windowOpen: new Map(),
    windowBusy: new Map(),
    windowServed: new Map(),
  };
  let warmupEnd = 0;
  const trace: TicketTrace[] = [];
  const traced = new Map<string, TicketTrace>();
  const dayWaitList: number[] = [];
  const perDay: DayReport[] = [];

  const run = (cmd: CommandBody, t: number) => {
    const full = { ...cmd, id: `sim-${++cmdNo}` } as Command;
    const r = execute(state, full, t);
    spec.onCommand?.(full, r.events);
    eventCount += r.events.length;
    for (const e of r.events) observe(e);
    return r;
  };

  const observe = (e: HallEvent) => {
    if (e.type === 'TicketIssued') {
      tr.issuedAt.set(e.ticket.id, e.at);
    } else if (e.type === 'NotificationDue' && (e.reason === 'near' || e.near === true)) {
      tr.nearAt.set(e.ticketId, e.at);
    } else if (e.type === 'TicketCalled') {
      const issued = tr.issuedAt.get(e.ticketId);
      const t = state.tickets[e.ticketId];
      if (issued !== undefined && t && !tr.counted.has(e.ticketId)) {
        tr.counted.add(e.ticketId);
        const rec = traced.get(e.ticketId);
        if (rec) rec.calledAt = e.at;
        if (issued >= warmupEnd) {
          addTo(tr.waits, t.serviceId, (e.at - issued) / 60_000);
          dayWaitList.push((e.at - issued) / 60_000);
        }
        const near = tr.nearAt.get(e.ticketId);
        if (near !== undefined) addTo(tr.leads, t.serviceId, (e.at - near) / 60_000);
      }
    }
  };

  const days: string[] = [];
  const start = Date.parse(`${spec.startDay}T00:00:00Z`);
  run({ type: 'Configure', config }, epochOf(spec.startDay, 0, offset));

  for (let d = 0; days.length < spec.days && d < spec.days * 4 + 14; d++) {
    const day = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
    const ranges = hallRanges(spec, day);
    if (ranges.length === 0) continue;
    days.push(day);
    const dayOpen = epochOf(day, Math.min(...ranges.map((r) => parseHm(r.from))), offset);
    const dayClose = epochOf(day, Math.max(...ranges.map((r) => parseHm(r.to))), offset);
    warmupEnd = dayOpen + spec.warmupMinutes * 60_000;
    const heap = new EventHeap<SimEvent>();
    // Arrivals: a Poisson process per service, thinned for hourly rates.
    for (const s of config.services) {
      const rates = Array.from({ length: 24 }, (_, h) => ratePerMs(spec, s.id, h));
      const max = Math.max(...rates);
      if (max <= 0) continue;
      for (let t = dayOpen + citizens.exponential(1 / max); t < dayClose; t += citizens.exponential(1 / max)) {
        const hour = localTime(t, offset).minute / 60;
        if (citizens.next() * max < (rates[Math.floor(hour)] ?? 0)) {
          // Each citizen's case length is drawn on arrival, so it does not depend on who serves them when.
          const st = spec.serviceTime[s.id] ?? { dist: 'exponential', meanMinutes: s.avgServiceMinutes };
          heap.push({ t, kind: 'arrival', serviceId: s.id, serviceMs: drawService(citizens, st), priority: citizens.chance(spec.priorityShare) });
        }
      }
    }
    // By default every window is staffed during each opening range (staff leave at lunch).
    const shifts = spec.shifts ?? config.windows.flatMap((w) => ranges.map((r) => ({ window: w.id, from: r.from, to: r.to })));
    for (const sh of shifts) {
      const until = epochOf(day, parseHm(sh.to), offset);
      heap.push({ t: epochOf(day, parseHm(sh.from), offset), kind: 'open', window: sh.window, until });
      heap.push({ t: until, kind: 'shift-end', window: sh.window });
    }
    const windows = new Map<number, WindowRun>();
    const caseLength = new Map<string, number>();
    const today = { arrivals: 0, work: 0 };
    const staffFor = (w: number) => config.staff[(w - 1) % Math.max(1, config.staff.length)]?.id ?? `s${w}`;

    const tryCall = (w: WindowRun, t: number) => {
      if (!w.open || w.busy) return;
      const r = run({ type: 'CallNext', window: w.id }, t);
      const ticketId = r.outcome.ok ? r.outcome.ticketId : undefined;
      if (!ticketId) {
        // Nobody waits: after the shift ends, the window closes; before, it waits for an arrival.
        if (t >= w.until) {
          w.open = false;
          run({ type: 'CloseWindow', window: w.id }, t);
          inc(tr.windowOpen, w.id, t - w.openedAt);
        }
        return;
      }
      w.busy = true;
      w.busySince = t;
      if (rng.chance(spec.noShowRate)) heap.push({ t: t + spec.noShowWaitMinutes * 60_000, kind: 'no-show', window: w.id, ticketId });
      else heap.push({ t: t + (caseLength.get(ticketId) ?? 0), kind: 'done', window: w.id, ticketId });
    };
    const wakeIdle = (t: number) => {
      const idle = [...windows.values()].filter((w) => w.open && !w.busy);
      // Random order, so that no window is favoured when several are free.
      for (let i = idle.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [idle[i], idle[j]] = [idle[j]!, idle[i]!];
      }
      for (const w of idle) tryCall(w, t);
    };

    for (let ev = heap.pop(); ev; ev = heap.pop()) {
      const t = ev.t;
      switch (ev.kind) {
        case 'arrival': {
          inc(tr.arrivals as Map<string, number>, ev.serviceId);
          // Every simulated citizen swipes an ID card (a synthetic hash), so ID-only services and the per-ID rules apply.
          const person = { idHash: `sim-${cmdNo}`, idMasked: '0000**********0000', idValid: true };
          const r = run({ type: 'IssueTicket', serviceId: ev.serviceId, delivery: 'none', priority: ev.priority, person }, t);
          if (r.outcome.ok && r.outcome.ticketId) {
            caseLength.set(r.outcome.ticketId, ev.serviceMs);
            if (spec.trace) {
              const id = r.outcome.ticketId;
              const eligible = config.windows.filter((w) => canServe(w, { serviceId: ev.serviceId }) && windows.get(w.id)?.open === true);
              const rec: TicketTrace = {
                day,
                serviceId: ev.serviceId,
                arrivedAt: t,
                caseMs: ev.serviceMs,
                priority: ev.priority,
                position: spec.estimates ? (positions(state, t).get(id)?.position ?? 0) : 0,
                openWindows: eligible.length,
                freeWindows: eligible.filter((w) => !(windows.get(w.id)?.busy ?? false)).length,
              };
              const eta = spec.estimates ? estimatedWaits(state, t).get(id) : undefined;
              if (eta !== undefined) rec.estimateMs = eta;
              trace.push(rec);
              traced.set(r.outcome.ticketId, rec);
            }
            today.arrivals += 1;
            today.work += ev.serviceMs;
          } else if (!r.outcome.ok) {
            const rej = tr.rejected.get(ev.serviceId) ?? {};
            rej[r.outcome.code] = (rej[r.outcome.code] ?? 0) + 1;
            tr.rejected.set(ev.serviceId, rej);
          }
          wakeIdle(t);
          break;
        }
        case 'open': {
          const running = windows.get(ev.window);
          if (running?.open) {
            // Still draining the morning queue when the afternoon shift starts: it simply stays open.
            running.until = ev.until;
            break;
          }
          const w: WindowRun = { id: ev.window, until: ev.until, openedAt: t, open: true, busy: running?.busy ?? false, busySince: running?.busySince ?? 0 };
          windows.set(ev.window, w);
          run({ type: 'OpenWindow', window: ev.window, staffId: staffFor(ev.window) }, t);
          tryCall(w, t);
          break;
        }
        case 'shift-end': {
          // An idle window closes at the end of its shift; a busy one closes once the queue is empty.
          const w = windows.get(ev.window);
          if (w && w.until <= t) tryCall(w, t);
          break;
        }
        case 'done':
        case 'no-show': {
          const w = windows.get(ev.window);
          if (!w) break;
          const serviceId = state.tickets[ev.ticketId]?.serviceId ?? '?';
          if (ev.kind === 'done') {
            run({ type: 'Complete', window: ev.window }, t);
            inc(tr.served as Map<string, number>, serviceId);
            inc(tr.windowServed, ev.window);
          } else {
            run({ type: 'NoShow', window: ev.window }, t);
            inc(tr.noShows as Map<string, number>, serviceId);
          }
          inc(tr.windowBusy, ev.window, t - w.busySince);
          w.busy = false;
          tryCall(w, t);
          break;
        }
      }
    }
    // Windows still open at the end of the day (nothing left to do) close at their shift end.
    for (const w of windows.values()) if (w.open) inc(tr.windowOpen, w.id, Math.max(w.until, w.openedAt) - w.openedAt);
    const dayWaits = dayWaitList.splice(0);
    perDay.push({ day, waitMean: mean(dayWaits), measured: dayWaits.length, arrivals: today.arrivals, workMinutes: today.work / 60_000 });
    spec.onDay?.(days.length, spec.days);
  }

  const services: ServiceReport[] = config.services.map((s) => {
    const waits = tr.waits.get(s.id) ?? [];
    const leads = tr.leads.get(s.id) ?? [];
    return {
      serviceId: s.id,
      arrivals: tr.arrivals.get(s.id) ?? 0,
      rejected: tr.rejected.get(s.id) ?? {},
      served: tr.served.get(s.id) ?? 0,
      noShows: tr.noShows.get(s.id) ?? 0,
      waitMean: mean(waits),
      waitP90: quantile(waits, 0.9),
      waitMax: waits.length === 0 ? 0 : Math.max(...waits),
      nearLeadMean: mean(leads),
      nearLeadP10: quantile(leads, 0.1),
      nearCount: leads.length,
      measured: waits.length,
    };
  });
  const windows: WindowReport[] = config.windows.map((w) => {
    const open = (tr.windowOpen.get(w.id) ?? 0) / 60_000;
    const busy = (tr.windowBusy.get(w.id) ?? 0) / 60_000;
    return { window: w.id, openMinutes: open, busyMinutes: busy, utilisation: open > 0 ? busy / open : 0, served: tr.windowServed.get(w.id) ?? 0 };
  });
  const all = [...tr.waits.values()].flat();
  return { days, perDay, trace, services, windows, waitMean: mean(all), measured: all.length, events: eventCount };
}
