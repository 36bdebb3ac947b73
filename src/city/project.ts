import type { HallEvent } from '../core/index.js';

/**
 * What one hall event changes in the city tables (src/city/store.ts), as data: a pure function, so
 * the projection is tested without a database. Personal data never gets here: a change carries
 * ticket numbers, services, windows, times and grades only.
 */
export type CityChange =
  | { kind: 'configured'; services: { id: string; zh: string; en: string; avgServiceMinutes: number }[]; windows: { window: number; services: string[] }[] }
  | { kind: 'day'; day: string; expired: string[] }
  | { kind: 'issued'; ticketId: string; number: string; serviceId: string; day: string; at: number; status: 'waiting' }
  | { kind: 'ticket'; ticketId: string; status: string; at: number; window?: number; called?: boolean; finished?: boolean; serviceId?: string; requeued?: boolean; reopened?: boolean }
  | { kind: 'rating'; ratingId: string; ticketId: string; serviceId: string; window: number; grade: string; at: number }
  | { kind: 'window'; window: number; status: 'open' | 'paused' | 'closed' };

/** The feed's summary columns of an event: no payload, only what the city may publish. */
export interface EventSummary {
  ticketId?: string;
  serviceId?: string;
  window?: number;
}

export function summarize(e: HallEvent): EventSummary {
  const r = e as unknown as Record<string, unknown>;
  const ticket = r.ticket as { id?: unknown; serviceId?: unknown } | undefined;
  const rating = r.rating as { ticketId?: unknown; serviceId?: unknown; window?: unknown } | undefined;
  const pick = <T>(v: unknown, t: 'string' | 'number'): T | undefined => (typeof v === t ? (v as T) : undefined);
  const out: EventSummary = {};
  const ticketId = pick<string>(r.ticketId, 'string') ?? pick<string>(ticket?.id, 'string') ?? pick<string>(rating?.ticketId, 'string');
  const serviceId = pick<string>(r.serviceId, 'string') ?? pick<string>(ticket?.serviceId, 'string') ?? pick<string>(rating?.serviceId, 'string') ?? pick<string>(r.toService, 'string');
  const window = pick<number>(r.window, 'number') ?? pick<number>(rating?.window, 'number');
  if (ticketId !== undefined) out.ticketId = ticketId;
  if (serviceId !== undefined) out.serviceId = serviceId;
  if (window !== undefined) out.window = window;
  return out;
}

/** Times are whole ms in the tables (a simulated hall's clock may have fractions). */
export const ms = (t: number): number => Math.round(t);

export function project(e: HallEvent): CityChange[] {
  switch (e.type) {
    case 'HallConfigured':
      return [
        {
          kind: 'configured',
          services: e.config.services.map((s) => ({ id: s.id, zh: s.name.zh, en: s.name.en, avgServiceMinutes: s.avgServiceMinutes })),
          windows: e.config.windows.map((w) => ({ window: w.id, services: [...new Set(w.tiers.flat())] })),
        },
      ];
    case 'DayStarted':
      return [{ kind: 'day', day: e.day, expired: e.expired }];
    case 'TicketIssued':
      return [{ kind: 'issued', ticketId: e.ticket.id, number: e.ticket.number, serviceId: e.ticket.serviceId, day: e.ticket.day, at: ms(e.at), status: 'waiting' }];
    case 'TicketVoided':
      return [{ kind: 'ticket', ticketId: e.ticketId, status: 'voided', at: ms(e.at), finished: true }];
    case 'TicketPrinted':
      // A print confirmed in time changes nothing the city holds (issued counts as waiting there); the late
      // cut of a ticket the print-confirm timeout voided makes it wait again.
      return e.revived ? [{ kind: 'ticket', ticketId: e.ticketId, status: 'waiting', at: ms(e.at), reopened: true }] : [];
    case 'TicketCalled':
      return [{ kind: 'ticket', ticketId: e.ticketId, status: 'called', at: ms(e.at), window: e.window, called: true }];
    case 'ServiceStarted':
      return [{ kind: 'ticket', ticketId: e.ticketId, status: 'serving', at: ms(e.at), window: e.window }];
    case 'ServiceCompleted':
      return [{ kind: 'ticket', ticketId: e.ticketId, status: 'done', at: ms(e.at), window: e.window, finished: true }];
    case 'TicketNoShow':
      return [e.requeued ? { kind: 'ticket', ticketId: e.ticketId, status: 'waiting', at: ms(e.at), requeued: true } : { kind: 'ticket', ticketId: e.ticketId, status: 'no-show', at: ms(e.at), window: e.window, finished: true }];
    case 'TicketTransferred':
      return [{ kind: 'ticket', ticketId: e.ticketId, status: 'waiting', at: ms(e.at), serviceId: e.toService, requeued: true }];
    case 'TicketCancelled':
      return [{ kind: 'ticket', ticketId: e.ticketId, status: 'cancelled', at: ms(e.at), finished: true }];
    case 'WindowOpened':
    case 'WindowResumed':
    case 'WindowTakenOver':
      return [{ kind: 'window', window: e.window, status: 'open' }];
    case 'WindowPaused':
      return [{ kind: 'window', window: e.window, status: 'paused' }];
    case 'WindowClosed':
      return [{ kind: 'window', window: e.window, status: 'closed' }];
    case 'RatingRecorded':
      return [{ kind: 'rating', ratingId: e.rating.id, ticketId: e.rating.ticketId, serviceId: e.rating.serviceId, window: e.rating.window, grade: e.rating.grade, at: ms(e.at) }];
    // Nothing the city's tables hold: notices, recalls, prints, appointments (their people), staff.
    case 'AppointmentBooked':
    case 'AppointmentCancelled':
    case 'AppointmentCheckedIn':
    case 'CommandNoop':
    case 'CommandRejected':
    case 'NotificationDue':
    case 'RatingFollowedUp':
    case 'RatingRequested':
    case 'StaffSignedIn':
    case 'StaffSignedOut':
    case 'TicketRecalled':
    case 'AppointmentChanged':
    case 'EmergencyRaised':
    case 'EmergencyCleared':
    case 'IslandConflict':
    case 'NumbersLeased':
    case 'NumbersReturned':
      return [];
  }
}
