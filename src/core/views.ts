import { positions } from './dispatcher.js';
import { estimatedWaits, waitMinutes } from './estimate.js';
import { waitWords } from './wait-words.js';
import { canServe, issuedPerService, servedPerService, serviceQueue, targetedWindows, waitingTickets } from './hall.js';
import type { Lang, WindowDef } from './model.js';
import type { HallEvent } from './events.js';
import { issueFigures } from './issue-figures.js';
import type { HallState } from './state.js';
import { localTime } from './time.js';
import { own, setOwn } from './own.js';

/** What screens and status topics show: derived from the state, masked data only. */

export interface WindowView {
  window: number;
  status: 'closed' | 'open' | 'paused';
  staffId?: string;
  pauseReason?: string;
  current?: { ticketId: string; number: string; serviceId: string; status: string; nameMasked?: string };
  /** Tickets this window could call now. */
  waiting: number;
}

export function windowView(state: HallState, id: number): WindowView {
  const w = own(state.windows, String(id));
  const def = state.config?.windows.find((x) => x.id === id);
  const t = w?.current === undefined ? undefined : own(state.tickets, w.current);
  const waiting = def ? waitingFor(state, def) : 0;
  return {
    window: id,
    status: w?.status ?? 'closed',
    ...(w?.staffId === undefined ? {} : { staffId: w.staffId }),
    ...(w?.pauseReason === undefined ? {} : { pauseReason: w.pauseReason }),
    ...(t ? { current: { ticketId: t.id, number: t.number, serviceId: t.serviceId, status: t.status, ...(t.person?.nameMasked ? { nameMasked: t.person.nameMasked } : {}) } } : {}),
    waiting,
  };
}

/** A window's services, each once (once per window definition). */
const servicesCache = new WeakMap<WindowDef, string[]>();

/**
 * How many waiting tickets `def` could call. From the waiting index's per-service lists (issue 12: a
 * command's events touch every window that serves its ticket's service, and each view scanned the
 * queue); while a ticket transferred to one window waits, those lists do not say which window may call
 * it, so the queue is scanned then.
 */
function waitingFor(state: HallState, def: WindowDef): number {
  if (targetedWindows(state).size > 0) return waitingTickets(state).filter((x) => canServe(def, x)).length;
  let services = servicesCache.get(def);
  if (!services) servicesCache.set(def, (services = [...new Set(def.tiers.flat())]));
  let n = 0;
  for (const id of services) {
    const q = serviceQueue(state, id);
    n += q.appointment.length + q.priority.length + q.normal.length;
  }
  return n;
}

export interface QueueView {
  seq: number;
  day: string;
  /**
   * Per service id: the config's services, and a service taken out of the config while tickets of it still
   * wait (`outOfConfig: true`), so those citizens are not hidden from the hall's view (a reload or restart
   * leaves them waiting; the server warns of them).
   */
  services: Record<string, { waiting: number; issued: number; served: number; outOfConfig?: true }>;
}

/**
 * The queue per service. `now` (epoch ms): a log whose first day has not started yet (no command since it
 * was configured: `state.day` is '') is said to be in the hall's day at `now`, not '' (the tryout: a fresh
 * server's `state/queue` said "day":"" until its first tick).
 */
export function queueView(state: HallState, now?: number): QueueView {
  const services: QueueView['services'] = {};
  const served = servedPerService(state);
  const issued = issuedPerService(state);
  for (const s of state.config?.services ?? []) setOwn(services, s.id, { waiting: 0, issued: issued.get(s.id) ?? 0, served: served.get(s.id) ?? 0 });
  // From the indexes beside the state, not a scan of the day's tickets (issue 12: this ran after every command).
  for (const t of waitingTickets(state)) {
    let s = own(services, t.serviceId);
    if (!s) setOwn(services, t.serviceId, (s = { waiting: 0, issued: issued.get(t.serviceId) ?? 0, served: served.get(t.serviceId) ?? 0, outOfConfig: true }));
    s.waiting += 1;
  }
  const day = state.day === '' && now !== undefined && state.config ? localTime(now, state.config.utcOffsetMinutes).day : state.day;
  return { seq: state.seq, day, services };
}

export interface TicketView {
  ticketId: string;
  number: string;
  serviceId: string;
  status: string;
  position?: number;
  windows: number[];
  /** Estimated wait in whole minutes (estimate.ts), for machines; absent when no open window can call the ticket. */
  estimatedWaitMinutes?: number;
  /** The same wait as a citizen is told it (wait-words.ts: 约 N 分钟, 超过2小时 past the bound), present with the minutes. */
  estimatedWait?: Lang;
  window?: number;
}

export function ticketView(state: HallState, ticketId: string, now: number): TicketView | undefined {
  const t = own(state.tickets, ticketId);
  if (!t) return undefined;
  const p = t.status === 'waiting' ? positions(state, now).get(t.id) : undefined;
  const eta = p ? estimatedWaits(state, now).get(t.id) : undefined;
  return {
    ticketId: t.id,
    number: t.number,
    serviceId: t.serviceId,
    status: t.status,
    windows: p?.openWindows ?? (t.window === undefined ? [] : [t.window]),
    ...(p ? { position: p.position } : {}),
    ...(eta === undefined ? {} : { estimatedWaitMinutes: waitMinutes(eta), estimatedWait: waitWords(waitMinutes(eta)) }),
    ...(t.window === undefined ? {} : { window: t.window }),
  };
}

/**
 * The figures a ticket not yet waiting (its print unconfirmed) will have once it waits, with the other
 * tickets still printing ahead of it waiting too (issue-figures.ts): what its ticket says. The kiosk's
 * fallback for a ticket of a server that fixes no figures at issue (Ticket.atIssue).
 */
export function prospectiveView(state: HallState, ticketId: string, now: number): TicketView | undefined {
  const t = own(state.tickets, ticketId);
  if (!t || t.status !== 'issued') return ticketView(state, ticketId, now);
  const f = issueFigures(state, t, now);
  return { ticketId: t.id, number: t.number, serviceId: t.serviceId, status: t.status, position: f.position, windows: f.windows, ...(f.waitMinutes === undefined ? {} : { estimatedWaitMinutes: f.waitMinutes }) };
}

/**
 * The windows whose view an applied event may have changed: the window it names, and every window
 * that can serve the ticket it touched (that window's waiting count moved). Screens and retained
 * topics refresh only these.
 */
export function windowsTouched(state: HallState, e: HallEvent): number[] {
  const windows = state.config?.windows ?? [];
  if (e.type === 'HallConfigured' || e.type === 'DayStarted') return windows.map((w) => w.id);
  if (e.type === 'NotificationDue') return [];
  const out = new Set<number>();
  if ('window' in e && typeof e.window === 'number') out.add(e.window);
  const ticketId = e.type === 'TicketIssued' ? e.ticket.id : 'ticketId' in e ? e.ticketId : undefined;
  const t = ticketId === undefined ? undefined : own(state.tickets, ticketId);
  if (t) for (const w of windows) if (canServe(w, { serviceId: t.serviceId })) out.add(w.id);
  return [...out];
}
