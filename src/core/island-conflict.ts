import { issuedWithPriority, withoutBirthDate } from './age-priority.js';
import type { Command } from './commands.js';
import type { HallEvent, IslandConflictKind } from './events.js';
import type { Outcome } from './outcome.js';
import { own } from './own.js';
import type { HallState } from './state.js';

export interface IslandConflict {
  kind: IslandConflictKind;
  ticketId?: string;
  /** For the admin list and the log: numbers and windows only, no personal data. */
  detail: string;
}

/**
 * The written conflict rule of island mode (README "Island mode", docs/ARCHITECTURE.md): when an
 * agent's outbox is replayed, the server's decision stands, and an island action it did not take
 * as the island did is a conflict of one of these kinds:
 * - number-taken: an island ticket's leased number was no longer the agent's or already held by
 *   another ticket; the ticket is issued with the next number of the day (outcome info
 *   'island-renumbered') and staff call the citizen by the printed number's new one;
 * - called-elsewhere: the island called a ticket that, on the server, was already called, served or
 *   finished at another window (the first call to reach the server keeps it);
 * - cancelled: the island called a ticket that was cancelled on the server (the cancel stands);
 * - refused: any other island action the server refused (e.g. completing the call it did not take).
 * `state` is the server's state after the command ran; undefined when the command stood as decided.
 */
export function islandConflictOf(state: HallState, cmd: Command, outcome: Outcome): IslandConflict | undefined {
  if (outcome.ok) {
    if (cmd.type === 'IssueTicket' && outcome.info === 'island-renumbered' && outcome.ticketId) {
      const t = own(state.tickets, outcome.ticketId);
      return { kind: 'number-taken', ticketId: outcome.ticketId, detail: `leased number ${String(cmd.leased?.number ?? '?')} of ${cmd.serviceId} was taken; issued as ${t?.number ?? '?'}` };
    }
    return undefined;
  }
  if (cmd.type === 'CallTicket') {
    const t = own(state.tickets, cmd.ticketId);
    if (t?.status === 'cancelled') return { kind: 'cancelled', ticketId: t.id, detail: `${t.number} called at window ${cmd.window} in island mode was cancelled on the server` };
    if (t && t.window !== undefined && t.window !== cmd.window && t.status !== 'waiting' && t.status !== 'issued') {
      return { kind: 'called-elsewhere', ticketId: t.id, detail: `${t.number} called at window ${cmd.window} in island mode was already called at window ${t.window}` };
    }
  }
  const ticketId = 'ticketId' in cmd ? cmd.ticketId : undefined;
  return { kind: 'refused', ...(ticketId ? { ticketId } : {}), detail: `${cmd.type}${'window' in cmd ? ` at window ${cmd.window}` : ''} refused: ${outcome.code}` };
}

/**
 * What an island action becomes in its agent's outbox: the command as the island decided it, so the
 * server replays what the hall saw and heard, not a new decision. A CallNext is replayed as a
 * CallTicket of the ticket the island called (the server's dispatcher might pick another), or as a
 * Complete when it only finished the window's ticket (nobody left to call); an action the island
 * refused, or one that changed nothing, is not replayed at all. An issue is kept without its card
 * holder's birth date, its priority as the island decided it (age-priority.ts). `events` are what the island decided.
 */
export function replayFormOf(cmd: Command, outcome: Outcome, events: readonly HallEvent[]): Command | undefined {
  if (!outcome.ok) return undefined;
  const source = cmd.source ? { source: cmd.source } : {};
  if (cmd.type === 'CallNext') {
    if (outcome.ticketId) return { id: cmd.id, type: 'CallTicket', window: cmd.window, ticketId: outcome.ticketId, ...source };
    return events.some((e) => e.type === 'ServiceCompleted') ? { id: cmd.id, type: 'Complete', window: cmd.window, ...source } : undefined;
  }
  if (!events.some((e) => e.type !== 'CommandNoop' && e.type !== 'NotificationDue')) return undefined;
  // Kept on disk (the outbox) and mirrored: an issue's birth date goes, the class the island gave stays.
  return withoutBirthDate(cmd, issuedWithPriority(events));
}
