import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, emptyState, freeLeased, issuedToday, leasesNeeded, leasesOf, numbersToReturn, quotaRoom, reservedToday, type Command, type HallState } from '../../src/core/index.js';
import { Hall, hallConfig } from './fixtures.js';

/**
 * The daily quota counts tickets, not numbers (README "Daily quota and number leases"; DESIGN §5
 * "quota per day", §7 island mode). The rule: issued + the numbers held free in live leases never pass
 * the cap (min(dailyQuota, 999)); a lease takes only room the quota has left; an online issue is
 * refused only when issued + reserved reach the cap; an island issue from its own reserve always
 * stands; an agent that hears the server gives back its reserve beyond its share of what is left.
 * Promised:
 * - the tickets of the day (on the server, plus island tickets not yet returned) never pass the quota;
 * - an online issue is refused (quota-reached) only when issued + reserved ≥ the quota;
 * - with every agent online and its excess given back, an online issue is refused only when the
 *   quota is used up by tickets (issued = quota);
 * - no number is held by two tickets, and an island ticket keeps its leased number.
 */

const agents = ['k1', 'k2'] as const;
type Agent = (typeof agents)[number];
const policy = { size: 20, lowWater: 5 };

/** An agent as the core sees it: online (follows the server), or cut off with its own outbox. */
interface AgentSide {
  online: boolean;
  /** Numbers it issued in island mode or gave back: never issued by it again (its island file's `used`). */
  used: Set<number>;
  /** Its leases as it last heard them from the server. */
  known: HallState['leases'];
  outbox: Command[];
  n: number;
}

function hallWithQuota(quota: number): Hall {
  const config = hallConfig();
  config.services = config.services.map((s) => (s.id === 'A' ? { ...s, dailyQuota: quota } : s));
  const hall = new Hall(config);
  hall.open(1);
  return hall;
}

const cap = (quota: number) => Math.min(quota, 999);

function refill(hall: Hall): void {
  for (let need = leasesNeeded(hall.state, agents, policy)[0], i = 0; need && i < 50; need = leasesNeeded(hall.state, agents, policy)[0], i++) {
    const r = hall.run({ type: 'LeaseNumbers', ...need });
    expect(r.outcome.ok).toBe(true);
  }
}

function giveBack(hall: Hall, a: Agent, side: AgentSide): void {
  for (const r of numbersToReturn(hall.state, a)) {
    for (let n = r.from; n <= r.to; n++) side.used.add(n);
    expect(hall.run({ type: 'ReturnNumbers', serviceId: r.serviceId, from: r.from, to: r.to, kioskAgent: a }).outcome.ok).toBe(true);
  }
}

/** The agent's next number of its own reserve, by what it knows (cut off: the leases of the moment it went). */
function islandNumber(side: AgentSide, a: Agent): number | undefined {
  for (const l of side.known?.[a] ?? []) {
    if (l.serviceId !== 'A') continue;
    for (let n = l.from; n <= l.to; n++) if (!side.used.has(n)) return n;
  }
  return undefined;
}

function pendingIslandTickets(sides: Record<Agent, AgentSide>): number {
  return agents.reduce((sum, a) => sum + sides[a].outbox.length, 0);
}

const step = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ k: 'online' as const }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('island' as const), agent: fc.constantFrom(...agents) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cut' as const), agent: fc.constantFrom(...agents) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('back' as const), agent: fc.constantFrom(...agents) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'refill' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('returnSome' as const), agent: fc.constantFrom(...agents), from: fc.integer({ min: 1, max: 999 }), len: fc.integer({ min: 1, max: 30 }) }) },
);

describe('daily quota with number leases (property)', () => {
  it('tickets never pass the quota; an online issue is refused only when issued + live reserves reach it; given back, only when tickets do', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constant(999), fc.integer({ min: 990, max: 1200 })), fc.array(step, { maxLength: 120 }), (quota, steps) => {
        const hall = hallWithQuota(quota);
        const side = (): AgentSide => ({ online: true, used: new Set<number>(), known: {}, outbox: [], n: 0 });
        const sides: Record<Agent, AgentSide> = { k1: side(), k2: side() };
        refill(hall);
        for (const s of steps) {
          hall.advance(0.1);
          // What an online agent does after every change it hears: keep its leases, give back its excess.
          for (const a of agents) {
            if (!sides[a].online) continue;
            sides[a].known = structuredClone(hall.state.leases ?? {});
          }
          if (s.k === 'online') {
            const issued = issuedToday(hall.state, 'A');
            const reserved = reservedToday(hall.state, 'A');
            const r = hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
            if (!r.outcome.ok) {
              expect(r.outcome.code).toBe('quota-reached');
              expect(issued + reserved).toBeGreaterThanOrEqual(cap(quota));
              // Every agent online and given back: refused only when the tickets used the quota up.
              if (agents.every((a) => sides[a].online && numbersToReturn(hall.state, a).length === 0)) expect(issued).toBe(cap(quota));
            }
          } else if (s.k === 'island') {
            const side = sides[s.agent];
            if (side.online) continue;
            const n = islandNumber(side, s.agent);
            if (n === undefined) continue;
            side.used.add(n);
            side.outbox.push({ id: `${s.agent}-island-${++side.n}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none', kioskAgent: s.agent, leased: { agentId: s.agent, number: n } });
          } else if (s.k === 'cut') {
            sides[s.agent].online = false;
          } else if (s.k === 'back') {
            const side = sides[s.agent];
            if (side.online) continue;
            for (const cmd of side.outbox.splice(0)) {
              const r = hall.run(cmd);
              // An island ticket from its own reserve stands, with its own number.
              expect(r.outcome).toMatchObject({ ok: true });
              expect(r.outcome.ok && r.outcome.info).not.toBe('island-renumbered');
            }
            side.online = true;
          } else if (s.k === 'refill') {
            refill(hall);
          } else if (sides[s.agent].online) {
            // A range given back by hand (or a repeat): only the agent's own free numbers leave its lease.
            const before = freeLeased(hall.state, s.agent, 'A');
            const to = Math.min(999, s.from + s.len - 1);
            for (let n = s.from; n <= to; n++) sides[s.agent].used.add(n);
            const held = before.some((n) => n >= s.from && n <= to);
            const seq = hall.state.seq;
            const r = hall.run({ type: 'ReturnNumbers', serviceId: 'A', from: s.from, to, kioskAgent: s.agent });
            // None of its own free in the range (made up, another kiosk's, a repeat): refused, and nothing recorded.
            if (held) expect(r.outcome.ok).toBe(true);
            else expect({ outcome: r.outcome, events: r.events.length, seq: hall.state.seq }).toMatchObject({ outcome: { ok: false, code: 'numbers-not-held' }, events: 0, seq });
            expect(freeLeased(hall.state, s.agent, 'A')).toEqual(before.filter((n) => n < s.from || n > to));
          }
          for (const a of agents) if (sides[a].online) giveBack(hall, a, sides[a]);
          // The day never holds more tickets than the quota, nor promises more than it (tickets + reserves).
          expect(issuedToday(hall.state, 'A') + pendingIslandTickets(sides)).toBeLessThanOrEqual(cap(quota));
          expect(issuedToday(hall.state, 'A') + reservedToday(hall.state, 'A')).toBeLessThanOrEqual(cap(quota));
          // Given back, the room online is never 0 while the quota has room.
          if (agents.every((a) => sides[a].online) && issuedToday(hall.state, 'A') < cap(quota)) expect(quotaRoom(hall.state, 'A', cap(quota))).toBeGreaterThan(0);
        }
        for (const a of agents) {
          const side = sides[a];
          for (const cmd of side.outbox.splice(0)) expect(hall.run(cmd).outcome).toMatchObject({ ok: true });
        }
        expect(issuedToday(hall.state, 'A')).toBeLessThanOrEqual(cap(quota));
        const numbers = Object.values(hall.state.tickets).map((t) => t.number);
        expect(new Set(numbers).size).toBe(numbers.length);
        expect(numbers.every((n) => /^A\d{3}$/.test(n))).toBe(true);
        // The log folds to the same leases and counters (NumbersReturned included).
        const replayed = emptyState();
        for (const e of hall.log) apply(replayed, e);
        expect(replayed.leases).toEqual(hall.state.leases);
        expect(replayed.counters).toEqual(hall.state.counters);
      }),
      { numRuns: 200 },
    );
  });
});

describe('daily quota with number leases: the tryout', () => {
  it('quota 999 with a kiosk reserve: every one of the 999 numbers is issued online once the reserve is given back', () => {
    const hall = hallWithQuota(999);
    hall.ok({ type: 'LeaseNumbers', agentId: 'k1', serviceId: 'A', count: 20 });
    const side: AgentSide = { online: true, used: new Set(), known: {}, outbox: [], n: 0 };
    // Numbers skip the leased block: the first online ticket is A021.
    expect(hall.number(hall.issue('A'))).toBe('A021');
    for (let i = 1; i < 999; i++) {
      giveBack(hall, 'k1', side);
      hall.issue('A');
    }
    expect(issuedToday(hall.state, 'A')).toBe(999);
    expect(leasesOf(hall.state, 'k1').length).toBe(0);
    const numbers = Object.values(hall.state.tickets).map((t) => Number(t.number.slice(1)));
    expect(new Set(numbers).size).toBe(999);
    expect(hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
  });

  it('quota 999, the reserve not given back (its kiosk may be issuing from it): online stops at 999 − reserve, the island fills the rest', () => {
    const hall = hallWithQuota(999);
    hall.ok({ type: 'LeaseNumbers', agentId: 'k1', serviceId: 'A', count: 20 });
    for (let i = 0; i < 979; i++) hall.issue('A');
    expect(hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
    for (let n = 1; n <= 20; n++) hall.ok({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', kioskAgent: 'k1', leased: { agentId: 'k1', number: n } });
    expect(issuedToday(hall.state, 'A')).toBe(999);
  });

  it('no room online, but the asking kiosk holds a reserve: its citizen takes one of its numbers (lowest first), not a refusal', () => {
    // The tryout: quota 7, kiosk-2 away holding its reserve, kiosk-1's page refused with its own reserve in hand.
    const hall = hallWithQuota(7);
    hall.ok({ type: 'LeaseNumbers', agentId: 'k1', serviceId: 'A', count: 2 });
    hall.ok({ type: 'LeaseNumbers', agentId: 'k2', serviceId: 'A', count: 2 });
    for (let i = 0; i < 3; i++) hall.issue('A');
    // The room online is used up: a ticket not from a kiosk with a reserve is refused.
    expect(hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
    const numbers = [0, 1].map(() => {
      const r = hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', kioskAgent: 'k1' });
      expect(r.outcome).toMatchObject({ ok: true });
      return hall.number(r.outcome.ok ? String(r.outcome.ticketId) : '');
    });
    expect(numbers).toEqual(['A001', 'A002']);
    expect(freeLeased(hall.state, 'k1', 'A')).toEqual([]);
    // Its reserve used, k1 is refused too; k2's reserve stays k2's (it may be issuing from it).
    expect(hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', kioskAgent: 'k1' }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
    expect(freeLeased(hall.state, 'k2', 'A')).toEqual([3, 4]);
    expect(issuedToday(hall.state, 'A') + reservedToday(hall.state, 'A')).toBe(7);
  });

  it('a quota of 30 with two kiosks asking for reserves of 20: 30 tickets are issued, never 31, and never one refused before', () => {
    const hall = hallWithQuota(30);
    const sides = { k1: { online: true, used: new Set<number>(), known: {}, outbox: [], n: 0 }, k2: { online: true, used: new Set<number>(), known: {}, outbox: [], n: 0 } } satisfies Record<Agent, AgentSide>;
    refill(hall);
    // Each kiosk holds its share of what is left (30 ÷ 3), not 20: a third stays for issuing online.
    expect(freeLeased(hall.state, 'k1', 'A').length).toBe(10);
    expect(freeLeased(hall.state, 'k2', 'A').length).toBe(10);
    expect(quotaRoom(hall.state, 'A', 30)).toBe(10);
    for (let i = 0; i < 30; i++) {
      hall.issue('A');
      for (const a of agents) giveBack(hall, a, sides[a]);
      refill(hall);
      expect(issuedToday(hall.state, 'A') + reservedToday(hall.state, 'A')).toBeLessThanOrEqual(30);
    }
    expect(issuedToday(hall.state, 'A')).toBe(30);
    expect(hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
  });

  it('a quota of 30, one kiosk cut off issuing its whole reserve: online stops while the reserves fill the rest, and the day ends at 30', () => {
    const hall = hallWithQuota(30);
    refill(hall);
    const k1 = freeLeased(hall.state, 'k1', 'A');
    const sides: Record<Agent, AgentSide> = { k1: { online: false, used: new Set<number>(), known: {}, outbox: [], n: 0 }, k2: { online: true, used: new Set<number>(), known: {}, outbox: [], n: 0 } };
    let online = 0;
    for (let i = 0; i < 40; i++) {
      const issued = issuedToday(hall.state, 'A');
      const reserved = reservedToday(hall.state, 'A');
      const r = hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
      if (r.outcome.ok) online += 1;
      else expect(issued + reserved).toBe(30);
      giveBack(hall, 'k2', sides.k2);
    }
    // k2, online, keeps only its share of what is left (30 − 15) ÷ 3; k1's 10 are its own to issue.
    expect(online).toBe(15);
    expect(freeLeased(hall.state, 'k2', 'A').length).toBe(5);
    // k1 returns its island's 10 tickets: each keeps its number.
    for (const n of k1) expect(hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', kioskAgent: 'k1', leased: { agentId: 'k1', number: n } }).outcome).toMatchObject({ ok: true, ticketId: expect.stringMatching(new RegExp(`-A${String(n).padStart(3, '0')}$`)) as unknown });
    // Both online: the shares shrink as tickets come, online issues take the rest, and the day ends at 30.
    sides.k1.online = true;
    for (let i = 0; i < 10; i++) {
      for (const a of agents) giveBack(hall, a, sides[a]);
      if (hall.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }).outcome.ok) online += 1;
    }
    expect(online).toBe(20);
    expect(issuedToday(hall.state, 'A')).toBe(30);
  });
});
