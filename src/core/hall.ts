import type { HallConfig, Policy, ServiceDef, WindowDef } from './model.js';
import type { HallState, Ticket, WindowState } from './state.js';
import { own, setOwn } from './own.js';
import { noteWaiting, waitingTickets } from './waiting-index.js';

/** Small look-ups over the configured hall. */

export function serviceOf(config: HallConfig, id: string): ServiceDef | undefined {
  return config.services.find((s) => s.id === id);
}

export function windowDefOf(config: HallConfig, id: number): WindowDef | undefined {
  return config.windows.find((w) => w.id === id);
}

export function windowStateOf(state: HallState, id: number): WindowState | undefined {
  return own(state.windows, String(id));
}

/** The tier at which a window serves a service, or -1. */
export function tierOf(win: WindowDef, serviceId: string): number {
  let tiers = tierCache.get(win);
  if (!tiers) {
    tiers = new Map();
    win.tiers.forEach((tier, k) => tier.forEach((id) => tiers?.has(id) || tiers?.set(id, k)));
    tierCache.set(win, tiers);
  }
  return tiers.get(serviceId) ?? -1;
}

// A window's definition never changes once configured (a new config brings new objects), so its
// tiers and pool key are computed once: the dispatcher asks for them per ticket per window (issue 12).
const tierCache = new WeakMap<WindowDef, Map<string, number>>();
const poolCache = new WeakMap<WindowDef, string>();

/** Windows with the same tiers form a pool: they call in the same order and share the interleave. */
export function poolOf(win: WindowDef): string {
  let pool = poolCache.get(win);
  if (pool === undefined) poolCache.set(win, (pool = win.tiers.map((t) => t.join(',')).join('|')));
  return pool;
}

export function canServe(win: WindowDef, t: Pick<Ticket, 'serviceId' | 'targetWindow'>): boolean {
  return tierOf(win, t.serviceId) >= 0 && (t.targetWindow === undefined || t.targetWindow === win.id);
}

/**
 * The waiting tickets no window of the config can call, counted by service id (empty when none): their
 * service was taken out of the config or out of every window's tiers, or the window a transfer sent them
 * to is gone. They wait for ever unless the config gives them a window again or someone cancels them.
 */
export function uncallableWaiting(state: HallState): Record<string, number> {
  const out: Record<string, number> = {};
  const windows = state.config?.windows ?? [];
  for (const t of waitingTickets(state)) if (!windows.some((w) => canServe(w, t))) setOwn(out, t.serviceId, (own(out, t.serviceId) ?? 0) + 1);
  return out;
}

/**
 * Tickets called or being served at a window the config no longer has (a reload removed it, and with it the
 * window's state): `{ window, number, status }`, by number only. No keypad or caller page reaches that
 * window now, so they stay so until the window comes back or the day ends.
 */
export function ticketsAtGoneWindows(state: HallState): { window: number; number: string; status: string }[] {
  const ids = new Set((state.config?.windows ?? []).map((w) => w.id));
  const out: { window: number; number: string; status: string }[] = [];
  for (const t of Object.values(state.tickets)) {
    if ((t.status === 'called' || t.status === 'serving') && t.window !== undefined && !ids.has(t.window)) out.push({ window: t.window, number: t.number, status: t.status });
  }
  return out.sort((a, b) => a.window - b.window || a.number.localeCompare(b.number));
}

export function isOpen(state: HallState, id: number): boolean {
  return own(state.windows, String(id))?.status === 'open';
}

export function policyOf(state: HallState): Policy {
  if (!state.config) throw new Error('core used before HallConfigured');
  return state.config.policy;
}

export function ticketsWhere(state: HallState, pred: (t: Ticket) => boolean): Ticket[] {
  return Object.values(state.tickets).filter(pred);
}

export { keyOrderIsQueuedOrder, serviceQueue, waitingByQueued, waitingTickets, targetedWindows, printingTickets, type ServiceQueue } from './waiting-index.js';

/** Called by apply after an event moved the state from seq - 1 to seq and touched `ticketId` (null: none; undefined: maybe many); `issued`: the event made that ticket (TicketIssued). */
export function noteApplied(state: HallState, seq: number, ticketId: string | null | undefined, issued: boolean): void {
  notePerson(state, seq, ticketId);
  noteCounts(state, seq, ticketId, issued);
  noteWaiting(state, seq, ticketId);
}

/** Today's tickets per person (keyed ID hash), kept beside the state like the waiting index. */
const personCache = new WeakMap<HallState, { seq: number; byPerson: Map<string, Ticket[]> }>();

export function ticketsOfPerson(state: HallState, idHash: string): Ticket[] {
  let hit = personCache.get(state);
  if (!hit || hit.seq !== state.seq) {
    const byPerson = new Map<string, Ticket[]>();
    for (const t of Object.values(state.tickets)) {
      const h = t.person?.idHash;
      if (h !== undefined) byPerson.set(h, [...(byPerson.get(h) ?? []), t]);
    }
    hit = { seq: state.seq, byPerson };
    personCache.set(state, hit);
  }
  return hit.byPerson.get(idHash) ?? [];
}

function notePerson(state: HallState, seq: number, ticketId: string | null | undefined): void {
  const hit = personCache.get(state);
  if (!hit || hit.seq !== seq - 1) return;
  if (ticketId === undefined) {
    personCache.delete(state);
    return;
  }
  hit.seq = seq;
  const t = ticketId === null ? undefined : own(state.tickets, ticketId);
  const h = t?.person?.idHash;
  if (t && h !== undefined) {
    const list = hit.byPerson.get(h) ?? [];
    if (!list.includes(t)) hit.byPerson.set(h, [...list, t]);
  }
}

/**
 * Today's tickets issued and finished (done) per service, kept beside the state like the waiting index,
 * so the queue view published after every command does not scan the day's tickets (issue 12).
 */
const dayCountsCache = new WeakMap<HallState, { seq: number; done: Map<string, string>; served: Map<string, number>; issued: Map<string, number> }>();

/** The service a ticket is counted under: the one it was issued for, as the reports count it (a transfer keeps it). */
function issuingService(t: Ticket): string {
  return t.issuedFor ?? t.serviceId;
}

function dayCounts(state: HallState) {
  let hit = dayCountsCache.get(state);
  if (!hit || hit.seq !== state.seq) {
    const done = new Map<string, string>();
    const served = new Map<string, number>();
    const issued = new Map<string, number>();
    for (const t of Object.values(state.tickets)) {
      const service = issuingService(t);
      if (t.day === state.day) issued.set(service, (issued.get(service) ?? 0) + 1);
      if (t.status !== 'done') continue;
      done.set(t.id, service);
      served.set(service, (served.get(service) ?? 0) + 1);
    }
    hit = { seq: state.seq, done, served, issued };
    dayCountsCache.set(state, hit);
  }
  return hit;
}

export function servedPerService(state: HallState): ReadonlyMap<string, number> {
  return dayCounts(state).served;
}

/**
 * Today's tickets per service they were issued for (every ticket issued, whatever became of it, as the
 * reports count them): not the number counters, which run ahead by the numbers leased to island
 * agents and never used (the tryout: admin said 85 issued, the reports 14).
 */
export function issuedPerService(state: HallState): ReadonlyMap<string, number> {
  return dayCounts(state).issued;
}

function noteCounts(state: HallState, seq: number, ticketId: string | null | undefined, issued: boolean): void {
  const hit = dayCountsCache.get(state);
  if (!hit || hit.seq !== seq - 1) return;
  if (ticketId === undefined) {
    dayCountsCache.delete(state);
    return;
  }
  hit.seq = seq;
  if (ticketId === null) return;
  const was = hit.done.get(ticketId);
  if (was !== undefined) {
    hit.done.delete(ticketId);
    hit.served.set(was, (hit.served.get(was) ?? 1) - 1);
  }
  const t = own(state.tickets, ticketId);
  if (!t) return;
  const service = issuingService(t);
  if (issued && t.day === state.day) hit.issued.set(service, (hit.issued.get(service) ?? 0) + 1);
  if (t.status === 'done') {
    hit.done.set(t.id, service);
    hit.served.set(service, (hit.served.get(service) ?? 0) + 1);
  }
}
