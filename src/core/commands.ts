import type { Grade, HallConfig } from './model.js';
import type { Appointment, Delivery, EmergencyKind, FollowUpKind, PersonRef } from './state.js';
import type { IslandConflictKind } from './events.js';

/**
 * A person as the edge hands it to the core: the raw ID number never reaches the core.
 * The edge validates it with residentId.ts, hashes it with a key and masks it.
 */
export interface PersonInput extends PersonRef {
  idValid: boolean;
  /** YYYYMMDD, for the age rule. */
  birthDate?: string;
}

/** Who sent a command: the trust boundary (a staff page can never rate). */
export type Source = 'kiosk' | 'caller-keypad' | 'rating-device' | 'soft-caller' | 'admin' | 'system' | 'offsite-link';

interface Base {
  /** Unique per command; a repeat returns the first answer and changes nothing. */
  id: string;
  source?: Source;
}

export type Command = Base &
  (
    | { type: 'Configure'; config: HallConfig }
    | { type: 'Tick' }
    | {
        type: 'IssueTicket';
        serviceId: string;
        delivery?: Delivery;
        person?: PersonInput;
        phoneMasked?: string;
        /** The keyed hash of the phone its SMS go to (only a kiosk agent may send one: server/auth/policy.ts). */
        phoneHash?: string;
        priority?: boolean;
        /** Island mode: the leased number the agent issued (set from the agent's identity by whoever runs the core, never read off the wire). */
        leased?: { agentId: string; number: number };
        /**
         * `kioskAgent` (here and on CheckIn, PrintConfirmed, PrintFailed): the agent whose kiosk sent the
         * command, set by whoever runs the core from the identity the broker vouches for (the server from
         * the request topic, src/bus/authorize.ts; the island from the forwarding topic or its own id),
         * never read off the wire (the wire schema has no such field). A ticket records it; only that
         * agent may then settle its print.
         */
        kioskAgent?: string;
      }
    | { type: 'PrintConfirmed'; ticketId: string; kioskAgent?: string }
    | { type: 'PrintFailed'; ticketId: string; reason: string; kioskAgent?: string }
    | {
        type: 'CallNext';
        window: number;
        /**
         * The ticket the window was on when the key was pressed (called or being served; null: none), as
         * the keypad's replica showed it. Given, the call is refused (`window-moved-on`) when the window
         * is no longer on it: a press held through a cut link, or a second press made while the first went
         * unanswered, finishes nobody it did not mean to (a caller keypad sends it; staff pages need not).
         */
        after?: string | null;
      }
    | { type: 'CallTicket'; window: number; ticketId: string }
    | { type: 'Recall'; window: number }
    | { type: 'StartService'; window: number }
    | { type: 'Complete'; window: number }
    | { type: 'NoShow'; window: number }
    | { type: 'Transfer'; window: number; toService: string; toWindow?: number }
    | { type: 'Cancel'; ticketId: string; reason: string }
    | { type: 'OpenWindow'; window: number; staffId: string }
    | { type: 'PauseWindow'; window: number; reason: string }
    | { type: 'ResumeWindow'; window: number }
    | { type: 'CloseWindow'; window: number }
    | { type: 'TakeOver'; window: number; staffId: string }
    /** A staff member signed in (HTTP session): attendance, and at a window they become its staff. The server issues it, never a client. */
    | { type: 'SignIn'; staffId: string; window?: number }
    /**
     * The staff member signed out: attendance, and their window closes if it is still theirs. The server
     * issues it, never a client; `endedAt` (epoch ms), when the session ended before the command runs (it
     * expired while the server was down): the attendance record ends then, not at the restart.
     */
    | { type: 'SignOut'; staffId: string; window?: number; endedAt?: number }
    | { type: 'BookAppointment'; appointment: Omit<Appointment, 'status' | 'ticketId'> }
    | { type: 'CancelAppointment'; appointmentId: string }
    | { type: 'ChangeAppointment'; appointmentId: string; serviceId: string; slotStart: number; slotEnd: number }
    | { type: 'CheckIn'; appointmentId?: string; idHash?: string; delivery?: Delivery; phoneMasked?: string; phoneHash?: string; kioskAgent?: string }
    | { type: 'RequestRating'; window: number }
    | { type: 'Rate'; window: number; grade: Grade }
    /** A follow-up record (missing kind = reply); the edge sets staffId from the session, never from a request body. */
    | { type: 'FollowUp'; ratingId: string; note: string; kind?: FollowUpKind; reason?: string; staffId?: string }
    /**
     * 离场评价 (Songjiang §6.6.1.1): the citizen rates a served ticket from the link in the SMS. Source
     * 'offsite-link' only; `expiresAt` (epoch ms) comes from the link's verified token, never from a form.
     */
    | { type: 'RateOffsite'; ticketId: string; grade: Grade; comment?: string; expiresAt: number }
    /** An emergency or evacuation notice with a preset (emergencyPresets) or free text; raised again, it replaces the text. */
    | { type: 'RaiseEmergency'; kind?: EmergencyKind; preset?: string; text?: string; staffId?: string }
    | { type: 'ClearEmergency'; staffId?: string }
    /** The server leases the next `count` numbers of a service to an agent (island mode). Server only. */
    | { type: 'LeaseNumbers'; agentId: string; serviceId: string; count: number }
    /**
     * A kiosk agent gives back numbers of its lease it will never issue (src/core/lease.ts
     * `numbersToReturn`: its reserve beyond its share of what is left of the quota). The agent is
     * `kioskAgent`, set from the identity like an issue's, never read off the wire.
     */
    | { type: 'ReturnNumbers'; serviceId: string; from: number; to: number; kioskAgent?: string }
    /** The server records an island conflict it resolved on return. Server only. */
    | { type: 'NoteIslandConflict'; agentId: string; commandId: string; kind: IslandConflictKind; refTicketId?: string; detail: string }
  );

export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command before it is given its id. */
export type CommandBody = DistributiveOmit<Command, 'id'>;
