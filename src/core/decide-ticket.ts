import { openTicketsOf } from './apply.js';
import type { CommandOf } from './commands.js';
import { accept, reject, rejectOwn, ticketStands, type Decision } from './decision.js';
import type { EventBody } from './events.js';
import { canServe, serviceOf, ticketsOfPerson } from './hall.js';
import { issuingHalted } from './emergency.js';
import { issuingRefusal } from './hours.js';
import { defaultPolicy, type HallConfig, type ServiceDef } from './model.js';
import type { RejectionCode } from './rejections.js';
import { openStatuses, type Delivery, type HallState, type PersonRef, type Ticket, type TicketClass } from './state.js';
import { localTime } from './time.js';
import { agePriority } from './age-priority.js';
import { openForCheckIn } from './appointment.js';
import { own } from './own.js';
import { freeLeased, islandNumber, nextNumber, numberCap, quotaRoom } from './lease.js';
import { revivable } from './print-timeout.js';
import { issueFigures } from './issue-figures.js';
import { maskNumbersInText } from './mask.js';

/** Ticket numbers: prefix + three digits, reset each day. */
export function ticketNumber(service: ServiceDef, n: number): string {
  return `${service.prefix}${String(n).padStart(3, '0')}`;
}

export function ticketId(day: string, number: string): string {
  return `${day.replaceAll('-', '')}-${number}`;
}

function personRefusal(state: HallState, config: HallConfig, serviceId: string, person: PersonRef): RejectionCode | undefined {
  const { maxOpenPerService, dailyCap } = config.policy.perId;
  if (openTicketsOf(state, person.idHash).filter((t) => t.serviceId === serviceId).length >= maxOpenPerService) return 'per-id-open';
  const today = ticketsOfPerson(state, person.idHash).filter((t) => t.status !== 'voided');
  if (today.length >= dailyCap) return 'per-id-daily';
  return undefined;
}

/**
 * The per-ID rules by the phone a ticket's SMS go to (its keyed hash): open tickets (issued, waiting,
 * called, serving) of the service, and today's not voided, as the per-ID rules count. A scan of the
 * day's tickets (at most 999 a service) per issue: only an issue with a phone pays it.
 */
function phoneRefusal(state: HallState, config: HallConfig, serviceId: string, phoneHash: string): RejectionCode | undefined {
  const { maxOpenPerService, dailyCap } = config.policy.perPhone ?? defaultPolicy.perPhone;
  const today = Object.values(state.tickets).filter((t) => t.phoneHash === phoneHash && t.status !== 'voided');
  if (today.filter((t) => t.serviceId === serviceId && openStatuses.has(t.status)).length >= maxOpenPerService) return 'per-phone-open';
  if (today.length >= dailyCap) return 'per-phone-daily';
  return undefined;
}

/** Both per-person rules of an issue: by its ID card, then by its phone. */
function personalRefusal(state: HallState, config: HallConfig, serviceId: string, who: Who): RejectionCode | undefined {
  const byId = who.person ? personRefusal(state, config, serviceId, who.person) : undefined;
  return byId ?? (who.phoneHash === undefined ? undefined : phoneRefusal(state, config, serviceId, who.phoneHash));
}

/** Whom an issue is for: the card's person, the phone its SMS go to (either, both or neither). */
interface Who {
  person?: PersonRef;
  phoneHash?: string;
}

interface NewTicket {
  service: ServiceDef;
  cls: TicketClass;
  delivery: Delivery;
  person?: PersonRef;
  phoneMasked?: string;
  phoneHash?: string;
  appointmentId?: string;
  /** Island mode: this number (from a lease) instead of the next one. */
  number?: number;
  /** The agent whose kiosk issued it. */
  kioskAgent?: string;
}

/**
 * A new ticket: waiting at once, unless it waits for its print to be confirmed; with the figures it is
 * told at issue (issue-figures.ts), fixed here for its paper and its issued SMS alike.
 */
function newTicket(state: HallState, now: number, n: NewTicket): Ticket {
  const number = ticketNumber(n.service, n.number ?? nextNumber(state, n.service));
  const ticket: Ticket = {
    id: ticketId(state.day, number),
    number,
    serviceId: n.service.id,
    class: n.cls,
    day: state.day,
    status: n.delivery === 'print' ? 'issued' : 'waiting',
    delivery: n.delivery,
    issuedAt: now,
    queuedAt: now,
    queueKey: state.nextQueueKey,
    recalls: 0,
    noShows: 0,
    transfers: 0,
    notified: {},
    ...(n.person ? { person: { idHash: n.person.idHash, idMasked: n.person.idMasked, ...(n.person.nameMasked ? { nameMasked: n.person.nameMasked } : {}) } } : {}),
    ...(n.phoneMasked ? { phoneMasked: n.phoneMasked } : {}),
    ...(n.phoneHash ? { phoneHash: n.phoneHash } : {}),
    ...(n.appointmentId ? { appointmentId: n.appointmentId } : {}),
    ...(n.kioskAgent === undefined ? {} : { kioskAgent: n.kioskAgent }),
  };
  ticket.atIssue = issueFigures(state, ticket, now);
  return ticket;
}

/**
 * SMS is off in this hall (HallConfig.smsEnabled false): no SMS-only ticket, and no masked phone kept
 * on a ticket (it would tell the citizen, on paper and on screens, of a message that never comes).
 */
function smsRefusal(config: HallConfig, delivery: Delivery | undefined): RejectionCode | undefined {
  return config.smsEnabled === false && delivery === 'sms' ? 'sms-off' : undefined;
}

function phoneKept(config: HallConfig, phoneMasked: string | undefined, phoneHash: string | undefined): { phoneMasked?: string; phoneHash?: string } {
  if (config.smsEnabled === false) return {};
  return { ...(phoneMasked ? { phoneMasked } : {}), ...(phoneHash ? { phoneHash } : {}) };
}

/** The phone hash an issue is counted by: none when the hall sends no SMS (no phone is kept then). */
function phoneOf(config: HallConfig, phoneHash: string | undefined): Who {
  return phoneHash !== undefined && config.smsEnabled !== false ? { phoneHash } : {};
}

/** What refuses an online issue or a check-in before its number: no window, the hours, the per-ID and per-phone rules (each caller checks the day's numbers itself). */
function commonRefusal(state: HallState, config: HallConfig, service: ServiceDef, now: number, who: Who = {}): RejectionCode | undefined {
  if (!config.windows.some((w) => canServe(w, { serviceId: service.id }))) return 'no-window';
  const hours = issuingRefusal(config, service, now);
  if (hours) return hours;
  return personalRefusal(state, config, service.id, who);
}

/**
 * An island issue from a lease was already allowed by the hours and the quota when the block was
 * leased (its number counted against the quota from the lease on: lease.ts quotaRoom); the service must still have a window, and the per-ID and per-phone rules still hold.
 */
function islandRefusal(state: HallState, config: HallConfig, service: ServiceDef, who: Who): RejectionCode | undefined {
  if (!config.windows.some((w) => canServe(w, { serviceId: service.id }))) return 'no-window';
  return personalRefusal(state, config, service.id, who);
}

export function decideIssue(state: HallState, config: HallConfig, cmd: CommandOf<'IssueTicket'>, now: number): Decision {
  const service = serviceOf(config, cmd.serviceId);
  if (!service) return reject('unknown-service', cmd.serviceId);
  if (issuingHalted(state)) return reject('emergency');
  if (cmd.person && !cmd.person.idValid) return reject('id-invalid');
  if (service.idRequired && !cmd.person) return reject('id-required');
  const noSms = smsRefusal(config, cmd.delivery);
  if (noSms) return reject(noSms);
  // Island mode: the agent's leased number if it is still its own and free; otherwise the next
  // number of the day (the number conflict rule), unless the day has none left.
  let leased = cmd.leased ? islandNumber(state, config, service.id, cmd.leased) : undefined;
  const who: Who = { ...(cmd.person ? { person: cmd.person } : {}), ...phoneOf(config, cmd.phoneHash) };
  const refusal = leased === undefined ? commonRefusal(state, config, service, now, who) : islandRefusal(state, config, service, who);
  if (refusal) return reject(refusal);
  // The daily quota counts tickets issued, and the numbers islands may still issue from their reserves
  // (lease.ts): an island issue from its reserve was counted when leased, so it is never refused here.
  if (leased === undefined && quotaRoom(state, service.id, numberCap(config, service.id)) <= 0) {
    // No room online, but the asking kiosk holds a reserve of its own (counted when leased, so the quota
    // still holds): its citizen takes one of those, lowest first, rather than being refused while numbers
    // wait unused (the tryout: another kiosk away, its reserve kept, and this kiosk's page refused with
    // its own reserve in hand). Only an online issue: an island one names its number (cmd.leased).
    const reserve = cmd.leased === undefined && cmd.kioskAgent !== undefined ? freeLeased(state, cmd.kioskAgent, service.id)[0] : undefined;
    if (reserve === undefined) return reject('quota-reached');
    leased = reserve;
  }
  const birth = cmd.person?.birthDate;
  const elderly = birth !== undefined && agePriority(config, birth, state.day);
  const ticket = newTicket(state, now, {
    service,
    cls: cmd.priority === true || elderly ? 'priority' : 'normal',
    delivery: cmd.delivery ?? 'print',
    ...(cmd.person ? { person: cmd.person } : {}),
    ...phoneKept(config, cmd.phoneMasked, cmd.phoneHash),
    ...(leased === undefined ? {} : { number: leased }),
    ...(cmd.kioskAgent === undefined ? {} : { kioskAgent: cmd.kioskAgent }),
  });
  return accept([{ type: 'TicketIssued', ticket }], ticket.id, cmd.leased && leased === undefined ? 'island-renumbered' : undefined);
}

export function decidePrint(state: HallState, cmd: CommandOf<'PrintConfirmed'> | CommandOf<'PrintFailed'>): Decision {
  const t = own(state.tickets, cmd.ticketId);
  if (!t) return reject('unknown-ticket', cmd.ticketId);
  // Only the kiosk that printed it knows what its printer did: another agent's word could void a
  // citizen's printed ticket, or revive a never-printed one first in the queue.
  if (t.kioskAgent !== undefined && cmd.kioskAgent !== t.kioskAgent) return rejectOwn('print-other-kiosk', `${t.id} was issued by agent ${t.kioskAgent}`);
  // The cut came after the print-confirm timeout had voided the ticket: the paper stands.
  if (cmd.type === 'PrintConfirmed' && revivable(state, t)) return accept([{ type: 'TicketPrinted', ticketId: t.id, revived: true }], t.id);
  // An SMS-only ticket its kiosk withdraws (it stopped waiting for the answer and told the citizen to try
  // again, or died before telling them anything): no paper and no SMS holds its number yet (the phone
  // follows the answer), so it goes before anyone calls it, as a never-printed number does.
  if (cmd.type === 'PrintFailed' && t.delivery === 'sms' && t.kioskAgent !== undefined && t.status === 'waiting' && t.calledAt === undefined) {
    return accept([{ type: 'TicketVoided', ticketId: t.id, reason: cmd.reason }], t.id);
  }
  if (t.status !== 'issued') return rejectOwn('bad-ticket-state', ticketStands(t));
  // A failed print voids the number: it is never shown as waiting, never called.
  return cmd.type === 'PrintConfirmed'
    ? accept([{ type: 'TicketPrinted', ticketId: t.id }], t.id)
    : accept([{ type: 'TicketVoided', ticketId: t.id, reason: cmd.reason }], t.id);
}

export function decideCancel(state: HallState, cmd: CommandOf<'Cancel'>): Decision {
  const t = own(state.tickets, cmd.ticketId);
  if (!t) return reject('unknown-ticket', cmd.ticketId);
  if (t.status !== 'issued' && t.status !== 'waiting' && t.status !== 'called') return rejectOwn('bad-ticket-state', ticketStands(t));
  return accept([{ type: 'TicketCancelled', ticketId: t.id, reason: maskNumbersInText(cmd.reason) }], t.id);
}

export function decideBook(state: HallState, config: HallConfig, cmd: CommandOf<'BookAppointment'>): Decision {
  const a = cmd.appointment;
  if (own(state.appointments, a.id)) return reject('duplicate-appointment', a.id);
  if (!serviceOf(config, a.serviceId)) return reject('unknown-service', a.serviceId);
  if (!(a.slotEnd > a.slotStart)) return reject('invalid-command', 'slotEnd must be after slotStart');
  return accept([{ type: 'AppointmentBooked', appointment: { ...a, status: 'booked' } }]);
}

export function decideCancelAppointment(state: HallState, cmd: CommandOf<'CancelAppointment'>): Decision {
  const a = own(state.appointments, cmd.appointmentId);
  if (!a || a.status === 'cancelled') return reject('unknown-appointment', cmd.appointmentId);
  if (!openForCheckIn(state, a)) return reject('appointment-used');
  return accept([{ type: 'AppointmentCancelled', appointmentId: a.id }]);
}

/** A booked appointment moved to another slot or service (the platform's change); a checked-in one (its ticket held) stays as it was. */
export function decideChangeAppointment(state: HallState, config: HallConfig, cmd: CommandOf<'ChangeAppointment'>): Decision {
  const a = own(state.appointments, cmd.appointmentId);
  if (!a || a.status === 'cancelled') return reject('unknown-appointment', cmd.appointmentId);
  if (!openForCheckIn(state, a)) return reject('appointment-used');
  if (!serviceOf(config, cmd.serviceId)) return reject('unknown-service', cmd.serviceId);
  if (!(cmd.slotEnd > cmd.slotStart)) return reject('invalid-command', 'slotEnd must be after slotStart');
  if (a.serviceId === cmd.serviceId && a.slotStart === cmd.slotStart && a.slotEnd === cmd.slotEnd) return accept([]);
  return accept([{ type: 'AppointmentChanged', appointmentId: a.id, serviceId: cmd.serviceId, slotStart: cmd.slotStart, slotEnd: cmd.slotEnd }]);
}

/** Appointment check-in: on time (within the tolerance) gives the appointment class; late gives a normal ticket. */
export function decideCheckIn(state: HallState, config: HallConfig, cmd: CommandOf<'CheckIn'>, now: number): Decision {
  if (cmd.appointmentId === undefined && cmd.idHash === undefined) return reject('invalid-command', 'appointmentId or idHash');
  if (issuingHalted(state)) return reject('emergency');
  const noSms = smsRefusal(config, cmd.delivery);
  if (noSms) return reject(noSms);
  const today = Object.values(state.appointments)
    .filter((a) => (cmd.appointmentId !== undefined ? a.id === cmd.appointmentId : a.person.idHash === cmd.idHash))
    .filter((a) => a.status !== 'cancelled' && localTime(a.slotStart, config.utcOffsetMinutes).day === state.day)
    .sort((x, y) => x.slotStart - y.slotStart);
  const a = today.find((x) => openForCheckIn(state, x)) ?? today[0];
  if (!a) return reject('unknown-appointment');
  if (!openForCheckIn(state, a)) return reject('appointment-used');
  const { earlyMinutes, lateMinutes } = config.policy.appointment;
  if (now < a.slotStart - earlyMinutes * 60_000) return reject('appointment-too-early');
  const service = serviceOf(config, a.serviceId);
  if (!service) return reject('unknown-service', a.serviceId);
  // Neither the per-ID nor the per-phone rules refuse a check-in (its booking allows one ticket); its
  // phone is kept, so the check-in counts against that phone's later walk-in tickets.
  const refusal = commonRefusal(state, config, service, now);
  if (refusal) return reject(refusal);
  // Three digits: 999 tickets a day per service, appointments included (a booking is not refused by the
  // daily quota); numbers held in a lease reserve are kept for it (lease.ts quotaRoom), numbers given back are issued again.
  if (quotaRoom(state, service.id, 999) <= 0) return reject('quota-reached');
  const late = now > a.slotStart + lateMinutes * 60_000;
  const ticket = newTicket(state, now, {
    service,
    cls: late ? 'normal' : 'appointment',
    delivery: cmd.delivery ?? 'print',
    person: a.person,
    appointmentId: a.id,
    ...phoneKept(config, cmd.phoneMasked, cmd.phoneHash),
    ...(cmd.kioskAgent === undefined ? {} : { kioskAgent: cmd.kioskAgent }),
  });
  const events: EventBody[] = [
    { type: 'TicketIssued', ticket },
    { type: 'AppointmentCheckedIn', appointmentId: a.id, ticketId: ticket.id },
  ];
  return accept(events, ticket.id, late ? 'appointment-late' : undefined);
}
