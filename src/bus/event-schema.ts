import { z } from 'zod';
import type { EventBody, HallEvent, HallState, Outcome, QueueView, WindowView } from '../core/index.js';

/**
 * Schemas of what the server publishes, for the receiving side (agents, tools): every event, the
 * answers to requests, the retained window / queue state and the server status. A payload is read
 * only after it passed one of these; anything else is dropped with a warning naming its topic and
 * size. Objects are loose (a newer server may add fields) but every field the core reads is checked,
 * so a malformed event can neither throw inside apply() nor change a replica half-way.
 */

const str = z.string().max(1000);
const id = z.string().min(1).max(200);
const int = z.number().int();
const nat = int.min(0);
const time = z.number().finite();
const window = int.min(1).max(999);
const lang = z.looseObject({ zh: str, en: str });

const person = z.looseObject({ idHash: str, idMasked: str, nameMasked: str.optional() });
const timeRange = z.looseObject({ from: str, to: str });
const ranges = z.array(timeRange).max(50);

export const hallConfigSchema = z.looseObject({
  id,
  name: lang,
  utcOffsetMinutes: int.min(-24 * 60).max(24 * 60),
  hours: z.looseObject({
    weekly: z.looseObject({ sun: ranges, mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges, sat: ranges }),
    issuingCutoffMinutes: nat,
    holidays: z.array(str).max(1000),
    workdays: z.array(str).max(1000),
  }),
  services: z
    .array(
      z.looseObject({
        id,
        name: lang,
        prefix: z.string().min(1).max(4),
        dailyQuota: nat,
        hours: ranges.optional(),
        idRequired: z.boolean(),
        avgServiceMinutes: z.number().positive(),
      }),
    )
    .max(1000),
  windows: z.array(z.looseObject({ id: window, kind: str, tiers: z.array(z.array(id).max(1000)).max(100) })).max(999),
  staff: z.array(z.looseObject({ id, name: str })).max(10_000),
  policy: z.looseObject({
    recallLimit: nat,
    noShow: z.looseObject({ requeueAfter: nat.nullable(), maxRequeues: nat }),
    interleave: z.looseObject({ normal: nat, priority: nat }),
    agingMinutes: z.number().positive(),
    nearFactor: z.number().positive(),
    nearAtIssue: z.boolean(),
    perId: z.looseObject({ maxOpenPerService: nat, dailyCap: nat }),
    perPhone: z.looseObject({ maxOpenPerService: nat, dailyCap: nat }).optional(),
    priorityAge: nat.nullable(),
    appointment: z.looseObject({ earlyMinutes: z.number().min(0), lateMinutes: z.number().min(0) }),
    ratingTimeoutSeconds: z.number().positive(),
    printConfirmTimeoutSeconds: z.number().positive().nullable().optional(),
    serviceTimeSamples: int.min(1),
  }),
  smsEnabled: z.boolean().optional(),
});

const ticketStatus = z.enum(['issued', 'waiting', 'called', 'serving', 'done', 'no-show', 'cancelled', 'voided', 'expired']);
const notified = z.looseObject({ issued: nat.optional(), near: nat.optional(), called: nat.optional() });
export const ticketSchema = z.looseObject({
  id,
  number: id,
  serviceId: id,
  class: z.enum(['appointment', 'priority', 'normal']),
  day: str,
  status: ticketStatus,
  delivery: z.enum(['print', 'sms', 'none']),
  issuedAt: time,
  queuedAt: time,
  queueKey: z.number().finite(),
  person: person.optional(),
  phoneMasked: str.optional(),
  phoneHash: str.optional(),
  appointmentId: id.optional(),
  /** The agent whose kiosk issued it; absent in logs written before it was recorded. */
  kioskAgent: id.optional(),
  targetWindow: window.optional(),
  window: window.optional(),
  staffId: id.optional(),
  calledAt: time.optional(),
  startedAt: time.optional(),
  finishedAt: time.optional(),
  recalls: nat,
  noShows: nat,
  transfers: nat,
  atIssue: z.looseObject({ position: int.min(1), windows: z.array(window).max(999), waitMinutes: nat.optional() }).optional(),
  notified,
});

const appointment = z.looseObject({ id, serviceId: id, slotStart: time, slotEnd: time, person, status: z.enum(['booked', 'checked-in', 'cancelled']), ticketId: id.optional(), phoneHash: str.optional(), phoneMasked: str.optional(), codeHash: str.optional() });
const grade = z.enum(['very-satisfied', 'satisfied', 'basic', 'dissatisfied', 'very-dissatisfied']);
const followUpRecord = z.looseObject({ note: str, at: time, staffId: id.optional() });
const emergencyKind = z.enum(['emergency', 'evacuation']);
const emergency = z.looseObject({ kind: emergencyKind, text: str, preset: str.optional(), raisedAt: time, staffId: id.optional() });
const rating = z.looseObject({
  id,
  ticketId: id,
  number: id,
  serviceId: id,
  window,
  staffId: id.optional(),
  grade,
  at: time,
  channel: z.enum(['keypad', 'offsite']).optional(),
  comment: str.optional(),
  followUp: z
    .looseObject({
      status: z.enum(['open', 'closed']),
      note: str.optional(),
      at: time.optional(),
      reply: followUpRecord.optional(),
      rectification: followUpRecord.optional(),
      untrue: followUpRecord.extend({ reason: str }).optional(),
    })
    .optional(),
});

export const outcomeSchema = z.union([
  z.looseObject({ ok: z.literal(true), ticketId: id.optional(), info: str.optional() }),
  z.looseObject({ ok: z.literal(false), code: str, message: lang, detail: str.optional() }),
]);

const envelope = { seq: int.min(1), at: time, commandId: z.string().max(200), outcome: outcomeSchema.optional() };
const ev = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.looseObject({ ...envelope, type: z.literal(type), ...shape });
const ticketRef = { ticketId: id };

export const eventSchema = z.discriminatedUnion('type', [
  ev('HallConfigured', { config: hallConfigSchema }),
  ev('DayStarted', { day: str, expired: z.array(id) }),
  ev('TicketIssued', { ticket: ticketSchema }),
  ev('TicketPrinted', { ...ticketRef, revived: z.literal(true).optional() }),
  ev('TicketVoided', { ...ticketRef, reason: str, timedOut: z.literal(true).optional() }),
  ev('TicketCalled', { ...ticketRef, window, staffId: id.optional(), reason: str.nullable(), interleave: z.enum(['normal', 'priority']).optional(), pool: z.string().max(100_000) }),
  ev('TicketRecalled', { ...ticketRef, window, count: nat }),
  ev('ServiceStarted', { ...ticketRef, window }),
  ev('ServiceCompleted', { ...ticketRef, window, durationMs: z.number().min(0) }),
  ev('TicketNoShow', { ...ticketRef, window, requeued: z.boolean(), queueKey: z.number().finite().optional() }),
  ev('TicketTransferred', { ...ticketRef, fromWindow: window, toService: id, toWindow: window.optional(), durationMs: z.number().min(0) }),
  ev('TicketCancelled', { ...ticketRef, reason: str }),
  ev('WindowOpened', { window, staffId: id }),
  ev('WindowPaused', { window, reason: str }),
  ev('WindowResumed', { window }),
  ev('WindowClosed', { window }),
  ev('WindowTakenOver', { window, staffId: id, previousStaffId: id.optional() }),
  ev('StaffSignedIn', { staffId: id, window: window.optional() }),
  ev('StaffSignedOut', { staffId: id, window: window.optional(), endedAt: time.optional() }),
  ev('AppointmentBooked', { appointment }),
  ev('AppointmentCancelled', { appointmentId: id }),
  ev('AppointmentChanged', { appointmentId: id, serviceId: id, slotStart: time, slotEnd: time }),
  ev('AppointmentCheckedIn', { appointmentId: id, ticketId: id }),
  ev('RatingRequested', { window, ticketId: id }),
  ev('RatingRecorded', { rating }),
  ev('RatingFollowedUp', { ratingId: id, note: str, kind: z.enum(['reply', 'rectification', 'untrue']).optional(), reason: str.optional(), staffId: id.optional() }),
  ev('EmergencyRaised', { kind: emergencyKind, text: str, preset: str.optional(), staffId: id.optional() }),
  ev('EmergencyCleared', { staffId: id.optional() }),
  ev('NotificationDue', { ...ticketRef, number: id, serviceId: id, reason: z.enum(['issued', 'near', 'called']), position: nat.optional(), windows: z.array(window), near: z.boolean().optional() }),
  ev('NumbersLeased', { agentId: id, serviceId: id, from: int.min(1).max(999), to: int.min(1).max(999) }),
  ev('NumbersReturned', { agentId: id, serviceId: id, from: int.min(1).max(999), to: int.min(1).max(999) }),
  ev('IslandConflict', { agentId: id, commandId: id, kind: z.enum(['number-taken', 'called-elsewhere', 'cancelled', 'refused', 'not-acting']), refTicketId: id.optional(), detail: str }),
  ev('CommandRejected', {}),
  ev('CommandNoop', {}),
]);

// Every event the core can decide has a schema here, or the agent would drop it and stall its
// replica at that seq (a new event type added to the core without one fails to compile).
type Unchecked = Exclude<EventBody['type'], z.infer<typeof eventSchema>['type']>;
const everyEventChecked: [Unchecked] extends [never] ? true : Unchecked = true;
void everyEventChecked;

const record = <T extends z.ZodType>(value: T) => z.record(z.string().max(200), value);
const windowState = z.looseObject({
  id: window,
  status: z.enum(['closed', 'open', 'paused']),
  staffId: id.optional(),
  pauseReason: str.optional(),
  current: id.optional(),
  lastServed: z.looseObject({ ticketId: id, staffId: id.optional(), at: time }).optional(),
});

export const hallStateSchema = z.looseObject({
  config: hallConfigSchema.nullable(),
  seq: nat,
  day: str,
  counters: record(nat),
  nextQueueKey: z.number().finite(),
  tickets: record(ticketSchema),
  windows: record(windowState),
  appointments: record(appointment),
  ratings: record(rating),
  emergency: emergency.optional(),
  pools: record(z.looseObject({ cls: z.enum(['normal', 'priority']), run: nat })),
  serviceTimes: record(z.array(z.number().finite()).max(10_000)),
  commands: record(outcomeSchema),
  leases: record(z.array(z.looseObject({ serviceId: id, from: int.min(1).max(999), to: int.min(1).max(999) })).max(1000)).optional(),
});

/** The answer on res/<client>: an id and either data (checked by the request's own schema) or an error. */
export const responseSchema = z.union([
  z.looseObject({ id: z.string().max(200), status: z.literal('ok'), data: z.unknown() }),
  z.looseObject({ id: z.string().max(200), status: z.literal('error'), error: z.looseObject({ code: z.string().max(100), message: z.string().max(2000) }) }),
]);

export const commandDataSchema = z.looseObject({ outcome: outcomeSchema, seq: nat });
export const eventsDataSchema = z.looseObject({ events: z.array(z.unknown()), lastSeq: nat, more: z.boolean().optional(), resync: z.boolean().optional() });
/** A part of the hall state; the present state's first part also names the identity of its seq's event (`head`, bus/log-head.ts) and the server's time (`at`). */
export const statePartDataSchema = z.looseObject({ seq: nat, part: nat, parts: int.min(1), chunk: z.string(), head: z.string().regex(/^[0-9a-f]{8}$/).optional(), at: z.number().finite().optional() });
export const contactDataSchema = z.looseObject({ stored: z.boolean() });

// The server's status: in a module of its own, which the server reads without building the schemas here.
export { serverStatusSchema } from './server-status-schema.js';
export const windowViewSchema = z.looseObject({
  window,
  status: z.enum(['closed', 'open', 'paused']),
  staffId: id.optional(),
  pauseReason: str.optional(),
  current: z.looseObject({ ticketId: id, number: id, serviceId: id, status: str, nameMasked: str.optional() }).optional(),
  waiting: nat,
});
export const queueViewSchema = z.looseObject({ seq: nat, day: str, services: record(z.looseObject({ waiting: nat, issued: nat, served: nat })) });

/** Each schema's output is (a superset of) the core's type, checked at compile time. */
const _fits = {
  event: (x: z.infer<typeof eventSchema>): HallEvent => x as HallEvent,
  state: (x: z.infer<typeof hallStateSchema>): HallState => x as HallState,
  outcome: (x: z.infer<typeof outcomeSchema>): Outcome => x as Outcome,
  window: (x: z.infer<typeof windowViewSchema>): WindowView => x,
  queue: (x: z.infer<typeof queueViewSchema>): QueueView => x,
};
void _fits;
