import { describe, expect, it } from 'vitest';
import { replayFormOf, withoutBirthDate, type Command, type TicketClass } from '../../src/core/index.js';
import { Hall } from './fixtures.js';

/** A card holder as the kiosk's card reader hands them over (bus/person.ts), born on `birthDate`. */
const card = (idHash: string, birthDate: string) => ({ idHash, idMasked: '1101**********002X', nameMasked: '张*华', idValid: true, birthDate });
const issue = (id: string, birthDate: string): Command => ({ id, type: 'IssueTicket', serviceId: 'A', delivery: 'none', source: 'kiosk', person: card(`hash-${id}`, birthDate) });

const classOf = (hall: Hall, cmd: Command): TicketClass | undefined => {
  const r = hall.run(cmd);
  return r.outcome.ok && r.outcome.ticketId ? hall.state.tickets[r.outcome.ticketId]?.class : undefined;
};

describe('an issue kept on disk without its birth date (age-priority.ts)', () => {
  // Monday 2026-11-23, priorityAge 70: 70 today is priority, 70 tomorrow is not.
  const births = { seventyToday: '19561123', seventyTomorrow: '19561124', young: '19900307' };

  it('an island issue is kept (outbox, mirror) without the birth date and decides the same class when the server replays it', () => {
    const island = new Hall();
    const server = new Hall();
    for (const [who, birthDate] of Object.entries(births)) {
      const cmd = issue(who, birthDate);
      const r = island.run(cmd);
      const replay = replayFormOf(cmd, r.outcome, r.events);
      expect(JSON.stringify(replay)).not.toContain(birthDate);
      expect(JSON.stringify(replay)).not.toContain('birthDate');
      const decided = r.outcome.ok && r.outcome.ticketId ? island.state.tickets[r.outcome.ticketId]?.class : undefined;
      expect([who, replay && classOf(server, replay)]).toEqual([who, decided]);
    }
    expect(Object.values(island.state.tickets).map((t) => t.class)).toEqual(['priority', 'normal', 'normal']);
  });

  it('keeps the age rule\'s answer as priority, and leaves commands without a birth date as they are', () => {
    const elderly = issue('e', births.seventyToday);
    expect(withoutBirthDate(elderly, true)).toEqual({ ...elderly, person: { idHash: 'hash-e', idMasked: '1101**********002X', nameMasked: '张*华', idValid: true }, priority: true });
    expect(withoutBirthDate(issue('y', births.young), false)).not.toHaveProperty('priority');
    const asked: Command = { id: 'p', type: 'IssueTicket', serviceId: 'A', priority: true };
    expect(withoutBirthDate(asked, false)).toBe(asked);
    const call: Command = { id: 'c', type: 'CallNext', window: 1 };
    expect(withoutBirthDate(call, true)).toBe(call);
  });
});
