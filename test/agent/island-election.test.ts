import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { electActing, type ElectionStatus } from '../../src/agent/island/election.js';

const status = fc.record(
  {
    online: fc.boolean(),
    island: fc.constantFrom('online' as const, 'island' as const, 'returning' as const),
    role: fc.constantFrom('electing' as const, 'leader' as const, 'follower' as const, 'alone' as const),
  },
  { requiredKeys: ['online'] },
);
const ids = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 6 });

/** The rule as README "Island mode" writes it, computed the long way round as the oracle. */
function oracle(me: string, statuses: Map<string, ElectionStatus>, hall: string[]): string | undefined {
  const alive = hall.filter((id) => {
    const s = id === me ? { online: true, island: 'island', role: statuses.get(me)?.role } : statuses.get(id);
    return s?.online === true && s.island === 'island' && s.role !== 'alone';
  });
  const sorted = [...new Set(alive)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const leaders = sorted.filter((id) => (id === me ? statuses.get(me)?.role : statuses.get(id)?.role) === 'leader');
  return leaders[0] ?? sorted[0];
}

describe('the acting agent of the hall (island mode with the broker up)', () => {
  it('is the lowest id alive in island mode, unless one already acts', () => {
    const st = (online: boolean, island?: ElectionStatus['island'], role?: ElectionStatus['role']): ElectionStatus => ({ online, ...(island ? { island } : {}), ...(role ? { role } : {}) });
    const hall = ['agent-c', 'agent-a', 'agent-b'];
    const me = { id: 'agent-b', eligible: true, role: 'electing' as const };
    expect(electActing(me, new Map([['agent-a', st(true, 'island', 'electing')]]), hall)).toBe('agent-a');
    // agent-a's last will (offline), agent-a not in island mode, agent-a alone: agent-b.
    expect(electActing(me, new Map([['agent-a', st(false, 'island', 'leader')]]), hall)).toBe('agent-b');
    expect(electActing(me, new Map([['agent-a', st(true)]]), hall)).toBe('agent-b');
    expect(electActing(me, new Map([['agent-a', st(true, 'island', 'alone')]]), hall)).toBe('agent-b');
    // A sitting acting agent stays, even when a lower id comes later.
    expect(electActing({ id: 'agent-a', eligible: true, role: 'electing' }, new Map([['agent-c', st(true, 'island', 'leader')]]), hall)).toBe('agent-c');
    // Not an agent of this hall: never a candidate, whatever its status says.
    expect(electActing(me, new Map([['agent-0', st(true, 'island', 'leader')]]), hall)).toBe('agent-b');
  });

  it('is the same on every agent that reads the same statuses (fast-check, against the written rule)', () => {
    fc.assert(
      fc.property(ids, fc.array(status, { minLength: 6, maxLength: 6 }), (hall, list) => {
        const statuses = new Map(hall.map((id, i) => [id, list[i] as ElectionStatus]));
        // Each eligible agent, counting itself by its own status: all elect the same one.
        const eligible = hall.filter((id) => {
          const s = statuses.get(id);
          return s?.online === true && s.island === 'island' && s.role !== 'alone';
        });
        const results = new Set(eligible.map((id) => electActing({ id, eligible: true, role: statuses.get(id)?.role }, statuses, hall)));
        expect(results.size).toBeLessThanOrEqual(1);
        for (const id of eligible) expect(electActing({ id, eligible: true, role: statuses.get(id)?.role }, statuses, hall)).toBe(oracle(id, statuses, hall));
      }),
      { numRuns: 2000 },
    );
  });
});
