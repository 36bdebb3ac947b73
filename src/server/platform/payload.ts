/**
 * What the platform receives for one hall event (docs/platform.md, "Payloads"). Built once, when the
 * event is appended, and stored in the outbox as sent: a retry sends the same bytes.
 * Personal data follows `platform.export.personalData`: `none` sends no person and no phone; `masked`
 * (default) the masked ID number, name and phone as printed on the ticket; `masked+hash` adds the
 * keyed ID hash (the agents' key), for a platform that shares that key to link a citizen.
 */
import { own, type HallEvent, type HallState, type PersonRef, type Ticket } from '../../core/index.js';
import type { PLATFORM_EVENT_TYPES } from '../../config/schema.js';

export type PlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number];
export type PersonalData = 'none' | 'masked' | 'masked+hash';

/** The hall event types exported, and their platform names. */
const TYPE_OF: Partial<Record<HallEvent['type'], PlatformEventType>> = {
  TicketIssued: 'ticket.issued',
  TicketCalled: 'ticket.called',
  ServiceCompleted: 'ticket.completed',
  TicketNoShow: 'ticket.noShow',
  TicketCancelled: 'ticket.cancelled',
  TicketVoided: 'ticket.voided',
  AppointmentCheckedIn: 'appointment.checkedIn',
  RatingRecorded: 'rating.recorded',
  RatingFollowedUp: 'rating.followedUp',
};

export function platformTypeOf(e: HallEvent): PlatformEventType | undefined {
  return TYPE_OF[e.type];
}

export interface PlatformTicket {
  id: string;
  number?: string;
  serviceId?: string;
  class?: Ticket['class'];
  issuedAt?: string;
  appointmentId?: string;
  person?: { idMasked: string; nameMasked?: string; idHash?: string };
  phoneMasked?: string;
}

/** One exported event, as POSTed. */
export interface PlatformEvent {
  /** `<hall>:<seq>`: the idempotency key (also the Idempotency-Key header). */
  key: string;
  hall: string;
  seq: number;
  type: PlatformEventType;
  /** ISO 8601 UTC. */
  at: string;
  ticket?: PlatformTicket;
  /** The event's own fields (window, staffId, durationMs, reason, rating …), envelope and personal data removed. */
  data: Record<string, unknown>;
}

function person(p: PersonRef | undefined, mode: PersonalData): PlatformTicket['person'] {
  if (!p || mode === 'none') return undefined;
  return { idMasked: p.idMasked, ...(p.nameMasked ? { nameMasked: p.nameMasked } : {}), ...(mode === 'masked+hash' ? { idHash: p.idHash } : {}) };
}

function ticketOf(t: Ticket | undefined, id: string, mode: PersonalData): PlatformTicket {
  if (!t) return { id };
  const who = person(t.person, mode);
  return {
    id: t.id,
    number: t.number,
    serviceId: t.serviceId,
    class: t.class,
    issuedAt: new Date(t.issuedAt).toISOString(),
    ...(t.appointmentId ? { appointmentId: t.appointmentId } : {}),
    ...(who ? { person: who } : {}),
    ...(t.phoneMasked && mode !== 'none' ? { phoneMasked: t.phoneMasked } : {}),
  };
}

const ENVELOPE = new Set(['type', 'seq', 'at', 'commandId', 'outcome', 'ticket', 'ticketId']);

/**
 * The platform's view of `e`, or undefined when it is not exported. `state` is the hall state just
 * after `e` (the ticket's number and service come from it; a ticket already purged sends its id only).
 */
export function toPlatformEvent(e: HallEvent, state: HallState, hall: string, mode: PersonalData): PlatformEvent | undefined {
  const type = platformTypeOf(e);
  if (!type) return undefined;
  const ticketId =
    e.type === 'TicketIssued'
      ? e.ticket.id
      : 'ticketId' in e && typeof e.ticketId === 'string'
        ? e.ticketId
        : e.type === 'RatingRecorded'
          ? e.rating.ticketId
          : e.type === 'RatingFollowedUp'
            ? own(state.ratings, e.ratingId)?.ticketId
            : undefined;
  const ticket = e.type === 'TicketIssued' ? e.ticket : ticketId === undefined ? undefined : own(state.tickets, ticketId);
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!ENVELOPE.has(k)) data[k] = v;
  if (e.type === 'RatingFollowedUp') {
    const r = own(state.ratings, e.ratingId);
    if (r) data['rating'] = { id: r.id, ticketId: r.ticketId, grade: r.grade, window: r.window, ...(r.staffId ? { staffId: r.staffId } : {}) };
  }
  return {
    key: `${hall}:${e.seq}`,
    hall,
    seq: e.seq,
    type,
    at: new Date(e.at).toISOString(),
    ...(ticketId === undefined ? {} : { ticket: ticketOf(ticket, ticketId, mode) }),
    data,
  };
}

/** The ticket a platform event belongs to (ordering is per ticket). */
export function ticketIdOf(p: PlatformEvent): string | undefined {
  return p.ticket?.id;
}
