import { canServe, setOwn, waitingTickets, type HallState, type Ticket, type WindowDef } from '../../src/core/index.js';
import { eligibleWaiting, interleaveOf, meanServiceMs, nextInterleave, prefersPriority, tierSlackMs, type SequenceEntry } from '../../src/core/dispatcher.js';
import { poolOf, tierOf } from '../../src/core/hall.js';

/**
 * Oracles for the dispatcher's lazy call orders, the positions and the estimate (issue 12): each as it
 * was first written, eager and unshared, so the tests compare the fast code against the definition.
 */

/**
 * windowSequence as it was before it became lazy (issue 12): every eligible ticket sorted per tier
 * and class, then the whole merge. Oracle for the lazy CallSequence over the per-service indexes.
 */
export function sortedSequence(state: HallState, win: WindowDef, now: number): SequenceEntry[] {
  const policy = state.config?.policy;
  if (!policy) return [];
  const byKey = (a: Ticket, b: Ticket) => a.queueKey - b.queueKey;
  const byQueued = (a: Ticket, b: Ticket) => a.queuedAt - b.queuedAt || a.queueKey - b.queueKey;
  const out: SequenceEntry[] = [];
  const cands = eligibleWaiting(state, win);
  const aged = cands.filter((t) => now - t.queuedAt >= policy.agingMinutes * 60_000).sort(byQueued);
  for (const t of aged) out.push({ ticket: t, step: 'aged', tier: tierOf(win, t.serviceId) });
  const agedIds = new Set(aged.map((t) => t.id));
  const tiers = win.tiers.map(() => ({ appt: [] as Ticket[], pri: [] as Ticket[], norm: [] as Ticket[], byQueued: [] as Ticket[], a: 0, p: 0, n: 0, q: 0 }));
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
  for (;;) {
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

/**
 * Wait positions as `positions` defines them, from the sorted call orders (sortedSequence): the
 * oracle for the lazy walk (each window's order computed only as far as the ticket, the merge by
 * time joined skipped while queue-key order is time-joined order).
 */
export function sortedPositions(state: HallState, now: number): Map<string, { position: number; openWindows: number[] }> {
  const out = new Map<string, { position: number; openWindows: number[] }>();
  const waiting = waitingTickets(state);
  const orders = new Map((state.config?.windows ?? []).map((w) => [w.id, sortedSequence(state, w, now).map((e) => e.ticket.id)]));
  for (const t of waiting) {
    const all = (state.config?.windows ?? []).filter((w) => tierOf(w, t.serviceId) >= 0 && (t.targetWindow === undefined || t.targetWindow === w.id));
    const open = all.filter((w) => state.windows[String(w.id)]?.status === 'open');
    let best = Infinity;
    for (const w of open.length > 0 ? open : all) {
      const r = orders.get(w.id)?.indexOf(t.id) ?? -1;
      if (r >= 0) best = Math.min(best, r);
    }
    out.set(t.id, { position: best === Infinity ? waiting.length : best + 1, openWindows: open.map((w) => w.id) });
  }
  return out;
}

/**
 * The estimated wait of every waiting ticket as estimate.ts first computed it (before it shared a
 * pool's order and cursor between windows, stopped at the wanted tickets or kept a sum of rates): the
 * dry run over each open window's sorted call order, each call taking the window's first ticket not
 * taken yet. The arithmetic is the same, step for step, so the figures must be equal, not close.
 */
export function dryRunWaits(state: HallState, now: number): Map<string, number> {
  const out = new Map<string, number>();
  const config = state.config;
  const waiting = waitingTickets(state);
  if (!config || waiting.length === 0) return out;
  interface Runner {
    order: SequenceEntry[];
    rate: number;
    credit: number;
  }
  const taken = new Set<string>();
  const call = (r: Runner, at: number): boolean => {
    const e = r.order.find((x) => !taken.has(x.ticket.id));
    if (!e) return false;
    taken.add(e.ticket.id);
    out.set(e.ticket.id, Math.round(at));
    r.rate = 1 / meanServiceMs(state, e.ticket.serviceId);
    return true;
  };
  let busy: Runner[] = [];
  for (const win of config.windows) {
    const ws = state.windows[String(win.id)];
    if (ws?.status !== 'open' || !waiting.some((t) => canServe(win, t))) continue;
    const current = ws.current === undefined ? undefined : state.tickets[ws.current];
    const r: Runner = { order: sortedSequence(state, win, now), rate: 0, credit: 0 };
    if (current && (current.status === 'called' || current.status === 'serving')) {
      r.rate = 1 / meanServiceMs(state, current.serviceId);
      busy.push(r);
    } else if (call(r, 0)) {
      busy.push(r);
    }
  }
  let at = 0;
  while (busy.length > 0 && taken.size < waiting.length) {
    let total = 0;
    for (const r of busy) total += r.rate;
    at += 1 / total;
    let first = busy[0] as Runner;
    for (const r of busy) {
      r.credit += r.rate / total;
      if (r.credit > first.credit) first = r;
    }
    first.credit -= 1;
    if (!call(first, at)) busy = busy.filter((r) => r !== first);
  }
  return out;
}

/**
 * The hall a new ticket's figures are defined on (issue-figures.ts): a structured clone of the state in
 * which every ticket still printing (issued) waits, as its confirmed print (TicketPrinted) will make it
 * wait, and so does the new ticket `t`. Its index is built by a scan (the clone is a state never seen).
 */
export function queueOnceConfirmed(state: HallState, t: Ticket): HallState {
  const copy = structuredClone(state);
  for (const x of Object.values(copy.tickets)) if (x.status === 'issued') x.status = 'waiting';
  setOwn(copy.tickets, t.id, { ...structuredClone(t), status: 'waiting' });
  return copy;
}
