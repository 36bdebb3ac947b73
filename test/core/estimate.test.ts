import { describe, expect, it } from 'vitest';
import { estimatedWaits, positions, ticketView, waitMinutes } from '../../src/core/index.js';
import { Hall, hallConfig } from './fixtures.js';

/**
 * The wait estimate on constructed states against hand-computed values. Service A's prior mean is
 * 6 min, B's 8 min (no service time seen yet, so the priors are the means).
 */
const min = 60_000;

describe('estimated wait', () => {
  it('pooled windows, all busy: the ticket at position p waits p × m / c (not p − 1), so position 2 never shows 0 minutes', () => {
    const h = new Hall(hallConfig({ windows: [1, 2, 3].map((id) => ({ id, kind: 'general' as const, tiers: [['A']] })) }));
    for (const w of [1, 2, 3]) h.open(w);
    for (let i = 0; i < 3; i++) h.issue('A');
    for (const w of [1, 2, 3]) h.callNext(w); // every window busy with an A ticket
    const waiting = [1, 2, 3, 4, 5].map(() => h.issue('A'));
    const est = estimatedWaits(h.state, h.now);
    const pos = positions(h.state, h.now);
    // k = p completions of 3 windows at 1/6 per minute each: k × 6 / 3 = 2k minutes
    expect(waiting.map((id) => pos.get(id)?.position)).toEqual([1, 2, 3, 4, 5]);
    expect(waiting.map((id) => est.get(id))).toEqual([2, 4, 6, 8, 10].map((m) => m * min));
    expect(ticketView(h.state, waiting[1]!, h.now)?.estimatedWaitMinutes).toBe(4);
  });

  it('free windows call at once: k = p − f completions after that', () => {
    const h = new Hall(hallConfig({ windows: [1, 2, 3].map((id) => ({ id, kind: 'general' as const, tiers: [['A']] })) }));
    for (const w of [1, 2, 3]) h.open(w);
    h.issue('A');
    h.callNext(1); // window 1 busy; 2 and 3 free
    const waiting = [1, 2, 3, 4].map(() => h.issue('A'));
    const est = estimatedWaits(h.state, h.now);
    // tickets 1 and 2 go to the free windows now; then all 3 busy: ticket 3 needs 1 completion (2 min), ticket 4 two (4 min)
    expect(waiting.map((id) => est.get(id))).toEqual([0, 0, 2 * min, 4 * min]);
    expect(waiting.map((id) => ticketView(h.state, id, h.now)?.estimatedWaitMinutes)).toEqual([0, 0, 2, 4]);
  });

  it('tier-aware: a window that serves the service at a lower tier takes its tickets only after its own, and a window that cannot serve it does not count', () => {
    // window 1: A and B in one tier; window 3: B first, then A; window 4: C only (open and idle)
    const h = new Hall();
    for (const w of [1, 3, 4]) h.open(w);
    h.issue('A');
    h.issue('A');
    h.callNext(1);
    h.callNext(3); // both busy with A tickets: rate 1/6 per minute each
    const a1 = h.issue('A');
    h.advance(1);
    const b1 = h.issue('B');
    // window 1 calls a1 then b1; window 3 calls b1 first (its tier 0; a1 has waited 1 min, less than
    // θ = 0.25 × 8 min more). Completions every 1 / (2/6) = 3 min. The first (credits tie) goes to
    // window 1, which takes a1 at 3 min; the second to window 3, which takes b1 at 6 min.
    const est = estimatedWaits(h.state, h.now);
    expect(est.get(a1)).toBe(3 * min);
    expect(est.get(b1)).toBe(6 * min);
    // with all three windows counted (the old rule) A would be shared by 3 windows
    expect(positions(h.state, h.now).get(a1)?.openWindows).toEqual([1, 3]);
  });

  it('uses the recent service times once there are some', () => {
    const h = new Hall(hallConfig({ windows: [{ id: 1, kind: 'general', tiers: [['A']] }] }));
    h.open(1);
    h.issue('A');
    h.callNext(1);
    h.advance(2);
    h.issue('A');
    h.callNext(1); // the first took 2 minutes: A's mean is now 2 min
    const t = h.issue('A');
    expect(estimatedWaits(h.state, h.now).get(t)).toBe(2 * min);
  });

  it('gives no estimate when no open window can call the ticket', () => {
    const h = new Hall();
    h.open(1);
    const c = h.issue('C', { person: { idHash: 'x', idMasked: 'x', idValid: true } });
    expect(estimatedWaits(h.state, h.now).has(c)).toBe(false);
    expect(ticketView(h.state, c, h.now)?.estimatedWaitMinutes).toBeUndefined();
  });

  it('shows whole minutes, 0 only when the estimate is 0', () => {
    expect([0, 1, 20_000, 60_000, 89_999, 90_000].map(waitMinutes)).toEqual([0, 1, 1, 1, 1, 2]);
  });
});
