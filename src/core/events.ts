import type { HallConfig } from './model.js';
import type { Outcome } from './outcome.js';
import type { Appointment, EmergencyKind, FollowUpKind, Rating, Ticket } from './state.js';

/** Why a call did not take the oldest eligible ticket (null when it did). */
export type CallReason = 'aged' | 'appointment' | 'priority' | 'interleave' | 'tier-preference' | 'requeued-behind' | 'manual';

/** The island conflict rule's cases (src/core/island-conflict.ts). */
export type IslandConflictKind = 'number-taken' | 'called-elsewhere' | 'cancelled' | 'refused' | 'not-acting';

export type NotificationReason = 'issued' | 'near' | 'called';

export type EventBody =
  | { type: 'HallConfigured'; config: HallConfig }
  | { type: 'DayStarted'; day: string; expired: string[] }
  | { type: 'TicketIssued'; ticket: Ticket }
  /** revived: the cut of a ticket the print-confirm timeout had voided (print-timeout.ts): it waits again at its place. */
  | { type: 'TicketPrinted'; ticketId: string; revived?: true }
  /** timedOut: voided by the print-confirm timeout (a Tick), not by the kiosk; a later cut revives it. */
  | { type: 'TicketVoided'; ticketId: string; reason: string; timedOut?: true }
  | { type: 'TicketCalled'; ticketId: string; window: number; staffId?: string; reason: CallReason | null; interleave?: 'normal' | 'priority'; pool: string }
  | { type: 'TicketRecalled'; ticketId: string; window: number; count: number }
  | { type: 'ServiceStarted'; ticketId: string; window: number }
  | { type: 'ServiceCompleted'; ticketId: string; window: number; durationMs: number }
  | { type: 'TicketNoShow'; ticketId: string; window: number; requeued: boolean; queueKey?: number }
  | { type: 'TicketTransferred'; ticketId: string; fromWindow: number; toService: string; toWindow?: number; durationMs: number }
  | { type: 'TicketCancelled'; ticketId: string; reason: string }
  | { type: 'WindowOpened'; window: number; staffId: string }
  | { type: 'WindowPaused'; window: number; reason: string }
  | { type: 'WindowResumed'; window: number }
  | { type: 'WindowClosed'; window: number }
  | { type: 'WindowTakenOver'; window: number; staffId: string; previousStaffId?: string }
  /** Attendance: who was at which window (none for a manager's or technician's session) from when to when. */
  | { type: 'StaffSignedIn'; staffId: string; window?: number }
  /** `endedAt` (epoch ms): when the session ended, if before the event's own time (README, Sessions). */
  | { type: 'StaffSignedOut'; staffId: string; window?: number; endedAt?: number }
  | { type: 'AppointmentBooked'; appointment: Appointment }
  | { type: 'AppointmentCancelled'; appointmentId: string }
  /** The platform moved a booked appointment to another slot and/or service. */
  | { type: 'AppointmentChanged'; appointmentId: string; serviceId: string; slotStart: number; slotEnd: number }
  | { type: 'AppointmentCheckedIn'; appointmentId: string; ticketId: string }
  | { type: 'RatingRequested'; window: number; ticketId: string }
  | { type: 'RatingRecorded'; rating: Rating }
  /** A follow-up record of a bad rating; `kind` absent (older logs) means 'reply'; `reason` with 'untrue'; `staffId` from the session. */
  | { type: 'RatingFollowedUp'; ratingId: string; note: string; kind?: FollowUpKind; reason?: string; staffId?: string }
  /** An emergency or evacuation notice raised (or its text replaced) by a manager. */
  | { type: 'EmergencyRaised'; kind: EmergencyKind; text: string; preset?: string; staffId?: string }
  | { type: 'EmergencyCleared'; staffId?: string }
  | {
      type: 'NotificationDue';
      ticketId: string;
      number: string;
      serviceId: string;
      reason: NotificationReason;
      /** Wait position when due (issued, near). */
      position?: number;
      /** The windows to go to (issued, near) or the calling window (called). */
      windows: number[];
      /** On an issued notice: the ticket is already near, so no separate near notice follows. */
      near?: boolean;
      /** Estimated wait in whole minutes when due (issued, near), if an open window can call it (estimate.ts). */
      waitMinutes?: number;
    }
  /** A block of the day's numbers leased to an agent for island mode (src/core/lease.ts); the counter moves past it. */
  | { type: 'NumbersLeased'; agentId: string; serviceId: string; from: number; to: number }
  /** Numbers of an agent's lease given back unused (every number from…to was leased to it and free); they leave the lease, the counter stays. */
  | { type: 'NumbersReturned'; agentId: string; serviceId: string; from: number; to: number }
  /** An island action that met a different server decision on return, and how it was resolved (README "Island mode"). */
  | { type: 'IslandConflict'; agentId: string; commandId: string; kind: IslandConflictKind; refTicketId?: string; detail: string }
  | { type: 'CommandRejected' }
  | { type: 'CommandNoop' };

export type EventType = EventBody['type'];

export interface Envelope {
  seq: number;
  /** Epoch ms of the command that produced it. */
  at: number;
  commandId: string;
  /** On the last event a command decided: its answer, so replay rebuilds idempotency. */
  outcome?: Outcome;
}

export type HallEvent = EventBody & Envelope;
export type EventOf<T extends EventType> = Extract<HallEvent, { type: T }>;
