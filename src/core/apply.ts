import type { HallEvent } from './events.js';
import type { NumberLease } from './lease.js';
import { interleaveOf, nextInterleave } from './dispatcher.js';
import { noteApplied, ticketsOfPerson } from './hall.js';
import { isBadGrade } from './model.js';
import { openStatuses, type HallState, type Rating, type Ticket, type WindowState } from './state.js';
import { own, setOwn } from './own.js';

/**
 * Advances the state by one event, in place (the state has one owner: the server, the agent's
 * replica or a test). Deterministic: replaying the log rebuilds the same state.
 */
export function apply(state: HallState, e: HallEvent): void {
  applyBody(state, e);
  state.seq = e.seq;
  noteApplied(state, e.seq, touchedTicket(e), e.type === 'TicketIssued');
  if (e.outcome) setOwn(state.commands, e.commandId, e.outcome);
}

function ticket(state: HallState, id: string): Ticket {
  const t = own(state.tickets, id);
  if (!t) throw new Error(`event refers to unknown ticket ${id}`);
  return t;
}

function win(state: HallState, id: number): WindowState {
  const key = String(id);
  let w = own(state.windows, key);
  if (!w) {
    w = { id, status: 'closed' };
    setOwn(state.windows, key, w);
  }
  return w;
}

function finish(state: HallState, t: Ticket, w: WindowState, at: number, durationMs: number): void {
  w.current = undefined;
  w.lastServed = { ticketId: t.id, at, ...(t.staffId === undefined ? {} : { staffId: t.staffId }) };
  const samples = own(state.serviceTimes, t.serviceId) ?? setOwn(state.serviceTimes, t.serviceId, []);
  samples.push(durationMs);
  const keep = state.config?.policy.serviceTimeSamples ?? 100;
  if (samples.length > keep) samples.splice(0, samples.length - keep);
}

/** A lease's blocks without the numbers from…to of one service (a block split around them). */
function withoutRange(list: readonly NumberLease[], serviceId: string, from: number, to: number): NumberLease[] {
  const out: NumberLease[] = [];
  for (const l of list) {
    if (l.serviceId !== serviceId || l.to < from || l.from > to) {
      out.push(l);
      continue;
    }
    if (l.from < from) out.push({ serviceId, from: l.from, to: from - 1 });
    if (l.to > to) out.push({ serviceId, from: to + 1, to: l.to });
  }
  return out;
}

function applyBody(state: HallState, e: HallEvent): void {
  switch (e.type) {
    case 'HallConfigured': {
      state.config = e.config;
      for (const w of e.config.windows) win(state, w.id);
      for (const key of Object.keys(state.windows)) {
        if (!e.config.windows.some((w) => String(w.id) === key)) delete state.windows[key];
      }
      return;
    }
    case 'DayStarted': {
      state.day = e.day;
      state.counters = {};
      state.leases = {};
      state.pools = {};
      state.commands = {};
      // Yesterday's tickets live on in the log; the state keeps today only.
      state.tickets = {};
      for (const w of Object.values(state.windows)) {
        setOwn(state.windows, String(w.id), { id: w.id, status: 'closed' });
      }
      for (const [id, a] of Object.entries(state.appointments)) {
        if (a.status !== 'booked' || a.slotEnd < e.at) delete state.appointments[id];
      }
      for (const [id, r] of Object.entries(state.ratings)) {
        if (!keepRating(r, e.at)) delete state.ratings[id];
      }
      return;
    }
    case 'TicketIssued': {
      setOwn(state.tickets, e.ticket.id, structuredClone(e.ticket));
      const n = Number(e.ticket.number.slice(-3));
      setOwn(state.counters, e.ticket.serviceId, Math.max(own(state.counters, e.ticket.serviceId) ?? 0, n));
      state.nextQueueKey = Math.max(state.nextQueueKey, Math.floor(e.ticket.queueKey) + 1);
      return;
    }
    case 'TicketPrinted': {
      const t = ticket(state, e.ticketId);
      t.status = 'waiting';
      delete t.printTimedOut;
      return;
    }
    case 'TicketVoided': {
      const t = ticket(state, e.ticketId);
      t.status = 'voided';
      if (e.timedOut) t.printTimedOut = true;
      return;
    }
    case 'TicketCalled': {
      const t = ticket(state, e.ticketId);
      t.status = 'called';
      t.window = e.window;
      t.calledAt = e.at;
      t.recalls = 0;
      t.targetWindow = undefined;
      if (e.staffId !== undefined) t.staffId = e.staffId;
      win(state, e.window).current = t.id;
      if (e.interleave) setOwn(state.pools, e.pool, nextInterleave(interleaveOf(state, e.pool), e.interleave));
      return;
    }
    case 'TicketRecalled':
      ticket(state, e.ticketId).recalls = e.count;
      return;
    case 'ServiceStarted': {
      const t = ticket(state, e.ticketId);
      t.status = 'serving';
      t.startedAt = e.at;
      return;
    }
    case 'ServiceCompleted': {
      const t = ticket(state, e.ticketId);
      t.status = 'done';
      t.finishedAt = e.at;
      finish(state, t, win(state, e.window), e.at, e.durationMs);
      return;
    }
    case 'TicketNoShow': {
      const t = ticket(state, e.ticketId);
      t.noShows += 1;
      win(state, e.window).current = undefined;
      if (e.requeued && e.queueKey !== undefined) {
        t.status = 'waiting';
        t.queueKey = e.queueKey;
        t.queuedAt = e.at;
      } else {
        t.status = 'no-show';
        t.finishedAt = e.at;
      }
      return;
    }
    case 'TicketTransferred': {
      const t = ticket(state, e.ticketId);
      const w = win(state, e.fromWindow);
      finish(state, t, w, e.at, e.durationMs);
      t.status = 'waiting';
      t.issuedFor ??= t.serviceId;
      t.serviceId = e.toService;
      t.transfers += 1;
      t.queuedAt = e.at;
      t.targetWindow = e.toWindow;
      t.window = undefined;
      return;
    }
    case 'TicketCancelled': {
      const t = ticket(state, e.ticketId);
      if (t.window !== undefined && own(state.windows, String(t.window))?.current === t.id) win(state, t.window).current = undefined;
      t.status = 'cancelled';
      t.finishedAt = e.at;
      return;
    }
    case 'WindowOpened': {
      const w = win(state, e.window);
      w.status = 'open';
      w.staffId = e.staffId;
      w.pauseReason = undefined;
      return;
    }
    case 'WindowPaused': {
      const w = win(state, e.window);
      w.status = 'paused';
      w.pauseReason = e.reason;
      return;
    }
    case 'WindowResumed': {
      const w = win(state, e.window);
      w.status = 'open';
      w.pauseReason = undefined;
      return;
    }
    case 'WindowClosed': {
      const w = win(state, e.window);
      w.status = 'closed';
      w.staffId = undefined;
      w.pauseReason = undefined;
      return;
    }
    case 'WindowTakenOver':
      win(state, e.window).staffId = e.staffId;
      return;
    case 'StaffSignedIn':
    case 'StaffSignedOut':
      // Attendance only: the window events beside them change the windows.
      return;
    case 'AppointmentBooked':
      setOwn(state.appointments, e.appointment.id, structuredClone(e.appointment));
      return;
    case 'AppointmentCancelled': {
      const a = own(state.appointments, e.appointmentId);
      if (a) a.status = 'cancelled';
      return;
    }
    case 'AppointmentChanged': {
      const a = own(state.appointments, e.appointmentId);
      if (a) Object.assign(a, { serviceId: e.serviceId, slotStart: e.slotStart, slotEnd: e.slotEnd });
      return;
    }
    case 'AppointmentCheckedIn': {
      const a = own(state.appointments, e.appointmentId);
      if (a) {
        a.status = 'checked-in';
        a.ticketId = e.ticketId;
      }
      return;
    }
    case 'RatingRequested':
      return;
    case 'RatingRecorded': {
      const r = structuredClone(e.rating);
      if (isBadGrade(r.grade)) r.followUp = { status: 'open' };
      setOwn(state.ratings, r.id, r);
      return;
    }
    case 'RatingFollowedUp': {
      const r = own(state.ratings, e.ratingId);
      if (!r) return;
      const record = { note: e.note, at: e.at, ...(e.staffId === undefined ? {} : { staffId: e.staffId }) };
      const f = r.followUp ?? { status: 'open' };
      const kind = e.kind ?? 'reply';
      if (kind === 'reply') r.followUp = { ...f, status: 'closed', note: e.note, at: e.at, reply: record };
      else if (kind === 'rectification') r.followUp = { ...f, status: 'closed', rectification: record };
      else r.followUp = { ...f, status: 'closed', untrue: { ...record, reason: e.reason ?? '' } };
      return;
    }
    case 'EmergencyRaised':
      state.emergency = { kind: e.kind, text: e.text, raisedAt: e.at, ...(e.preset === undefined ? {} : { preset: e.preset }), ...(e.staffId === undefined ? {} : { staffId: e.staffId }) };
      return;
    case 'EmergencyCleared':
      delete state.emergency;
      return;
    case 'NotificationDue': {
      const t = ticket(state, e.ticketId);
      t.notified[e.reason] = e.seq;
      if (e.near) t.notified.near = e.seq;
      return;
    }
    case 'NumbersLeased': {
      const leases = state.leases ?? (state.leases = {});
      const list = own(leases, e.agentId) ?? setOwn(leases, e.agentId, []);
      list.push({ serviceId: e.serviceId, from: e.from, to: e.to });
      setOwn(state.counters, e.serviceId, Math.max(own(state.counters, e.serviceId) ?? 0, e.to));
      return;
    }
    case 'NumbersReturned': {
      const list = own(state.leases ?? {}, e.agentId);
      if (list) setOwn(state.leases ?? {}, e.agentId, withoutRange(list, e.serviceId, e.from, e.to));
      return;
    }
    case 'IslandConflict':
    case 'CommandRejected':
    case 'CommandNoop':
      return;
  }
}

/** Days a replied bad rating stays in the state awaiting its determination (整改 or 不属实认定). */
export const FOLLOW_UP_KEEP_DAYS = 30;

/**
 * Ratings outlive the day while their follow-up is unfinished: open ones until replied, replied
 * ones until determined or FOLLOW_UP_KEEP_DAYS old (the log keeps them all for the reports).
 */
function keepRating(r: Rating, now: number): boolean {
  const f = r.followUp;
  if (!f) return false;
  if (f.status === 'open') return true;
  return f.rectification === undefined && f.untrue === undefined && now - r.at < FOLLOW_UP_KEEP_DAYS * 86_400_000;
}

/** Today's open tickets of a person, for the per-ID rules. */
export function openTicketsOf(state: HallState, idHash: string): Ticket[] {
  return ticketsOfPerson(state, idHash).filter((t) => openStatuses.has(t.status));
}

/** The ticket an event changes: null for none, undefined when it may change many. */
function touchedTicket(e: HallEvent): string | null | undefined {
  if (e.type === 'TicketIssued') return e.ticket.id;
  if (e.type === 'DayStarted' || e.type === 'HallConfigured') return undefined;
  return 'ticketId' in e ? e.ticketId : null;
}
