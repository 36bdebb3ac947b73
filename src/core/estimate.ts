import { callOrders, meanServiceMs, type CallSequence } from './dispatcher.js';
import { canServe, waitingTickets } from './hall.js';
import type { HallState, Ticket } from './state.js';

/**
 * Estimated wait of every waiting ticket: the dispatcher run forward over the expected service
 * completions of the open windows, with no new arrivals.
 *
 * Formula and source. In an M/M/c queue served first come first served, a ticket that needs k more
 * service completions before a window frees for it waits the sum of k inter-completion times; while
 * all c windows are busy, completions form a Poisson process of rate cμ, so the wait is Gamma(k, cμ):
 *
 *     E[W | k] = k / (cμ),   sd[W | k] = √k / (cμ),   k = max(0, p − f)
 *
 * where p is the wait position and f the windows free now. This is the standard derivation of the
 * M/M/c waiting-time distribution (an arrival finding n ≥ c present waits n − c + 1 completions at
 * rate cμ: Gross & Harris, Fundamentals of Queueing Theory, the M/M/c section; with n − c + 1 = p).
 * So the ticket at position p with
 * every window busy waits for p completions, not p − 1 (the one ahead frees a window for itself, not
 * for this ticket); √k/(cμ) is the floor no estimate can beat on average, which the benchmark uses.
 *
 * The dry run generalises k/(cμ) to tiers, classes and mixed services without a closed form:
 *  - only the open windows that can call the ticket take part, and each takes tickets in its own
 *    call order (`windowSequence`: aging, the tier rule, appointments, the interleave), skipping the
 *    ones another window took first: so the windows that serve this service at a lower tier share its
 *    load only as far as the tier rule lets them (tier-aware), and a window's own tier goes first;
 *  - a free open window calls at once (time 0); a busy one completes at rate 1/m, m the mean recent
 *    service time of the service it is on (memoryless, as in M/M/c), and after a call at the rate of
 *    the ticket it took;
 *  - completion j happens at t_j = t_{j−1} + 1/R, R the sum of the busy windows' rates (the expected
 *    gap of the merged Poisson process), and goes to the window furthest behind its share (credits
 *    grow by rate/R per completion, the window with the most credit completes and pays 1): so c equal
 *    windows give t_k = k/(cμ), exactly the formula above.
 *
 * Returns ms from `now` per waiting ticket; a ticket that no open window can call has no estimate.
 * With `wanted`, the dry run stops once those tickets have theirs (the notices need a few near the
 * front, not the whole queue's): the estimates it gives are the same, and the map holds only theirs.
 */
export function estimatedWaits(state: HallState, now: number, wanted?: ReadonlySet<string>): Map<string, number> {
  return dryRun(state, now, wanted === undefined ? undefined : (t) => wanted.has(t.id), wanted?.size ?? 0);
}

/**
 * The estimated wait of one waiting ticket (the object the state's waiting index holds), as
 * estimatedWaits gives it: the figures ask for the new ticket's, and telling it by identity
 * spares reading and hashing the id of every ticket the dry run takes (issue 12).
 */
export function estimatedWaitOf(state: HallState, now: number, ticket: Ticket): number | undefined {
  return dryRun(state, now, (t) => t === ticket, 1).get(ticket.id);
}

/** The dry run; with `wanted`, it keeps only the estimates of the tickets it accepts, and stops once `want` of them have theirs. */
function dryRun(state: HallState, now: number, wanted: ((t: Ticket) => boolean) | undefined, want: number): Map<string, number> {
  const out = new Map<string, number>();
  const config = state.config;
  const waiting = waitingTickets(state);
  if (!config || waiting.length === 0) return out;
  const sequenceOf = callOrders(state, now);
  interface Runner {
    seq: CallSequence;
    /**
     * The first entry of `seq` not taken yet, shared by the windows of one pool (they read the same
     * sequence): every entry before any runner's position is taken, so one cursor serves them all and
     * the pool's order is walked once, not once per window.
     */
    next: { at: number };
    /** Completions per ms while busy. */
    rate: number;
    credit: number;
  }
  const taken = new Set<Ticket>();
  let found = 0;
  /**
   * The window calls its next ticket not yet taken, at `at`; false when it has none left. With
   * `wanted`, only those tickets' estimates are kept (issue 12: an issue's dry run takes most of the
   * queue, and a map of every ticket's estimate, copied once more to round it, was a third of its cost).
   */
  const call = (r: Runner, at: number): boolean => {
    for (let e = r.seq.at(r.next.at); e; e = r.seq.at(++r.next.at)) {
      const t = e.ticket;
      if (taken.has(t)) continue;
      taken.add(t);
      if (wanted === undefined) out.set(t.id, Math.round(at));
      else if (wanted(t)) {
        out.set(t.id, Math.round(at));
        found++;
      }
      const rate = rateOf(t.serviceId);
      if (rate !== r.rate) {
        r.rate = rate;
        totalStale = true;
      }
      r.next.at++;
      return true;
    }
    return false;
  };
  const cursors = new Map<CallSequence, { at: number }>();
  // The rate of a service (1 / the mean of up to serviceTimeSamples samples), once per service, not once per ticket taken.
  const rates = new Map<string, number>();
  const rateOf = (serviceId: string) => {
    let rate = rates.get(serviceId);
    if (rate === undefined) rates.set(serviceId, (rate = 1 / meanServiceMs(state, serviceId)));
    return rate;
  };
  /**
   * Whether a busy window's rate changed, or the busy windows did, since `total` was summed: the same
   * rates summed in the same order give the same total, so it is summed again only then (issue 12).
   */
  let totalStale = true;
  let busy: Runner[] = [];
  for (const win of config.windows) {
    const ws = state.windows[String(win.id)];
    if (ws?.status !== 'open' || !waiting.some((t) => canServe(win, t))) continue;
    const current = ws.current === undefined ? undefined : state.tickets[ws.current];
    const seq = sequenceOf(win);
    let next = cursors.get(seq);
    if (!next) cursors.set(seq, (next = { at: 0 }));
    const r: Runner = { seq, next, rate: 0, credit: 0 };
    if (current && (current.status === 'called' || current.status === 'serving')) {
      r.rate = rateOf(current.serviceId);
      busy.push(r);
    } else if (call(r, 0)) {
      busy.push(r);
    }
  }
  let at = 0;
  let total = 0;
  while (busy.length > 0 && taken.size < waiting.length && (wanted === undefined || found < want)) {
    if (totalStale) {
      total = 0;
      for (let i = 0; i < busy.length; i++) total += (busy[i] as Runner).rate;
      totalStale = false;
    }
    at += 1 / total;
    let first = busy[0] as Runner;
    for (let i = 0; i < busy.length; i++) {
      const r = busy[i] as Runner;
      r.credit += r.rate / total;
      if (r.credit > first.credit) first = r;
    }
    first.credit -= 1;
    if (!call(first, at)) {
      busy = busy.filter((r) => r !== first);
      totalStale = true;
    }
  }
  return out;
}

/**
 * The expected wait (ms) of a ticket taken now, from counts alone (the city's /nearby, which has no hall
 * state to run forward): the formula above with p = waiting + 1 and c equal windows of mean service
 * `meanServiceMs`, E[W] = max(0, p − f) × m / c, f the open windows free now. Undefined with no window open.
 */
export function arrivalWaitMs(o: { waiting: number; openWindows: number; freeWindows: number; meanServiceMs: number }): number | undefined {
  if (o.openWindows <= 0) return undefined;
  const k = Math.max(0, o.waiting + 1 - Math.max(0, o.freeWindows));
  return (k * o.meanServiceMs) / o.openWindows;
}

/** What a citizen is shown, in whole minutes: 0 only when a window is free for the ticket now, else at least 1. */
export function waitMinutes(ms: number): number {
  return ms <= 0 ? 0 : Math.max(1, Math.round(ms / 60_000));
}
