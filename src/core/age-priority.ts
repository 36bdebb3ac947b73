import type { Command } from './commands.js';
import type { HallEvent } from './events.js';
import type { HallConfig } from './model.js';
import { ageOn } from './time.js';

/** Whether the hall's age rule (policy.priorityAge; null: none) serves a holder of `birthDate` (YYYYMMDD) with priority on `day` (YYYY-MM-DD). */
export function agePriority(config: HallConfig, birthDate: string, day: string): boolean {
  const { priorityAge } = config.policy;
  return priorityAge !== null && ageOn(birthDate, day) >= priorityAge;
}

/**
 * A command as an agent may keep it on disk (the kiosk's print journal, an island outbox): an issue's
 * birth date is dropped, since beside the masked ID (only its 8 birth-date digits and 2 more hidden)
 * and the keyed hash whose key is on the same box it gives the whole ID number back. The one thing it
 * is carried for, the age rule's answer, is kept as `priority: true`, so the issue sent again decides
 * the same class (decideIssue: `priority` or the age rule). Any other command is returned as it is.
 */
export function withoutBirthDate(cmd: Command, byAge: boolean): Command {
  if (cmd.type !== 'IssueTicket' || cmd.person?.birthDate === undefined) return cmd;
  const { birthDate: _birthDate, ...person } = cmd.person;
  return { ...cmd, person, ...(byAge ? { priority: true } : {}) };
}

/** The issue `events` decided made a priority ticket (the age rule's answer, or the command's own `priority`). */
export function issuedWithPriority(events: readonly HallEvent[]): boolean {
  return events.some((e) => e.type === 'TicketIssued' && e.ticket.class === 'priority');
}
