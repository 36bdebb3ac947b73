import type { CallReason } from './events.js';
import { canServe, keyOrderIsQueuedOrder, poolOf, serviceQueue, targetedWindows, tierOf, waitingByQueued, waitingTickets } from './hall.js';
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

/**
 * Sorted lists merged lazily: the smallest head (by queue key, or by time joined then queue key) among
 * the tickets the window may take (not transferred to another window, joined after `agedBefore`, not
 * in `taken`); a skipped ticket stays skipped. Which tickets it keeps and how it orders them are
 * fields, not functions passed in: a closure call per head was a tenth of a walk (issue 12).
 */
class Merge {
  private readonly heads: number[];
  /** Per list, the head index `keep` last accepted (or found past the end at); -1 before the first peek. */
  private readonly accepted: number[];
  /** Per list, the time joined and the queue key of the head `keep` last accepted; Infinity past the end. */
  private readonly headAt: number[];
  private readonly headKey: number[];
  /** `keep` gives the same answer for a ticket every time it is asked (no `taken` set it reads changes while the order is walked). */
  private readonly keepIsFixed: boolean;
  constructor(
    private readonly lists: readonly Ticket[][],
    /** Ordered by queue key; false: by time joined, then queue key. */
    private readonly byKey: boolean,
    /** The window taking: a ticket transferred to another one is skipped. */
    private readonly window: number,
    /** Only tickets that joined after this (-Infinity: all). */
    private readonly agedBefore: number,
    /** Tickets skipped as already taken, for a merge by time joined beside the class merges. */
    private readonly taken?: ReadonlySet<string>,
  ) {
    this.heads = lists.map(() => 0);
    this.accepted = lists.map(() => -1);
    this.headAt = lists.map(() => Infinity);
    this.headKey = lists.map(() => Infinity);
    this.keepIsFixed = taken === undefined;
  }

  private keep(t: Ticket): boolean {
    const target = t.targetWindow;
    return (target === undefined || target === this.window) && t.queuedAt > this.agedBefore && (this.taken === undefined || !this.taken.has(t.id));
  }

  peek(): Ticket | undefined {
    // What `keep` accepts only shrinks (a skipped ticket stays skipped), so a head it still accepts
    // is still the smallest: no need to look at the other lists again (issue 12: peeks were most of a step).
    // With a fixed `keep`, the head found is still accepted: not even asked again.
    if (this.best && (this.keepIsFixed || this.keep(this.best))) return this.best;
    // Heads only move forward and `keep` only shrinks: once every list is used up, it stays so.
    if (this.exhausted) return undefined;
    let from = -1;
    let bestAt = Infinity;
    let bestKey = Infinity;
    for (let i = 0; i < this.lists.length; i++) {
      let h = this.heads[i] as number;
      // With a fixed `keep`, a head it accepted once is accepted still: only the list taken from
      // (whose head moved) is asked again (issue 12: `keep` on every list's head at every take), and
      // the others' heads are compared by the keys noted when they were accepted, without reading the tickets.
      if (!this.keepIsFixed || this.accepted[i] !== h) {
        const list = this.lists[i] as Ticket[];
        while (h < list.length && !this.keep(list[h] as Ticket)) h++;
        this.heads[i] = h;
        this.accepted[i] = h;
        const t = list[h];
        this.headAt[i] = t ? t.queuedAt : Infinity;
        this.headKey[i] = t ? t.queueKey : Infinity;
      }
      const key = this.headKey[i] as number;
      if (key === Infinity) continue;
      const at = this.headAt[i] as number;
      if (from < 0 || (this.byKey ? key < bestKey : at < bestAt || (at === bestAt && key < bestKey))) {
        from = i;
        bestAt = at;
        bestKey = key;
      }
    }
    const best = from < 0 ? undefined : (this.lists[from] as Ticket[])[this.heads[from] as number];
    this.from = from;
    this.best = best;
    this.exhausted = best === undefined;
    return best;
  }

  /** The ticket peek() gave, taken off its list. */
  take(): Ticket | undefined {
    const t = this.peek();
    if (t) this.heads[this.from] = (this.heads[this.from] as number) + 1;
    this.best = undefined;
    return t;
  }

  private from = -1;
  private best: Ticket | undefined;
  private exhausted = false;
}

interface TierQueue {
  appt: Merge;
  pri: Merge;
  norm: Merge;
  /** The tier's tickets by time joined, for its longest wait (taken ones skipped); only where the class heads do not tell it (headsTellOldest). */
  byQueued: Merge | undefined;
}

/** A window's services per tier, each once: a service listed in two tiers belongs to the first (tierOf). Once per window definition. */
const tierServicesCache = new WeakMap<WindowDef, string[][]>();
function tierServices(win: WindowDef): string[][] {
  let hit = tierServicesCache.get(win);
  if (!hit) tierServicesCache.set(win, (hit = win.tiers.map((ids, k) => [...new Set(ids)].filter((id) => tierOf(win, id) === k))));
  return hit;
}

/**
 * The next ticket of a tier's classes that joined the queue first; undefined when the tier has none left.
 * The ticket, not its time: a time (a double past the small-integer range) returned from here was a heap
 * number allocated per tier per step (issue 12).
 */
function oldestHead(q: TierQueue): Ticket | undefined {
  let m = q.appt.peek();
  const p = q.pri.peek();
  const n = q.norm.peek();
  if (p && (m === undefined || p.queuedAt < m.queuedAt)) m = p;
  if (n && (m === undefined || n.queuedAt < m.queuedAt)) m = n;
  return m;
}

/**
 * The order in which `win` would call today's waiting tickets if nobody else arrived, computed only
 * as far as it is read (issue 12: a call needs its first entry, the near notices the first few, and
 * sorting every window's whole queue on every command was most of a command's CPU). Each tier's
 * classes are merged from the per-service lists of the waiting indexes (src/core/hall.ts), already in
 * order, so nothing is sorted. `entries` grows as `at`/`rankOf`/`take` ask for more.
 */
export class CallSequence {
  readonly entries: SequenceEntry[] = [];
  /** Rank by ticket (the object: its identity hashes faster than its id). */
  private readonly index = new Map<Ticket, number>();
  /** How many of `entries` are in `index`. */
  private indexed = 0;
  private finished = false;
  private agedDone = false;
  /** Undefined when no waiting ticket is aged (then agedDone from the start: issue 12, a merge less to build per order). */
  private readonly aged: Merge | undefined;
  private readonly agedBefore: number;
  private readonly tiers: TierQueue[];
  private readonly slack: number;
  private readonly taken = new Set<string>();
  /**
   * The tier rule needs each tier's longest wait: with queue-key order also time-joined order
   * (nobody re-queued or transferred), the oldest ticket left in a tier is the oldest of its classes'
   * next ones, so the merge by time joined (and the set of taken tickets it skips) is not needed
   * (issue 12: it was a third of the walk down a new ticket's order). With tiers strict (θ infinite)
   * only whether a tier has any ticket left matters, which its classes' next ones tell either way.
   */
  private readonly headsTellOldest: boolean;
  private readonly inter: InterleaveState;
  /**
   * Each tier's claim, NaN when it must be computed again: only the tier an entry was taken from
   * changes (a ticket is in one tier of a window; aged takes leave the tiers' fresh tickets as they
   * were), so the others' are kept (issue 12: the claims were a fifth of a step). -Infinity: no ticket.
   */
  private readonly claims: Float64Array;

  constructor(
    private readonly state: HallState,
    private readonly win: WindowDef,
    private readonly now: number,
  ) {
    const policy = state.config?.policy;
    this.agedBefore = now - (policy?.agingMinutes ?? 0) * 60_000;
    const servicesOf = (k: number) => (tierServices(win)[k] ?? []).map((id) => serviceQueue(state, id));
    const queues = win.tiers.map((_, k) => servicesOf(k));
    // The oldest waiting ticket, of any service or window, is not aged: neither is any the window may call.
    const oldestWaiting = waitingByQueued(state)[0];
    this.agedDone = oldestWaiting === undefined || oldestWaiting.queuedAt > this.agedBefore;
    this.aged = this.agedDone
      ? undefined
      : new Merge(
          queues.flat().map((q) => q.byQueued),
          false,
          win.id,
          -Infinity,
        );
    this.slack = tierSlackMs(state, win);
    this.headsTellOldest = this.slack === Infinity || keyOrderIsQueuedOrder(state);
    const byQueued = !this.headsTellOldest;
    this.tiers = queues.map((qs) => ({
      appt: new Merge(
        qs.map((q) => q.appointment),
        true,
        win.id,
        this.agedBefore,
      ),
      pri: new Merge(
        qs.map((q) => q.priority),
        true,
        win.id,
        this.agedBefore,
      ),
      norm: new Merge(
        qs.map((q) => q.normal),
        true,
        win.id,
        this.agedBefore,
      ),
      byQueued: byQueued
        ? new Merge(
            qs.map((q) => q.byQueued),
            false,
            win.id,
            this.agedBefore,
            this.taken,
          )
        : undefined,
    }));
    this.claims = new Float64Array(win.tiers.length).fill(NaN);
    // A copy, advanced in place as entries are taken (never the state's own).
    const inter = interleaveOf(state, poolOf(win));
    this.inter = { cls: inter.cls, run: inter.run };
    if (!policy) this.finished = true;
  }

  /** Entry `i` (0-based), computing the order that far; undefined past its end. */
  at(i: number): SequenceEntry | undefined {
    while (this.entries.length <= i && this.step());
    return this.entries[i];
  }

  /** The 0-based rank of ticket `t`, looking no further than `limit` entries; undefined when not there. */
  rankOf(t: Ticket, limit = Infinity): number | undefined {
    // The index covers a prefix of the entries and grows only as far as a rank is asked for (issue 12:
    // a walk that only reads entries, the estimate's, needs none; the near notices ask a few entries
    // deep into orders an issue computed to the end of the queue). Each entry is indexed at most once.
    let r = this.index.get(t);
    if (r === undefined) {
      const end = Math.min(this.entries.length, limit);
      for (; this.indexed < end; this.indexed++) {
        const e = (this.entries[this.indexed] as SequenceEntry).ticket;
        this.index.set(e, this.indexed);
        if (e === t) {
          r = this.indexed++;
          break;
        }
      }
    }
    if (r === undefined && this.indexed === this.entries.length) {
      // Everything computed is indexed and `t` is not there: compute further, comparing each new entry.
      while (this.entries.length < limit && this.step()) {
        if ((this.entries[this.entries.length - 1] as SequenceEntry).ticket === t) {
          r = this.entries.length - 1;
          break;
        }
      }
    }
    return r !== undefined && r < limit ? r : undefined;
  }

  /** The first `limit` entries (all with Infinity). */
  take(limit = Infinity): SequenceEntry[] {
    while (this.entries.length < limit && this.step());
    return this.entries.slice(0, limit);
  }

  private end(): false {
    this.finished = true;
    return false;
  }

  private push(entry: SequenceEntry): true {
    this.entries.push(entry);
    return true;
  }

  /** Computes the next entry; false at the end. */
  private step(): boolean {
    if (this.finished) return false;
    const policy = this.state.config?.policy;
    if (!policy) return this.end();
    // 1. Aged tickets, oldest first, any tier or class: a prefix by time joined, so once the oldest
    // left is not aged, none is.
    if (!this.agedDone && this.aged) {
      const old = this.aged.peek();
      if (old && old.queuedAt <= this.agedBefore) {
        this.aged.take();
        return this.push({ ticket: old, step: 'aged', tier: tierOf(this.win, old.serviceId) });
      }
      this.agedDone = true;
    }
    // 2. The tier with the greatest claim.
    let tier = -1;
    let best = -Infinity;
    for (let k = 0; k < this.tiers.length; k++) {
      let claim = this.claims[k] as number;
      if (Number.isNaN(claim)) {
        const q = this.tiers[k] as TierQueue;
        const oldest = q.byQueued ? q.byQueued.peek() : oldestHead(q);
        claim = oldest === undefined ? -Infinity : this.slack === Infinity ? -k : this.now - oldest.queuedAt - k * this.slack;
        this.claims[k] = claim;
      }
      if (claim > best) {
        best = claim;
        tier = k;
      }
    }
    const q = this.tiers[tier];
    if (!q) return this.end();
    this.claims[tier] = NaN;
    // 3. Within the tier: appointments, then priority and normal interleaved.
    let entry: SequenceEntry | undefined;
    const appt = q.appt.take();
    if (appt) {
      entry = { ticket: appt, step: 'appointment', tier };
    } else {
      const norm = q.norm.peek();
      const takePriority = !norm || (q.pri.peek() !== undefined && prefersPriority(this.inter, policy.interleave));
      const t = takePriority ? q.pri.take() : q.norm.take();
      if (!t) return this.end();
      const cls = takePriority ? 'priority' : 'normal';
      // nextInterleave, in place (one object less per entry: issue 12).
      if (this.inter.cls === cls) this.inter.run += 1;
      else {
        this.inter.cls = cls;
        this.inter.run = 1;
      }
      entry = { ticket: t, step: takePriority ? 'priority' : 'normal', tier };
    }
    if (!this.headsTellOldest) this.taken.add(entry.ticket.id);
    return this.push(entry);
  }
}

/** The order in which `win` would call today's waiting tickets if nobody else arrived: its first `limit` entries. */
export function windowSequence(state: HallState, win: WindowDef, now: number, limit = Infinity): SequenceEntry[] {
  return new CallSequence(state, win, now).take(limit);
}

/** Why `entry` is called before the oldest eligible ticket, or null when it is the oldest. */
export function callReason(state: HallState, win: WindowDef, entry: SequenceEntry): CallReason | null {
  // The oldest of eligibleWaiting(state, win), without building that list (issue 12: once per call).
  let oldest: Ticket | undefined;
  for (const t of waitingTickets(state)) {
    if (oldest && (t.issuedAt > oldest.issuedAt || (t.issuedAt === oldest.issuedAt && t.queueKey >= oldest.queueKey))) continue;
    if (canServe(win, t)) oldest = t;
  }
  const chosen = entry.ticket;
  if (!oldest || oldest.id === chosen.id) return null;
  if (entry.step === 'aged') return 'aged';
  if (tierOf(win, oldest.serviceId) > entry.tier) return 'tier-preference';
  if (entry.step === 'appointment') return 'appointment';
  if (entry.step === 'priority' && oldest.class !== 'priority') return 'priority';
  if (entry.step === 'normal' && oldest.class !== 'normal') return 'interleave';
  return 'requeued-behind';
}

const orderCache = new WeakMap<HallState, { seq: number; now: number; byKey: Map<string, CallSequence>; targeted: ReadonlyMap<number, number> }>();

/**
 * Each window's call order at `now` (a lazy CallSequence), one per pool: windows with the same tiers
 * call in the same order, unless a ticket was transferred to one of them. Cached beside the state for
 * its seq and `now`, so the positions, the notices and the estimate of one command share it, and
 * each computes it only as far as any of them needed.
 */
/** Drops the call orders cached for `state`: for a what-if state, once read (see dropWaitingIndex). */
export function dropCallOrders(state: HallState): void {
  orderCache.delete(state);
}

export function callOrders(state: HallState, now: number): (win: WindowDef) => CallSequence {
  let hit = orderCache.get(state);
  if (!hit || hit.seq !== state.seq || hit.now !== now) {
    hit = { seq: state.seq, now, byKey: new Map(), targeted: targetedWindows(state) };
    orderCache.set(state, hit);
  }
  const { byKey, targeted } = hit;
  return (win) => {
    const key = targeted.has(win.id) ? `#${win.id}` : poolOf(win);
    let order = byKey.get(key);
    if (!order) byKey.set(key, (order = new CallSequence(state, win, now)));
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

const configuredCache = new WeakMap<readonly WindowDef[], Map<string, { all: WindowDef[]; byTier: WindowDef[] }>>();

/**
 * The configured windows that can call the tickets of `key` (a service, and the window it is transferred
 * to), in configured order and by tier: once per configuration, not per command (issue 12). Walked in
 * tier order: the windows that call the service in a better tier usually rank it first, and the bound
 * they give stops the walk down the others' orders early. The sort is stable, so the open ones among
 * them, in this order, are the open ones sorted.
 */
function configuredWindowsOf(windows: readonly WindowDef[], key: string, t: Ticket): { all: WindowDef[]; byTier: WindowDef[] } {
  let perKey = configuredCache.get(windows);
  if (!perKey) configuredCache.set(windows, (perKey = new Map()));
  let hit = perKey.get(key);
  if (!hit) {
    const all = windows.filter((w) => canServe(w, t));
    hit = { all, byTier: [...all].sort((a, b) => tierOf(a, t.serviceId) - tierOf(b, t.serviceId)) };
    perKey.set(key, hit);
  }
  return hit;
}

/**
 * Wait positions one ticket at a time (as `positions` defines them), sharing each pool's call order
 * and each service's eligible windows between tickets. With `limit`, each window's order is looked
 * at only to its first `limit` entries, and `positionOf` answers only for tickets at a position
 * ≤ `limit` (undefined beyond): the near notice needs no more, and it spares the rest of the queue
 * (issue 12: positions of the whole queue on every command were half of a command's CPU).
 */
export class PositionFinder {
  private readonly waiting: Ticket[];
  private readonly orderOf: (win: WindowDef) => CallSequence;
  private readonly eligible = new Map<string, { all: WindowDef[]; open: WindowDef[]; walk: WindowDef[] }>();

  constructor(
    private readonly state: HallState,
    now: number,
    private readonly limit = Infinity,
  ) {
    this.waiting = waitingTickets(state);
    this.orderOf = callOrders(state, now);
  }

  /** The configured and the open windows that can call `t`, shared by the tickets of one service and target. */
  windowsOf(t: Ticket): { all: WindowDef[]; open: WindowDef[]; walk: WindowDef[] } {
    const key = t.targetWindow === undefined ? t.serviceId : `${t.serviceId}#${t.targetWindow}`;
    let hit = this.eligible.get(key);
    if (!hit) {
      const { all, byTier } = configuredWindowsOf(this.state.config?.windows ?? [], key, t);
      const isOpen = (w: WindowDef) => own(this.state.windows, String(w.id))?.status === 'open';
      const open = all.filter(isOpen);
      hit = { all, open, walk: open.length > 0 ? byTier.filter(isOpen) : byTier };
      this.eligible.set(key, hit);
    }
    return hit;
  }

  /** The position of a waiting ticket, or undefined when it is beyond `limit`. */
  positionOf(t: Ticket): Position | undefined {
    const { open, walk } = this.windowsOf(t);
    let best = Infinity;
    // The windows of a pool share one order: each order is asked once.
    const asked: CallSequence[] = [];
    for (const w of walk) {
      const order = this.orderOf(w);
      if (asked.includes(order)) continue;
      asked.push(order);
      best = Math.min(best, order.rankOf(t, Math.min(this.limit, best)) ?? Infinity);
    }
    if (best === Infinity && this.limit !== Infinity) return undefined;
    return { position: best === Infinity ? this.waiting.length : best + 1, openWindows: open.map((w) => w.id) };
  }

  /** The tickets within the first `limit` entries of some open window's order (all of them when no limit). */
  front(): Set<Ticket> {
    const out = new Set<Ticket>();
    // The windows of a pool share one order: each order is read once.
    const read = new Set<CallSequence>();
    for (const w of this.state.config?.windows ?? []) {
      if (own(this.state.windows, String(w.id))?.status !== 'open') continue;
      const order = this.orderOf(w);
      if (read.has(order)) continue;
      read.add(order);
      for (let i = 0; i < this.limit; i++) {
        const e = order.at(i);
        if (!e) break;
        out.add(e.ticket);
      }
    }
    return out;
  }
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
