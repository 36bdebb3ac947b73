import type { CallReason } from './events.js';
import { canServe, poolOf, tierOf, waitingTickets } from './hall.js';
import { defaultPolicy, type WindowDef } from './model.js';
import type { HallState, InterleaveState, Ticket } from './state.js';
import { own } from './own.js';

/**
 * Which ticket each window calls next, and the wait position of every waiting ticket.
 *
 * A window's call order, without new arrivals:
 *  1. aged tickets (waiting ≥ agingMinutes since they joined the queue), oldest first, any tier or class;
 *  2. then, call by call, the tier with the greatest claim, where tier k's claim is the longest wait
 *     among its waiting tickets minus k × θ, θ = `tierSlack` × the mean service time of the window's
 *     tier-0 services (ties to the better tier; `tierSlack: null` makes θ infinite: strict tiers).
 *     So a window serves its own tier first unless a lower-tier ticket has waited markedly longer
 *     (by θ per tier) than everyone in it: the preference costs a lower-tier citizen at most about θ
 *     per tier over longest-wait-first, which is what keeps the tiered hall's tail near the pooled one;
 *  3. within the chosen tier: on-time appointments, then priority and normal interleaved
 *     (`normal` normal calls, then `priority` priority calls; `normal: 0` is strict priority), each
 *     class in queueKey order.
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
  const known = own(state.pools, pool);
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

/** Mean of the recent service times of a service (ms), or its configured prior. */
export function meanServiceMs(state: HallState, serviceId: string): number {
  const samples = state.serviceTimes[serviceId] ?? [];
  if (samples.length > 0) return samples.reduce((a, b) => a + b, 0) / samples.length;
  const service = state.config?.services.find((s) => s.id === serviceId);
  return (service?.avgServiceMinutes ?? 10) * 60_000;
}

/** θ of the tier rule for `win` in ms: tierSlack × the mean service time of its tier-0 services; Infinity for strict tiers. */
export function tierSlackMs(state: HallState, win: WindowDef): number {
  const slack = state.config?.policy.tierSlack;
  if (slack === null || win.tiers.length < 2) return Infinity;
  const own = win.tiers[0] ?? [];
  const mean = own.reduce((a, id) => a + meanServiceMs(state, id), 0) / Math.max(1, own.length);
  return (slack ?? defaultPolicy.tierSlack ?? 0) * mean;
}

interface TierQueue {
  appt: Ticket[];
  pri: Ticket[];
  norm: Ticket[];
  /** The tier's tickets by time joined, for its longest wait. */
  byQueued: Ticket[];
  a: number;
  p: number;
  n: number;
  q: number;
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
  const tiers: TierQueue[] = win.tiers.map(() => ({ appt: [], pri: [], norm: [], byQueued: [], a: 0, p: 0, n: 0, q: 0 }));
  for (const t of cands) {
    const q = agedIds.has(t.id) ? undefined : tiers[tierOf(win, t.serviceId)];
    if (!q) continue;
    (t.class === 'appointment' ? q.appt : t.class === 'priority' ? q.pri : q.norm).push(t);
    q.byQueued.push(t);
  }
  for (const q of tiers) {
    q.appt.sort(byKey);
    q.pri.sort(byKey);
    q.norm.sort(byKey);
    q.byQueued.sort(byQueued);
  }
  const slack = tierSlackMs(state, win);
  const taken = new Set<string>();
  let inter = interleaveOf(state, poolOf(win));
  while (out.length < limit) {
    let tier = -1;
    let best = -Infinity;
    tiers.forEach((q, k) => {
      while (q.q < q.byQueued.length && taken.has(q.byQueued[q.q]?.id ?? '')) q.q++;
      const oldest = q.byQueued[q.q];
      if (!oldest) return;
      const claim = slack === Infinity ? -k : now - oldest.queuedAt - k * slack;
      if (claim > best) {
        best = claim;
        tier = k;
      }
    });
    const q = tiers[tier];
    if (!q) break;
    let entry: SequenceEntry | undefined;
    const appt = q.appt[q.a];
    if (appt) {
      q.a++;
      entry = { ticket: appt, step: 'appointment', tier };
    } else {
      const takePriority = q.n >= q.norm.length || (q.p < q.pri.length && prefersPriority(inter, policy.interleave));
      const t = takePriority ? q.pri[q.p++] : q.norm[q.n++];
      if (!t) break;
      inter = nextInterleave(inter, takePriority ? 'priority' : 'normal');
      entry = { ticket: t, step: takePriority ? 'priority' : 'normal', tier };
    }
    taken.add(entry.ticket.id);
    out.push(entry);
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

const orderCache = new WeakMap<HallState, { seq: number; now: number; byKey: Map<string, SequenceEntry[]>; targeted: Set<number> }>();
const rankCache = new WeakMap<SequenceEntry[], Map<string, number>>();

/**
 * Each window's call order at `now` (windowSequence), computed once per pool: windows with the same
 * tiers call in the same order, unless a ticket was transferred to one of them. Cached beside the
 * state for its seq and `now`, so the positions and the estimate of one command share it.
 */
export function callOrders(state: HallState, now: number): (win: WindowDef) => SequenceEntry[] {
  let hit = orderCache.get(state);
  if (!hit || hit.seq !== state.seq || hit.now !== now) {
    const targeted = new Set(waitingTickets(state).flatMap((t) => (t.targetWindow === undefined ? [] : [t.targetWindow])));
    hit = { seq: state.seq, now, byKey: new Map(), targeted };
    orderCache.set(state, hit);
  }
  const { byKey, targeted } = hit;
  return (win) => {
    const key = targeted.has(win.id) ? `#${win.id}` : poolOf(win);
    let order = byKey.get(key);
    if (!order) byKey.set(key, (order = windowSequence(state, win, now)));
    return order;
  };
}

export interface Position {
  position: number;
  /** Open windows that can call this ticket. */
  openWindows: number[];
}

/** How many windows are open now: "near" (position < nearFactor × open eligible windows) never reaches further. */
export function openWindowCount(state: HallState): number {
  let n = 0;
  for (const w of Object.values(state.windows)) if (w.status === 'open') n++;
  return n;
}

/**
 * Wait positions one ticket at a time (as `positions` defines them), sharing each pool's call order
 * and each service's eligible windows between tickets. With `limit`, each window's order is computed
 * only to its first `limit` entries (a prefix of the full order: windowSequence's `limit`), and
 * `positionOf` answers only for tickets at a position ≤ `limit` (undefined beyond): the near notice
 * needs no more, and it spares the rest of the queue (issue 12: positions of the whole queue on
 * every command were half of a command's CPU).
 */
export class PositionFinder {
  private readonly waiting: Ticket[];
  private readonly orderOf: (win: WindowDef) => SequenceEntry[];
  private readonly ranks = new Map<SequenceEntry[], Map<string, number>>();
  private readonly eligible = new Map<string, { all: WindowDef[]; open: WindowDef[] }>();

  constructor(
    private readonly state: HallState,
    now: number,
    private readonly limit = Infinity,
  ) {
    this.waiting = waitingTickets(state);
    this.orderOf = limit === Infinity ? callOrders(state, now) : limitedOrders(state, now, limit);
  }

  private rankOf(win: WindowDef): Map<string, number> {
    const order = this.orderOf(win);
    let r = this.ranks.get(order) ?? rankCache.get(order);
    if (!r) {
      r = new Map(order.map((e, i) => [e.ticket.id, i]));
      if (this.limit === Infinity) rankCache.set(order, r);
    }
    this.ranks.set(order, r);
    return r;
  }

  /** The configured and the open windows that can call `t`, shared by the tickets of one service and target. */
  windowsOf(t: Ticket): { all: WindowDef[]; open: WindowDef[] } {
    const key = `${t.serviceId}#${t.targetWindow ?? ''}`;
    let hit = this.eligible.get(key);
    if (!hit) {
      const all = (this.state.config?.windows ?? []).filter((w) => canServe(w, t));
      hit = { all, open: all.filter((w) => own(this.state.windows, String(w.id))?.status === 'open') };
      this.eligible.set(key, hit);
    }
    return hit;
  }

  /** The position of a waiting ticket, or undefined when it is beyond `limit`. */
  positionOf(t: Ticket): Position | undefined {
    const { all, open } = this.windowsOf(t);
    const counted = open.length > 0 ? open : all;
    let best = Infinity;
    for (const w of counted) best = Math.min(best, this.rankOf(w).get(t.id) ?? Infinity);
    if (best === Infinity && this.limit !== Infinity) return undefined;
    return { position: best === Infinity ? this.waiting.length : best + 1, openWindows: open.map((w) => w.id) };
  }
}

/** Like callOrders, each order cut at `limit` entries (not cached beside the state). */
function limitedOrders(state: HallState, now: number, limit: number): (win: WindowDef) => SequenceEntry[] {
  const targeted = new Set(waitingTickets(state).flatMap((t) => (t.targetWindow === undefined ? [] : [t.targetWindow])));
  const byKey = new Map<string, SequenceEntry[]>();
  return (win) => {
    const key = targeted.has(win.id) ? `#${win.id}` : poolOf(win);
    let order = byKey.get(key);
    if (!order) byKey.set(key, (order = windowSequence(state, win, now, limit)));
    return order;
  };
}

/**
 * Wait position of every waiting ticket: 1 + the number of waiting tickets that one of its eligible
 * open windows would call before it (the best such window). With no eligible window open, the
 * position is counted over its configured windows as if they were open, so a citizen still sees a number.
 */
export function positions(state: HallState, now: number): Map<string, Position> {
  const result = new Map<string, Position>();
  if (!state.config) return result;
  const finder = new PositionFinder(state, now);
  for (const t of waitingTickets(state)) {
    const p = finder.positionOf(t);
    if (p) result.set(t.id, p);
  }
  return result;
}
