import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  execute,
  freeLeased,
  islandConflictOf,
  leasesNeeded,
  replayFormOf,
  type Command,
  type HallState,
  type IslandConflict,
  type Outcome,
} from '../../src/core/index.js';
import { Hall, type DistributiveOmit } from './fixtures.js';

/**
 * Island mode's number and conflict rules on the real core: a server state, two agents that split
 * off with copies of it (the replicas they hold when the server goes), act alone on them, and
 * replay their outboxes on the server's return.
 */

const agents = ['k1', 'k2'] as const;
type Agent = (typeof agents)[number];

const service = fc.constantFrom('A' as const, 'B' as const);
const agent = fc.constantFrom(...agents);
const window = fc.constantFrom(1 as const, 2 as const);
const before = fc.array(
  fc.oneof(
    fc.record({ k: fc.constant('serverIssue' as const), service }),
    fc.record({ k: fc.constant('lease' as const), agent, service, count: fc.integer({ min: 1, max: 12 }) }),
    fc.constant({ k: 'refill' as const }),
  ),
  { maxLength: 25 },
);
const during = fc.array(
  fc.oneof(
    fc.record({ k: fc.constant('islandIssue' as const), agent, service }),
    fc.record({ k: fc.constant('islandCall' as const), agent, window }),
    fc.record({ k: fc.constant('islandCallTicket' as const), agent, window, pick: fc.nat() }),
    fc.record({ k: fc.constant('islandComplete' as const), agent, window }),
    fc.record({ k: fc.constant('serverIssue' as const), service }),
    fc.record({ k: fc.constant('serverCancel' as const), pick: fc.nat() }),
  ),
  { maxLength: 40 },
);

interface Island {
  state: HallState;
  outbox: Command[];
  n: number;
}

function islandRun(agentId: Agent, island: Island, body: DistributiveOmit<Command, 'id'>, at: number): Outcome {
  const cmd = { ...body, id: `island-${agentId}-${++island.n}` } as Command;
  const r = execute(island.state, cmd, at);
  const replay = replayFormOf(cmd, r.outcome, r.events);
  if (replay) island.outbox.push(replay);
  return r.outcome;
}

function numbersOf(state: HallState): string[] {
  return Object.values(state.tickets).map((t) => t.number);
}

describe('island mode: number leases and the conflict rule (property)', () => {
  it('leased numbers are never issued by the server, an island issues each once, and a replay keeps them', () => {
    fc.assert(
      fc.property(before, during, (pre, acts) => {
        const hall = new Hall();
        hall.open(1);
        hall.open(2);
        const leased = (s: HallState, a: Agent, svc: string) => freeLeased(s, a, svc).length;
        for (const a of pre) {
          if (a.k === 'serverIssue') hall.run({ type: 'IssueTicket', serviceId: a.service, delivery: 'none' });
          else if (a.k === 'lease') hall.ok({ type: 'LeaseNumbers', agentId: a.agent, serviceId: a.service, count: a.count });
          else {
            // One block at a time: each lease moves the counter the next one starts from.
            for (let need = leasesNeeded(hall.state, agents, { size: 5, lowWater: 2 })[0]; need; need = leasesNeeded(hall.state, agents, { size: 5, lowWater: 2 })[0]) {
              hall.ok({ type: 'LeaseNumbers', ...need });
            }
            for (const a of agents) for (const s of ['A', 'B']) expect(leased(hall.state, a, s)).toBeGreaterThanOrEqual(2);
          }
        }
        // The server never issued a leased number itself.
        for (const t of Object.values(hall.state.tickets)) {
          const n = Number(t.number.slice(-3));
          for (const list of Object.values(hall.state.leases ?? {})) expect(list.some((l) => l.serviceId === t.serviceId && n >= l.from && n <= l.to)).toBe(false);
        }
        const islands = Object.fromEntries(agents.map((a) => [a, { state: structuredClone(hall.state), outbox: [], n: 0 } as Island])) as Record<Agent, Island>;
        const islandNumbers: string[] = [];
        for (const a of acts) {
          hall.advance(1);
          const at = hall.now;
          if (a.k === 'serverIssue') hall.run({ type: 'IssueTicket', serviceId: a.service, delivery: 'none' });
          else if (a.k === 'serverCancel') {
            const open = Object.values(hall.state.tickets).filter((t) => t.status === 'waiting');
            const t = open[a.pick % Math.max(1, open.length)];
            if (t) hall.run({ type: 'Cancel', ticketId: t.id, reason: 'desk' });
          } else {
            const isl = islands[a.agent];
            if (a.k === 'islandIssue') {
              const free = freeLeased(isl.state, a.agent, a.service);
              const before = leased(isl.state, a.agent, a.service);
              if (free[0] === undefined) continue;
              const o = islandRun(a.agent, isl, { type: 'IssueTicket', serviceId: a.service, delivery: 'none', leased: { agentId: a.agent, number: free[0] } }, at);
              expect(o.ok).toBe(true);
              if (o.ok && o.ticketId) islandNumbers.push(`${a.agent}:${isl.state.tickets[o.ticketId]?.number ?? ''}`);
              expect(leased(isl.state, a.agent, a.service)).toBe(before - 1);
            } else if (a.k === 'islandCall') islandRun(a.agent, isl, { type: 'CallNext', window: a.window }, at);
            else if (a.k === 'islandComplete') islandRun(a.agent, isl, { type: 'Complete', window: a.window }, at);
            else {
              const waiting = Object.values(isl.state.tickets).filter((t) => t.status === 'waiting');
              const t = waiting[a.pick % Math.max(1, waiting.length)];
              if (t) islandRun(a.agent, isl, { type: 'CallTicket', window: a.window, ticketId: t.id }, at);
            }
          }
        }
        // No island issued a number twice, and none issued a number of the other's block.
        expect(new Set(islandNumbers.map((x) => x.split(':')[1])).size).toBe(islandNumbers.length);
        // Return: each outbox in order (k1 first, then k2); the server's decision stands.
        const conflicts: IslandConflict[] = [];
        for (const a of agents) {
          for (const cmd of islands[a].outbox) {
            hall.advance(0.1);
            const r = hall.run(cmd);
            const c = islandConflictOf(hall.state, cmd, r.outcome);
            if (c) conflicts.push(c);
            if (cmd.type === 'IssueTicket') {
              // Leases are the agent's own: an island ticket keeps its number.
              expect(r.outcome).toMatchObject({ ok: true });
              expect(r.outcome.ok && r.outcome.info).not.toBe('island-renumbered');
            }
          }
        }
        // No number twice on the server; every island number is there once.
        const numbers = numbersOf(hall.state);
        expect(new Set(numbers).size).toBe(numbers.length);
        for (const x of islandNumbers) expect(numbers).toContain(x.split(':')[1]);
        // No ticket is at two windows.
        const current = Object.values(hall.state.windows).flatMap((w) => (w.current ? [w.current] : []));
        expect(new Set(current).size).toBe(current.length);
        // A replayed call the server refused is named by the rule: called elsewhere, cancelled, or refused.
        expect(conflicts.every((c) => ['called-elsewhere', 'cancelled', 'refused'].includes(c.kind))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('the same ticket called at two islands: the first replay keeps the call, the second is called-elsewhere', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.boolean(), (waiting, cancelFirst) => {
        const hall = new Hall();
        hall.open(1);
        hall.open(2);
        for (let i = 0; i < waiting; i++) hall.issue('A');
        const a: Island = { state: structuredClone(hall.state), outbox: [], n: 0 };
        const b: Island = { state: structuredClone(hall.state), outbox: [], n: 0 };
        hall.advance(1);
        const first = islandRun('k1', a, { type: 'CallNext', window: 1 }, hall.now);
        islandRun('k2', b, { type: 'CallNext', window: 2 }, hall.now);
        expect(first.ok && first.ticketId).toBeTruthy();
        const tid = first.ok ? (first.ticketId ?? '') : '';
        if (cancelFirst) hall.ok({ type: 'Cancel', ticketId: tid, reason: 'desk' });
        const kinds: string[] = [];
        for (const cmd of [...a.outbox, ...b.outbox]) {
          const r = hall.run(cmd);
          const c = islandConflictOf(hall.state, cmd, r.outcome);
          if (c) kinds.push(c.kind);
        }
        // Both islands called the oldest ticket; on the server one call (or the cancel) stands.
        expect(kinds).toEqual(cancelFirst ? ['cancelled', 'cancelled'] : ['called-elsewhere']);
        const t = hall.state.tickets[tid];
        expect(t?.status).toBe(cancelFirst ? 'cancelled' : 'called');
        if (!cancelFirst) expect(t?.window).toBe(1);
      }),
      { numRuns: 30 },
    );
  });

  it('a leased number already held elsewhere is renumbered with the next number of the day, never given twice', () => {
    const hall = new Hall();
    hall.ok({ type: 'LeaseNumbers', agentId: 'k1', serviceId: 'A', count: 3 });
    const isl: Island = { state: structuredClone(hall.state), outbox: [], n: 0 };
    islandRun('k1', isl, { type: 'IssueTicket', serviceId: 'A', delivery: 'none', leased: { agentId: 'k1', number: 1 } }, hall.now);
    // The same number claimed by another agent (not its lease): the server gives the next number.
    const stolen: Command = { id: 'x1', type: 'IssueTicket', serviceId: 'A', delivery: 'none', leased: { agentId: 'k2', number: 1 } };
    const r0 = hall.run(isl.outbox[0] as Command);
    const r1 = hall.run(stolen);
    expect(r0.outcome).toMatchObject({ ok: true });
    expect(r1.outcome).toMatchObject({ ok: true, info: 'island-renumbered' });
    expect(islandConflictOf(hall.state, stolen, r1.outcome)).toMatchObject({ kind: 'number-taken' });
    expect(numbersOf(hall.state).sort()).toEqual(['A001', 'A004']);
  });
});
