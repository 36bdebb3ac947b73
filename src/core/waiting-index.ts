import type { HallState, Ticket, TicketClass } from './state.js';
import { own } from './own.js';

/**
 * Today's waiting tickets, indexed beside the state (never part of it) and kept up to date by apply
 * one ticket at a time, so no command scans or sorts the whole day's tickets (issue 12):
 *  - all of them in queue-key order, and by time joined (queuedAt, then queue key);
 *  - per service, each class in queue-key order and all of them by time joined;
 *  - how many are transferred to each window;
 *  - beside them, the tickets still printing (issued, their cut not confirmed), in queue-key order:
 *    each will wait at its place once its print is confirmed, so a new ticket's figures count them
 *    (stateWithWaiting). A handful at a rush, none most of the time.
 * Lists are never changed in place (a caller may still hold the previous seq's): a change builds new
 * arrays, and only for the service it touches. An event that leaves a waiting ticket where it was in
 * every order (a notice, a call of another ticket) costs no copy at all.
 */

/** One service's waiting tickets: each class in queue-key order, and all of them by time joined. */
export interface ServiceQueue {
  appointment: Ticket[];
  priority: Ticket[];
  normal: Ticket[];
  byQueued: Ticket[];
}

/** What placed a waiting ticket in the index: when any of it changes, the ticket moves. */
interface Placed {
  ticket: Ticket;
  serviceId: string;
  cls: TicketClass;
  queueKey: number;
  queuedAt: number;
  targetWindow: number | undefined;
}

interface WaitingIndex {
  seq: number;
  waiting: Ticket[];
  byQueued: Ticket[];
  services: Map<string, ServiceQueue>;
  placed: Map<string, Placed>;
  /** Waiting tickets per target window (transfers to one window), windows with none absent. */
  targeted: Map<number, number>;
  /** Tickets still printing (status issued), in queue-key order. */
  printing: Ticket[];
  /** Whether queue-key order is also time-joined order (computed when first asked, then carried from event to event). */
  keyOrderIsQueuedOrder?: boolean;
  /**
   * A what-if state's index (stateWithWaiting): its `placed` is the state's own, shared and never
   * written through it (copying a day's map per issue was a third of an issue's CPU), so it is never
   * kept up to date: an event applied to that state drops it.
   */
  shared?: true;
}

const cache = new WeakMap<HallState, WaitingIndex>();

export const byQueuedOrder = (a: Ticket, b: Ticket) => a.queuedAt - b.queuedAt || a.queueKey - b.queueKey;
const byKey = (a: Ticket, b: Ticket) => a.queueKey - b.queueKey;
const noQueue: ServiceQueue = { appointment: [], priority: [], normal: [], byQueued: [] };

const placeOf = (t: Ticket): Placed => ({ ticket: t, serviceId: t.serviceId, cls: t.class, queueKey: t.queueKey, queuedAt: t.queuedAt, targetWindow: t.targetWindow });
const samePlace = (p: Placed, t: Ticket) => p.ticket === t && p.serviceId === t.serviceId && p.cls === t.class && p.queueKey === t.queueKey && p.queuedAt === t.queuedAt && p.targetWindow === t.targetWindow;

function build(state: HallState): WaitingIndex {
  const waiting = Object.values(state.tickets)
    .filter((t) => t.status === 'waiting')
    .sort(byKey);
  const byQueued = [...waiting].sort(byQueuedOrder);
  const services = new Map<string, ServiceQueue>();
  const of = (id: string) => {
    let q = services.get(id);
    if (!q) services.set(id, (q = { appointment: [], priority: [], normal: [], byQueued: [] }));
    return q;
  };
  for (const t of waiting) of(t.serviceId)[t.class].push(t);
  for (const t of byQueued) of(t.serviceId).byQueued.push(t);
  const placed = new Map(waiting.map((t) => [t.id, placeOf(t)]));
  const targeted = new Map<number, number>();
  for (const t of waiting) if (t.targetWindow !== undefined) targeted.set(t.targetWindow, (targeted.get(t.targetWindow) ?? 0) + 1);
  const printing = Object.values(state.tickets)
    .filter((t) => t.status === 'issued')
    .sort(byKey);
  return { seq: state.seq, waiting, byQueued, services, placed, targeted, printing };
}

function indexOf(state: HallState): WaitingIndex {
  const hit = cache.get(state);
  if (hit && hit.seq === state.seq) return hit;
  const fresh = build(state);
  cache.set(state, fresh);
  return fresh;
}

/** `list` without `t` (the same object), as a new array; `list` itself when `t` is not in it. */
function without(list: Ticket[], t: Ticket): Ticket[] {
  const i = list.indexOf(t);
  if (i < 0) return list;
  const out = list.slice(0, i);
  for (let j = i + 1; j < list.length; j++) out.push(list[j] as Ticket);
  return out;
}

/** `list` with `t` at its place by `order` (after every ticket not after it), as a new array. */
function withTicket(list: readonly Ticket[], t: Ticket, order: (a: Ticket, b: Ticket) => number): Ticket[] {
  const out = list.slice();
  let i = out.length;
  while (i > 0 && order(out[i - 1] as Ticket, t) > 0) i--;
  out.splice(i, 0, t);
  return out;
}

/**
 * `list` (in `order`) with each of `adds` at its place, as one new array: one copy of the list for all
 * of them (a what-if state places the tickets still printing and the new one; a copy each would be
 * one copy of the queue per ticket printing). Each place found by bisection, after every ticket not after it.
 */
function withTickets(list: readonly Ticket[], adds: readonly Ticket[], order: (a: Ticket, b: Ticket) => number): Ticket[] {
  if (adds.length === 0) return list.slice();
  if (adds.length === 1) return withTicket(list, adds[0] as Ticket, order);
  const out: Ticket[] = [];
  let from = 0;
  for (const t of [...adds].sort(order)) {
    let lo = from;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order(list[mid] as Ticket, t) > 0) hi = mid;
      else lo = mid + 1;
    }
    for (let j = from; j < lo; j++) out.push(list[j] as Ticket);
    out.push(t);
    from = lo;
  }
  for (let j = from; j < list.length; j++) out.push(list[j] as Ticket);
  return out;
}

function count(targeted: Map<number, number>, w: number | undefined, by: number): void {
  if (w === undefined) return;
  const n = (targeted.get(w) ?? 0) + by;
  if (n > 0) targeted.set(w, n);
  else targeted.delete(w);
}

/*
 * Whether queue-key order is time-joined order, carried across one ticket's removal or insertion
 * instead of checked again over the whole queue at every event (issue 12: a scan of the queue per
 * event and per what-if state). Undefined: not known, checked when next asked.
 */
function orderAfterRemoval(ordered: boolean | undefined): boolean | undefined {
  // A sub-sequence of an ordered sequence is ordered; one of an unordered sequence may be either.
  return ordered === true ? true : undefined;
}

function orderAfterInsertion(ordered: boolean | undefined, waiting: readonly Ticket[], t: Ticket): boolean | undefined {
  if (ordered !== true) return ordered;
  // Inserted in an ordered sequence: ordered still if its neighbours in queue-key order joined no later / no earlier.
  const i = waiting.lastIndexOf(t);
  const before = waiting[i - 1];
  const after = waiting[i + 1];
  return (before === undefined || before.queuedAt <= t.queuedAt) && (after === undefined || t.queuedAt <= after.queuedAt);
}

/** Called by apply after an event moved the state from seq - 1 to seq and touched `ticketId` (null: none; undefined: maybe many). */
export function noteWaiting(state: HallState, seq: number, ticketId: string | null | undefined): void {
  const hit = cache.get(state);
  if (hit?.shared) cache.delete(state);
  if (!hit || hit.shared || hit.seq !== seq - 1) return;
  if (ticketId === undefined) {
    cache.delete(state);
    return;
  }
  hit.seq = seq;
  if (ticketId === null) return;
  const t = own(state.tickets, ticketId);
  notePrinting(hit, ticketId, t);
  const was = hit.placed.get(ticketId);
  const waits = t?.status === 'waiting';
  if (!was && !waits) return;
  if (was && t && waits && samePlace(was, t)) return;
  if (was) {
    const old = was.ticket;
    hit.waiting = without(hit.waiting, old);
    hit.byQueued = without(hit.byQueued, old);
    const q = hit.services.get(was.serviceId);
    if (q) hit.services.set(was.serviceId, { ...q, [was.cls]: without(q[was.cls], old), byQueued: without(q.byQueued, old) });
    hit.placed.delete(ticketId);
    count(hit.targeted, was.targetWindow, -1);
    hit.keyOrderIsQueuedOrder = orderAfterRemoval(hit.keyOrderIsQueuedOrder);
  }
  if (t && waits) {
    hit.waiting = withTicket(hit.waiting, t, byKey);
    hit.keyOrderIsQueuedOrder = orderAfterInsertion(hit.keyOrderIsQueuedOrder, hit.waiting, t);
    hit.byQueued = withTicket(hit.byQueued, t, byQueuedOrder);
    const q = hit.services.get(t.serviceId) ?? noQueue;
    hit.services.set(t.serviceId, { ...q, [t.class]: withTicket(q[t.class], t, byKey), byQueued: withTicket(q.byQueued, t, byQueuedOrder) });
    hit.placed.set(ticketId, placeOf(t));
    count(hit.targeted, t.targetWindow, 1);
  }
}

/** Keeps the side list of tickets still printing: in it while the ticket is issued, out of it otherwise. */
function notePrinting(hit: WaitingIndex, ticketId: string, t: Ticket | undefined): void {
  const i = hit.printing.findIndex((p) => p.id === ticketId);
  const printing = t?.status === 'issued';
  if (i >= 0 && printing && hit.printing[i] === t) return;
  // A new array: a what-if state or a caller may still hold the previous one.
  const rest = i >= 0 ? without(hit.printing, hit.printing[i] as Ticket) : hit.printing;
  hit.printing = printing && t ? withTicket(rest, t, byKey) : rest;
}

/**
 * A copy of `state` in which `t` (a ticket not in it yet, or not waiting yet) waits, and so does every
 * ticket still printing (issued, its cut not confirmed): the queue as it will be once those prints are
 * confirmed, each at its own place (class, queue key, time joined, as TicketPrinted will put it), and
 * that waiting `t`. For the figures a new ticket is told (issue-figures.ts), by the dispatcher and the
 * estimate, which find waiting tickets through this index only: five kiosk issues at once must say
 * 1..5, not 1 each. Its index is the state's own with those tickets placed (copy-on-write, one copy of
 * each list touched, no rebuild, no sort of the queue; the map of where each ticket was placed is the
 * state's, not copied, and not updated); its tickets record is the state's, not copied (issue 12: a
 * day's tickets per issue), so nothing else may read the copy. The state and its index stay as they were.
 */
export function stateWithWaiting(state: HallState, t: Ticket): { whatIf: HallState; waiting: Ticket } {
  const waiting: Ticket = { ...t, status: 'waiting' };
  const whatIf: HallState = { ...state, seq: state.seq + 1 };
  const hit = indexOf(state);
  const index: WaitingIndex = { seq: state.seq + 1, waiting: hit.waiting, byQueued: hit.byQueued, services: new Map(hit.services), placed: hit.placed, targeted: new Map(hit.targeted), printing: [], keyOrderIsQueuedOrder: keyOrderIsQueuedOrder(state), shared: true };
  const was = index.placed.get(t.id);
  if (was) {
    index.waiting = without(index.waiting, was.ticket);
    index.byQueued = without(index.byQueued, was.ticket);
    const q = index.services.get(was.serviceId);
    if (q) index.services.set(was.serviceId, { ...q, [was.cls]: without(q[was.cls], was.ticket), byQueued: without(q.byQueued, was.ticket) });
    count(index.targeted, was.targetWindow, -1);
    index.keyOrderIsQueuedOrder = orderAfterRemoval(index.keyOrderIsQueuedOrder);
  }
  // `t` itself may be one of them (a printing ticket's prospective figures, views.ts).
  const adds: Ticket[] = [];
  for (const p of hit.printing) if (p.id !== t.id) adds.push({ ...p, status: 'waiting' });
  adds.push(waiting);
  index.waiting = withTickets(index.waiting, adds, byKey);
  for (const a of adds) index.keyOrderIsQueuedOrder = orderAfterInsertion(index.keyOrderIsQueuedOrder, index.waiting, a);
  index.byQueued = withTickets(index.byQueued, adds, byQueuedOrder);
  for (const serviceId of new Set(adds.map((a) => a.serviceId))) {
    const mine = adds.filter((a) => a.serviceId === serviceId);
    const q = index.services.get(serviceId) ?? noQueue;
    const next: ServiceQueue = { ...q, byQueued: withTickets(q.byQueued, mine, byQueuedOrder) };
    for (const cls of new Set(mine.map((a) => a.class))) next[cls] = withTickets(q[cls], mine.filter((a) => a.class === cls), byKey);
    index.services.set(serviceId, next);
  }
  for (const a of adds) count(index.targeted, a.targetWindow, 1);
  cache.set(whatIf, index);
  return { whatIf, waiting };
}

/** Today's tickets still printing (issued, their cut not confirmed), in queue-key order. */
export function printingTickets(state: HallState): readonly Ticket[] {
  return indexOf(state).printing;
}

/**
 * Drops the index kept for `state`: for a what-if state, once read. Not left to the WeakMap: on Node 20
 * an entry whose key dies young still keeps its value alive through every scavenge until a full GC, so
 * each issue's what-if index and call orders (thousands of objects) were copied and promoted; that was
 * most of the garbage collector's 30 % of the core's CPU (issue 12).
 */
export function dropWaitingIndex(state: HallState): void {
  cache.delete(state);
}

/** Today's waiting tickets in queue-key order. */
export function waitingTickets(state: HallState): Ticket[] {
  return indexOf(state).waiting;
}

/** Today's waiting tickets by time joined the queue, oldest first (ties by queue key): the order of aging and of the tier rule's claims. */
export function waitingByQueued(state: HallState): Ticket[] {
  return indexOf(state).byQueued;
}

/** The waiting tickets of `serviceId` split by class, in order (no sort, no scan). */
export function serviceQueue(state: HallState, serviceId: string): ServiceQueue {
  return indexOf(state).services.get(serviceId) ?? noQueue;
}

/** The windows some waiting ticket is transferred to (only that window may call it). */
export function targetedWindows(state: HallState): ReadonlyMap<number, number> {
  return indexOf(state).targeted;
}

/**
 * Whether the waiting tickets' queue-key order is also their order by time joined (queuedAt never
 * decreases along it). True while nobody was re-queued or transferred (a new ticket is last in both);
 * then every list of the index, and every merge of them, is in time-joined order too.
 */
export function keyOrderIsQueuedOrder(state: HallState): boolean {
  const index = indexOf(state);
  if (index.keyOrderIsQueuedOrder === undefined) {
    let ok = true;
    const w = index.waiting;
    for (let i = 1; i < w.length && ok; i++) ok = (w[i - 1] as Ticket).queuedAt <= (w[i] as Ticket).queuedAt;
    index.keyOrderIsQueuedOrder = ok;
  }
  return index.keyOrderIsQueuedOrder;
}
