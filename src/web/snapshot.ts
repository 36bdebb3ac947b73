import { queueView, windowView, type HallState, type WindowView } from '../core/index.js';

/** What every server page renders from: masked data only, derived from the state. */
export interface HallSnapshot {
  seq: number;
  day: string;
  hall: { zh: string; en: string };
  services: { id: string; zh: string; en: string; prefix: string; waiting: number; issued: number; served: number; quota: number }[];
  windows: (WindowView & { kind: string })[];
  /** The latest calls, newest first. */
  calls: { ticketId: string; number: string; window: number; serviceId: string; at: number; nameMasked?: string }[];
  ratings: { id: string; number: string; window: number; staffId?: string; grade: string; at: number; followUp?: { status: string; note?: string } }[];
  notice: string;
  hours: { from: string; to: string }[];
}

export function hallSnapshot(state: HallState, notice: string, weekday: string): HallSnapshot {
  const config = state.config;
  const q = queueView(state);
  const calls = Object.values(state.tickets)
    .filter((t) => t.calledAt !== undefined && t.window !== undefined)
    .sort((a, b) => (b.calledAt ?? 0) - (a.calledAt ?? 0))
    .slice(0, 8)
    .map((t) => ({ ticketId: t.id, number: t.number, window: t.window ?? 0, serviceId: t.serviceId, at: t.calledAt ?? 0, ...(t.person?.nameMasked ? { nameMasked: t.person.nameMasked } : {}) }));
  return {
    seq: state.seq,
    day: state.day,
    hall: config?.name ?? { zh: '', en: '' },
    services: (config?.services ?? []).map((s) => ({ id: s.id, zh: s.name.zh, en: s.name.en, prefix: s.prefix, quota: s.dailyQuota, waiting: q.services[s.id]?.waiting ?? 0, issued: q.services[s.id]?.issued ?? 0, served: q.services[s.id]?.served ?? 0 })),
    windows: (config?.windows ?? []).map((w) => ({ ...windowView(state, w.id), kind: w.kind })),
    calls,
    ratings: Object.values(state.ratings).map((r) => ({ id: r.id, number: r.number, window: r.window, grade: r.grade, at: r.at, ...(r.staffId ? { staffId: r.staffId } : {}), ...(r.followUp ? { followUp: r.followUp } : {}) })),
    notice,
    hours: config?.hours.weekly[weekday as 'mon'] ?? [],
  };
}
