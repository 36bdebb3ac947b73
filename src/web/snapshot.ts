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
  /** The emergency notice in force (DB22/T 2871.4 §11.6), or null: every page shows it over everything. */
  emergency: { kind: 'emergency' | 'evacuation'; text: string; raisedAt: number } | null;
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
    emergency: state.emergency ? { kind: state.emergency.kind, text: state.emergency.text, raisedAt: state.emergency.raisedAt } : null,
    hours: config?.hours.weekly[weekday as 'mon'] ?? [],
  };
}

/**
 * What the public surface (hall display, /api/hall, /api/stream) shows: the snapshot without any
 * personal data, not even masked (no names, no staff ids, no ratings).
 */
export function publicSnapshot(s: HallSnapshot): Omit<HallSnapshot, 'ratings'> & { ratings: [] } {
  return {
    ...s,
    windows: s.windows.map(({ staffId: _staff, current, ...w }) => ({ ...w, ...(current ? { current: { ticketId: current.ticketId, number: current.number, serviceId: current.serviceId, status: current.status } } : {}) })),
    calls: s.calls.map(({ nameMasked: _name, ...c }) => c),
    ratings: [],
  };
}

/** The state as /api/state hands it out: the keyed ID hash (stable across days, so visits could be linked) never leaves the server, nor an appointment's phone and code hashes. */
export function stateWithoutIdHash(state: HallState): unknown {
  const strip = <T extends { person?: { idHash: string } }>(x: T) => {
    if (!x.person) return x;
    const { idHash: _hash, ...person } = x.person;
    return { ...x, person };
  };
  return {
    ...state,
    tickets: Object.fromEntries(Object.entries(state.tickets).map(([k, t]) => [k, strip(t)])),
    // Imported appointments' phone and code hashes are keyed the same way: kept home too.
    appointments: Object.fromEntries(Object.entries(state.appointments).map(([k, { phoneHash: _p, codeHash: _c, ...a }]) => [k, strip(a)])),
  };
}
