import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canServe, tierOf, waitingTickets, type HallConfig, type Ticket, type WindowDef } from '../../src/core/index.js';
import { Hall, hallConfig, monday } from './fixtures.js';

/**
 * The dispatcher's invariants over random days: before each call the eligible waiting tickets are
 * taken from the state, and the call is checked against them (an oracle that does not use the
 * dispatcher's code).
 */

const windows: WindowDef[] = [
  { id: 1, kind: 'general', tiers: [['A', 'B']] },
  { id: 2, kind: 'domain', tiers: [['A'], ['B'], ['C']] },
  { id: 3, kind: 'domain', tiers: [['B'], ['A']] },
  { id: 4, kind: 'special', tiers: [['C'], ['A']] },
];

type Act = { k: 'issue'; service: string; priority: boolean } | { k: 'call' | 'noshow' | 'pause' | 'resume'; window: number } | { k: 'advance'; minutes: number };

const act: fc.Arbitrary<Act> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('issue' as const), service: fc.constantFrom('A', 'B', 'C'), priority: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('call' as const), window: fc.constantFrom(1, 2, 3, 4) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('noshow' as const, 'pause' as const, 'resume' as const), window: fc.constantFrom(1, 2, 3, 4) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('advance' as const), minutes: fc.integer({ min: 0, max: 20 }) }) },
);

const oldest = (a: Ticket, b: Ticket) => a.queuedAt - b.queuedAt || a.queueKey - b.queueKey;
const oldestIssued = (a: Ticket, b: Ticket) => a.issuedAt - b.issuedAt || a.queueKey - b.queueKey;

function runDay(config: HallConfig, acts: Act[], onCall: (h: Hall, win: WindowDef, before: Ticket[], called: Ticket, reason: string | null, times: Record<string, number[]>) => void): void {
  const h = new Hall(config, monday('09:00'));
  for (const w of config.windows) h.open(w.id);
  let person = 0;
  for (const a of acts) {
    if (a.k === 'advance') h.advance(a.minutes);
    else if (a.k === 'issue') h.run({ type: 'IssueTicket', serviceId: a.service, delivery: 'none', ...(a.priority ? { priority: true } : {}), person: { idHash: `p${++person}`, idMasked: 'x', idValid: true } });
    else if (a.k === 'call') {
      const win = config.windows.find((w) => w.id === a.window)!;
      const before = waitingTickets(h.state).filter((t) => canServe(win, t)).map((t) => ({ ...t }));
      const times = structuredClone(h.state.serviceTimes); // what the dispatcher sees: the call's own completion comes after
      const r = h.run({ type: 'CallNext', window: a.window });
      const id = r.outcome.ok ? r.outcome.ticketId : undefined;
      const called = r.events.find((e) => e.type === 'TicketCalled');
      if (id && called?.type === 'TicketCalled') onCall(h, win, before, before.find((t) => t.id === id)!, called.reason, times);
      else if (r.outcome.ok) expect(before).toEqual([]); // nothing called only when nothing it may call waits
    } else if (a.k === 'noshow') h.run({ type: 'NoShow', window: a.window });
    else if (a.k === 'pause') h.run({ type: 'PauseWindow', window: a.window, reason: 'break' });
    else h.run({ type: 'ResumeWindow', window: a.window });
  }
}

describe('dispatcher invariants over random days', () => {
  it('never calls a service the window cannot serve; aged tickets first, oldest first (no starvation); every out-of-order call has a reason; the tier rule holds', () => {
    const config = hallConfig({ windows, policy: { agingMinutes: 30, tierSlack: 0.5 } });
    fc.assert(
      fc.property(fc.array(act, { minLength: 10, maxLength: 80 }), (acts) => {
        runDay(config, acts, (h, win, before, called, reason, times) => {
          expect(called).toBeDefined();
          expect(tierOf(win, called.serviceId)).toBeGreaterThanOrEqual(0);
          const now = h.now;
          const aged = before.filter((t) => now - t.queuedAt >= 30 * 60_000).sort(oldest);
          if (aged.length > 0) expect(called.id).toBe(aged[0]!.id);
          const first = [...before].sort(oldestIssued)[0]!;
          if (first.id !== called.id) expect(reason).not.toBeNull();
          if (aged.length === 0) {
            // Tier rule: no other tier's longest wait, less θ per tier, beats the called tier's.
            // θ = 0.5 × the mean service time of the window's tier-0 services: the recent ones, else the prior
            const prior: Record<string, number> = { A: 6, B: 8, C: 15 };
            const meanOf = (s: string) => {
              const xs = times[s] ?? [];
              return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : prior[s]! * 60_000;
            };
            const theta = (k: number) => 0.5 * (win.tiers[0]!.reduce((a, s) => a + meanOf(s), 0) / win.tiers[0]!.length) * k;
            const claim = (k: number) => {
              const inTier = before.filter((t) => tierOf(win, t.serviceId) === k);
              return inTier.length === 0 ? -Infinity : Math.max(...inTier.map((t) => now - t.queuedAt)) - theta(k);
            };
            const mine = tierOf(win, called.serviceId);
            for (let k = 0; k < win.tiers.length; k++) {
              if (k < mine) expect(claim(k)).toBeLessThanOrEqual(claim(mine)); // (a tie goes to the better tier, up to rounding of θ)
              if (k > mine) expect(claim(k)).toBeLessThanOrEqual(claim(mine));
            }
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('strict priority (interleave.normal 0): a normal ticket is called only when no priority ticket of its tier waits for that window (aging aside)', () => {
    const config = hallConfig({ windows, policy: { agingMinutes: 40, interleave: { normal: 0, priority: 1 } } });
    let normalCalls = 0;
    fc.assert(
      fc.property(fc.array(act, { minLength: 10, maxLength: 80 }), (acts) => {
        runDay(config, acts, (h, win, before, called) => {
          const aged = before.some((t) => h.now - t.queuedAt >= 40 * 60_000);
          if (aged || called.class !== 'normal') return;
          normalCalls++;
          const tier = tierOf(win, called.serviceId);
          expect(before.filter((t) => t.class === 'priority' && tierOf(win, t.serviceId) === tier)).toEqual([]);
        });
      }),
      { numRuns: 150 },
    );
    expect(normalCalls).toBeGreaterThan(50);
  });
});
