import type { Grade, HallConfig } from './model.js';
import type { Outcome } from './outcome.js';
import type { NumberLease } from './lease.js';

export type TicketClass = 'appointment' | 'priority' | 'normal';

/** issued → (waiting | voided) → called → serving → done | no-show | (waiting again) ; cancelled ; expired at day end */
export type TicketStatus = 'issued' | 'waiting' | 'called' | 'serving' | 'done' | 'no-show' | 'cancelled' | 'voided' | 'expired';

export const openStatuses: ReadonlySet<TicketStatus> = new Set(['issued', 'waiting', 'called', 'serving']);

/** How the citizen gets the ticket: printed (waits for the print to be confirmed), SMS only, or nothing (staff-issued). */
export type Delivery = 'print' | 'sms' | 'none';

/** Personal data as the core may hold it: a keyed hash and masked forms only (DESIGN §8). */
export interface PersonRef {
  idHash: string;
  idMasked: string;
  nameMasked?: string;
}

/** A ticket's wait position, windows and estimated wait as at its issue (core/issue-figures.ts). */
export interface IssueFigures {
  /** Wait position (等待顺序数, 1 = next) it has, or will have once its print is confirmed. */
  position: number;
  /** The open windows that can call it; empty when none is open. */
  windows: number[];
  /** Estimated wait, whole minutes; absent when no open window can call it. */
  waitMinutes?: number;
}

export interface Ticket {
  id: string;
  number: string;
  serviceId: string;
  class: TicketClass;
  day: string;
  status: TicketStatus;
  delivery: Delivery;
  issuedAt: number;
  /** When it last joined a queue (issue, re-queue, transfer): aging counts from here. */
  queuedAt: number;
  /** Order within its class and tier; transfers keep it, re-queues get a later one. */
  queueKey: number;
  person?: PersonRef;
  phoneMasked?: string;
  /**
   * The phone its SMS go to, as a keyed hash (the agents' ID hash key, bus/person.ts phoneHash): what the
   * per-phone rules count by (core/decide-ticket.ts). Never the number; kept home like idHash (web/snapshot.ts).
   */
  phoneHash?: string;
  appointmentId?: string;
  /**
   * The agent whose kiosk issued it (from its authenticated identity): only that agent may say whether
   * it printed (PrintConfirmed / PrintFailed). Absent for tickets issued otherwise (staff, the CLI) and
   * in logs written before it was recorded: then any kiosk agent may, as before.
   */
  kioskAgent?: string;
  /** Set by a transfer to one window: only that window may call it. */
  targetWindow?: number;
  window?: number;
  staffId?: string;
  calledAt?: number;
  startedAt?: number;
  finishedAt?: number;
  recalls: number;
  noShows: number;
  transfers: number;
  /**
   * The service it was issued for, kept at its first transfer (`serviceId` is then the service it waits
   * for): the day's per-service figures count it there, beside its issue, as the reports do.
   */
  issuedFor?: string;
  /** Voided by the print-confirm timeout (core/print-timeout.ts): a late PrintConfirmed revives it. */
  printTimedOut?: true;
  /**
   * What the citizen is told at issue (issue 13), fixed once by the decision that issued it: the printed
   * ticket and the issued SMS both say these, however the queue moved between the issue, the print and
   * the cut. Absent in tickets issued before the field (the kiosk then computes them as before).
   */
  atIssue?: IssueFigures;
  /** Seq of the notification event per reason; near may be satisfied by the issued one. */
  notified: { issued?: number; near?: number; called?: number };
}

export type WindowStatus = 'closed' | 'open' | 'paused';

export interface WindowState {
  id: number;
  status: WindowStatus;
  staffId?: string;
  pauseReason?: string;
  /** The ticket called or being served here. */
  current?: string;
  /** The last ticket served here, for the rating that may follow. */
  lastServed?: { ticketId: string; staffId?: string; at: number };
}

export interface Appointment {
  id: string;
  serviceId: string;
  slotStart: number;
  slotEnd: number;
  person: PersonRef;
  status: 'booked' | 'checked-in' | 'cancelled';
  ticketId?: string;
  /** Imported from the platform: keyed hashes (the agents' ID hash key) the kiosk checks in by, and the masked phone. */
  phoneHash?: string;
  phoneMasked?: string;
  codeHash?: string;
}

export interface Rating {
  id: string;
  ticketId: string;
  number: string;
  serviceId: string;
  window: number;
  staffId?: string;
  grade: Grade;
  at: number;
  /** Where the citizen rated: the window's keypad (absent on older ratings) or the off-site link sent by SMS (§6.6.1.1). */
  channel?: 'keypad' | 'offsite';
  /** The citizen's optional words on the off-site rating page (≤ 200 characters). */
  comment?: string;
  /** Every bad rating gets a follow-up (Songjiang §6.6.1.3): open until replied (closed), then at most one determination. */
  followUp?: FollowUp;
}

/** One follow-up record: what was done, when, by whom (the signed-in staff member; absent from the CLI). */
export interface FollowUpRecord {
  note: string;
  at: number;
  staffId?: string;
}

/**
 * 回复 (reply) closes the follow-up; where the complaint is found objective a 整改 (rectification)
 * record follows, or a 不属实认定 (not-true determination) with its reason. `note` and `at` repeat
 * the reply's, as before these records existed.
 */
export interface FollowUp {
  status: 'open' | 'closed';
  note?: string;
  at?: number;
  reply?: FollowUpRecord;
  rectification?: FollowUpRecord;
  untrue?: FollowUpRecord & { reason: string };
}

export type FollowUpKind = 'reply' | 'rectification' | 'untrue';

export type EmergencyKind = 'emergency' | 'evacuation';

/** A raised emergency or evacuation notice (DB22/T 2871.4 §11.6): every screen shows it, the kiosk stops issuing. */
export interface Emergency {
  kind: EmergencyKind;
  /** What the screens show and the voice says (a preset's text, or the manager's own). */
  text: string;
  preset?: string;
  raisedAt: number;
  staffId?: string;
}

/** Interleave position of a pool of windows that share the same tiers. */
export interface InterleaveState {
  cls: 'normal' | 'priority';
  run: number;
}

export interface HallState {
  config: HallConfig | null;
  /** Seq of the last applied event. */
  seq: number;
  /** Local day the numbering belongs to; '' before the first command. */
  day: string;
  /** Last number issued today, per service. */
  counters: Record<string, number>;
  nextQueueKey: number;
  tickets: Record<string, Ticket>;
  windows: Record<string, WindowState>;
  appointments: Record<string, Appointment>;
  ratings: Record<string, Rating>;
  /** The emergency notice in force, if any; it outlives a day rollover until cleared. */
  emergency?: Emergency;
  pools: Record<string, InterleaveState>;
  /** Recent service durations (ms) per service. */
  serviceTimes: Record<string, number[]>;
  /** Outcomes of today's commands, for idempotency (the store keeps all of them). */
  commands: Record<string, Outcome>;
  /** Today's number leases per agent id (island mode, src/core/lease.ts); absent before the first. */
  leases?: Record<string, NumberLease[]>;
}

export function emptyState(): HallState {
  return {
    config: null,
    seq: 0,
    day: '',
    counters: {},
    nextQueueKey: 1,
    tickets: {},
    windows: {},
    appointments: {},
    ratings: {},
    pools: {},
    serviceTimes: {},
    commands: {},
  };
}
