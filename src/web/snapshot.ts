import { grades, localTime, queueView, windowView, type HallState, type WindowView } from '../core/index.js';

/** Window status in Chinese, for every page that shows one (issue 11: names, not ids). */
export const windowStatusZh: Record<WindowView['status'], string> = { open: '开放', paused: '暂停', closed: '关闭' };

/**
 * Today's admin figures (issue 11), from the state: served is completed tickets only (not called or being
 * served); waitMeanMin is issue → call over today's called tickets (a re-queued ticket counts to its latest
 * call; the reports page has the exact first-call figure); satisfaction is 满意率 over today's ratings.
 */
export interface TodayFigures {
  issued: number;
  waiting: number;
  /** Completed (ServiceCompleted) only. */
  served: number;
  /** Called or being served right now. */
  inService: number;
  noShow: number;
  /** Minutes, null before the first call. */
  waitMeanMin: number | null;
  rated: number;
  /** (非常满意 + 满意 + 基本满意) / rated, 0..1; null with no rating yet. */
  satisfaction: number | null;
  /** Bad ratings still waiting for their follow-up. */
  badOpen: number;
}

export function todayFigures(state: HallState): TodayFigures {
  const off = state.config?.utcOffsetMinutes ?? 480;
  let served = 0;
  let inService = 0;
  let noShow = 0;
  let waiting = 0;
  let waitSum = 0;
  let called = 0;
  let issued = 0;
  for (const t of Object.values(state.tickets)) {
    // Tickets issued today (as the reports count them), not the number counters: those include the numbers leased to island agents.
    if (t.day === state.day) issued++;
    if (t.status === 'done') served++;
    else if (t.status === 'called' || t.status === 'serving') inService++;
    else if (t.status === 'no-show') noShow++;
    else if (t.status === 'waiting') waiting++;
    if (t.calledAt !== undefined) {
      waitSum += t.calledAt - t.issuedAt;
      called++;
    }
  }
  const today = Object.values(state.ratings).filter((r) => localTime(r.at, off).day === state.day);
  const good = today.filter((r) => grades.indexOf(r.grade) <= 2).length;
  return {
    issued,
    waiting,
    served,
    inService,
    noShow,
    waitMeanMin: called > 0 ? waitSum / called / 60_000 : null,
    rated: today.length,
    satisfaction: today.length > 0 ? good / today.length : null,
    badOpen: Object.values(state.ratings).filter((r) => r.followUp?.status === 'open').length,
  };
}

/** What every server page renders from: masked data only, derived from the state. */
export interface HallSnapshot {
  seq: number;
  day: string;
  hall: { zh: string; en: string };
  /** The hall's offset from UTC, minutes (config utcOffsetMinutes): pages show hall time, not the browser's. */
  utcOffsetMinutes: number;
  services: { id: string; zh: string; en: string; prefix: string; waiting: number; issued: number; served: number; quota: number }[];
  windows: (WindowView & { kind: string; statusZh: string; staffName?: string })[];
  /** Today's figures for admin (issue 11). */
  today: TodayFigures;
  /** Staff id → name, for pages that show who (never on the public surface). */
  staffNames: Record<string, string>;
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
    utcOffsetMinutes: config?.utcOffsetMinutes ?? 480,
    services: (config?.services ?? []).map((s) => ({ id: s.id, zh: s.name.zh, en: s.name.en, prefix: s.prefix, quota: s.dailyQuota, waiting: q.services[s.id]?.waiting ?? 0, issued: q.services[s.id]?.issued ?? 0, served: q.services[s.id]?.served ?? 0 })),
    windows: (config?.windows ?? []).map((w) => {
      const v = windowView(state, w.id);
      const name = v.staffId === undefined ? undefined : config?.staff.find((x) => x.id === v.staffId)?.name;
      return { ...v, kind: w.kind, statusZh: windowStatusZh[v.status], ...(name === undefined ? {} : { staffName: name }) };
    }),
    today: todayFigures(state),
    staffNames: Object.fromEntries((config?.staff ?? []).map((x) => [x.id, x.name])),
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
export function publicSnapshot(s: HallSnapshot): Omit<HallSnapshot, 'ratings' | 'staffNames'> & { ratings: []; staffNames: Record<string, never> } {
  return {
    ...s,
    staffNames: {},
    windows: s.windows.map(({ staffId: _staff, staffName: _name, pauseReason: _reason, current, ...w }) => ({ ...w, ...(current ? { current: { ticketId: current.ticketId, number: current.number, serviceId: current.serviceId, status: current.status } } : {}) })),
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
    // A phone's keyed hash too: the same number links its tickets across days.
    tickets: Object.fromEntries(Object.entries(state.tickets).map(([k, { phoneHash: _ph, ...t }]) => [k, strip(t)])),
    // Imported appointments' phone and code hashes are keyed the same way: kept home too.
    appointments: Object.fromEntries(Object.entries(state.appointments).map(([k, { phoneHash: _p, codeHash: _c, ...a }]) => [k, strip(a)])),
  };
}
