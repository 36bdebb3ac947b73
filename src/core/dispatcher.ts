import type { CallReason } from './events.js';
import { canServe, poolOf, tierOf, waitingTickets } from './hall.js';
import type { WindowDef } from './model.js';
import type { HallState, InterleaveState, Ticket } from './state.js';

/**
 * Which ticket each window calls next, and the wait position of every waiting ticket.
 *
 * A window's call order, without new arrivals:
 *  1. aged tickets (waiting ≥ agingMinutes since they joined the queue), oldest first, any tier or class;
 *  2. then tier by tier (tier 0 first): on-time appointments, then priority and normal interleaved
 *     (`normal` normal calls, then `priority` priority calls), each class in queueKey order.
 */

export type Step = 'aged' | 'appointment' | 'priority' | 'normal';

export interface SequenceEntry {
  ticket: Ticket;
  step: Step;
  tier: number;
}

const byKey = (a: Ticket, b: Ticket) => a.queueKey - b.queueKey;
const byQueued = (a: Ticket, b: Ticket) => a.queuedAt - b.queuedAt || a.queueKey - b.queueKey;

export function interleaveOf(state: HallState, pool: string): InterleaveState {
  const known = state.pools[pool];
  if (known) return known;
  // A fresh pool behaves as after a long run of normal calls: a waiting priority ticket goes first.
  return { cls: 'normal', run: state.config?.policy.interleave.normal ?? 0 };
}

/** Whether the pool's next interleaved call is a priority one. `normal: 0` is strict priority: always. */
export function prefersPriority(st: InterleaveState, w: { normal: number; priority: number }): boolean {
  if (w.normal === 0) return true;
  return st.cls === 'normal' ? st.run >= w.normal : st.run < w.priority;
}

export function nextInterleave(st: InterleaveState, cls: 'normal' | 'priority'): InterleaveState {
  return st.cls === cls ? { cls, run: st.run + 1 } : { cls, run: 1 };
}

export function eligibleWaiting(state: HallState, win: WindowDef): Ticket[] {
  return waitingTickets(state).filter((t) => canServe(win, t));
}

/** The order in which `win` would call today's waiting tickets if nobody else arrived. */
export function windowSequence(state: HallState, win: WindowDef, now: number, limit = Infinity): SequenceEntry[] {
  const policy = state.config?.policy;
  if (!policy) return [];
  const agingMs = policy.agingMinutes * 60_000;
  const out: SequenceEntry[] = [];
  const cands = eligibleWaiting(state, win);
  const aged = cands.filter((t) => now - t.queuedAt >= agingMs).sort(byQueued);
  for (const t of aged) {
    if (out.length >= limit) return out;
    out.push({ ticket: t, step: 'aged', tier: tierOf(win, t.serviceId) });
  }
  const agedIds = new Set(aged.map((t) => t.id));
  let inter = interleaveOf(state, poolOf(win));
  for (let tier = 0; tier < win.tiers.length && out.length < limit; tier++) {
    const inTier = cands.filter((t) => !agedIds.has(t.id) && tierOf(win, t.serviceId) === tier);
    for (const t of inTier.filter((x) => x.class === 'appointment').sort(byKey)) {
      if (out.length >= limit) return out;
      out.push({ ticket: t, step: 'appointment', tier });
    }
    const pri = inTier.filter((x) => x.class === 'priority').sort(byKey);
    const norm = inTier.filter((x) => x.class === 'normal').sort(byKey);
    let pi = 0;
    let ni = 0;
    while ((pi < pri.length || ni < norm.length) && out.length < limit) {
      const takePriority = ni >= norm.length || (pi < pri.length && prefersPriority(inter, policy.interleave));
      const t = takePriority ? pri[pi++] : norm[ni++];
      if (!t) break;
      inter = nextInterleave(inter, takePriority ? 'priority' : 'normal');
      out.push({ ticket: t, step: takePriority ? 'priority' : 'normal', tier });
    }
  }
  return out;
}

/** Why `entry` is called before the oldest eligible ticket, or null when it is the oldest. */
export function callReason(state: HallState, win: WindowDef, entry: SequenceEntry): CallReason | null {
  const cands = eligibleWaiting(state, win);
  let oldest: Ticket | undefined;
  for (const t of cands) if (!oldest || t.issuedAt < oldest.issuedAt || (t.issuedAt === oldest.issuedAt && t.queueKey < oldest.queueKey)) oldest = t;
  const chosen = entry.ticket;
  if (!oldest || oldest.id === chosen.id) return null;
  if (entry.step === 'aged') return 'aged';
  if (tierOf(win, oldest.serviceId) > entry.tier) return 'tier-preference';
  if (entry.step === 'appointment') return 'appointment';
  if (entry.step === 'priority' && oldest.class !== 'priority') return 'priority';
  if (entry.step === 'normal' && oldest.class !== 'normal') return 'interleave';
  return 'requeued-behind';
}

export interface Position {
  position: number;
  /** Open windows that can call this ticket. */
  openWindows: number[];
}

/**
 * Wait position of every waiting ticket: 1 + the number of waiting tickets that one of its eligible
 * open windows would call before it (the best such window). With no eligible window open, the
 * position is counted over its configured windows as if they were open, so a citizen still sees a number.
 */
export function positions(state: HallState, now: number): Map<string, Position> {
  const config = state.config;
  const result = new Map<string, Position>();
  if (!config) return result;
  const waiting = waitingTickets(state);
  if (waiting.length === 0) return result;
  // Windows of one pool call in the same order, unless a ticket was transferred to one of them.
  const targeted = new Set(waiting.flatMap((t) => (t.targetWindow === undefined ? [] : [t.targetWindow])));
  const ranks = new Map<string, Map<string, number>>();
  const rankOf = (win: WindowDef): Map<string, number> => {
    const key = targeted.has(win.id) ? `#${win.id}` : poolOf(win);
    let r = ranks.get(key);
    if (!r) {
      r = new Map(windowSequence(state, win, now).map((e, i) => [e.ticket.id, i]));
      ranks.set(key, r);
    }
    return r;
  };
  for (const t of waiting) {
    const eligible = config.windows.filter((w) => canServe(w, t));
    const open = eligible.filter((w) => state.windows[String(w.id)]?.status === 'open');
    const counted = open.length > 0 ? open : eligible;
    let best = Infinity;
    for (const w of counted) best = Math.min(best, rankOf(w).get(t.id) ?? Infinity);
    result.set(t.id, { position: best === Infinity ? waiting.length : best + 1, openWindows: open.map((w) => w.id) });
  }
  return result;
}

/** Estimated wait in ms: position × mean recent service time ÷ open eligible windows. */
export function estimatedWaitMs(state: HallState, ticket: Ticket, pos: Position): number {
  const service = state.config?.services.find((s) => s.id === ticket.serviceId);
  const samples = state.serviceTimes[ticket.serviceId] ?? [];
  const mean = samples.length > 0 ? samples.reduce((a, b) => a + b, 0) / samples.length : (service?.avgServiceMinutes ?? 10) * 60_000;
  return Math.round(((pos.position - 1) * mean) / Math.max(1, pos.openWindows.length));
}
