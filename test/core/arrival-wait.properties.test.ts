import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivalWaitMs, estimatedWaits, waitMinutes } from '../../src/core/index.js';
import { Hall, hallConfig } from './fixtures.js';

/**
 * The city's /nearby estimates a ticket taken now from counts alone (arrivalWaitMs); the hall runs its
 * dispatcher forward (estimatedWaits). In a pooled hall of one service, where both should agree, the
 * count formula is checked against the dry run for the ticket actually taken: c windows open, b of them
 * busy, n waiting ahead. Service A's prior mean is 6 min (tests' fixture hall, no service time seen).
 */
const MEAN_MS = 6 * 60_000;

describe('arrivalWaitMs, the wait of a ticket taken now from counts', () => {
  it('equals the hall dry run for the next ticket, in a pooled hall of one service', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.nat({ max: 6 }), fc.nat({ max: 12 }), (c, b0, n0) => {
        const busy = Math.min(b0, c);
        // Tickets wait only while every window is busy (a free window calls them): so no one waits with a window free.
        const n = busy < c ? 0 : n0;
        const windows = Array.from({ length: c }, (_, i) => i + 1);
        const h = new Hall(hallConfig({ windows: windows.map((id) => ({ id, kind: 'general' as const, tiers: [['A']] })) }));
        for (const w of windows) h.open(w);
        for (let i = 0; i < busy; i++) h.issue('A');
        for (let i = 0; i < busy; i++) h.callNext(windows[i] as number);
        for (let i = 0; i < n; i++) h.issue('A');
        const mine = h.issue('A');
        const hall = estimatedWaits(h.state, h.now).get(mine);
        const counts = arrivalWaitMs({ waiting: n, openWindows: c, freeWindows: c - busy, meanServiceMs: MEAN_MS });
        expect(counts).toBe(hall);
        expect(waitMinutes(counts ?? NaN)).toBe(waitMinutes(hall ?? NaN));
      }),
      { numRuns: 200 },
    );
  });

  it('a wrong formula is told apart: position p waits p completions, not p − 1; no window open has no estimate', () => {
    // All 2 windows busy, 3 waiting ahead: the new ticket is 4th, waits 4 × 6 / 2 = 12 min (p − 1 would say 9).
    expect(arrivalWaitMs({ waiting: 3, openWindows: 2, freeWindows: 0, meanServiceMs: MEAN_MS })).toBe(12 * 60_000);
    // A window free and nobody waiting: called at once.
    expect(arrivalWaitMs({ waiting: 0, openWindows: 2, freeWindows: 1, meanServiceMs: MEAN_MS })).toBe(0);
    expect(arrivalWaitMs({ waiting: 5, openWindows: 0, freeWindows: 0, meanServiceMs: MEAN_MS })).toBeUndefined();
  });
});
