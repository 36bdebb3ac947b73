import { describe, expect, it } from 'vitest';
import { ticketAtWindow } from '../../src/core/index.js';
import { Hall } from './fixtures.js';

/**
 * A caller keypad's press is "next after the one I see" (CallNext `after`): once the window has moved
 * on, a press held through a cut link or made twice while the first went unanswered is refused
 * (`window-moved-on`) and nobody is finished unserved. Without `after` (the staff page) it calls as before.
 */
describe('CallNext after the ticket the keypad showed', () => {
  it('calls when the window is still on that ticket, and refuses a second press made on the same view', () => {
    const h = new Hall();
    h.open(1);
    const [a, b, c] = [h.issue('A'), h.issue('A'), h.issue('A')];
    expect(ticketAtWindow(h.state, 1)).toBeNull();
    // Nothing on the window yet: `after: null` calls the first.
    expect(h.run({ type: 'CallNext', window: 1, after: null }).outcome).toMatchObject({ ok: true, ticketId: a });
    expect(ticketAtWindow(h.state, 1)).toBe(a);
    // Two presses seen on A: the first finishes A and calls B; the second is refused, B is not touched.
    expect(h.run({ type: 'CallNext', window: 1, after: a }).outcome).toMatchObject({ ok: true, ticketId: b });
    const second = h.run({ type: 'CallNext', window: 1, after: a });
    expect(second.outcome).toMatchObject({ ok: false, code: 'window-moved-on' });
    // Only the refusal is recorded: no ticket finished or called.
    expect(second.events.map((e) => e.type)).toEqual(['CommandRejected']);
    expect(h.state.tickets[b]?.status).toBe('called');
    expect(h.state.tickets[c]?.status).toBe('waiting');
    // A press made on nothing while the window is on B: refused as well.
    expect(h.run({ type: 'CallNext', window: 1, after: null }).outcome).toMatchObject({ ok: false, code: 'window-moved-on' });
    // Without `after` (a staff page): as before, B finished and C called.
    expect(h.run({ type: 'CallNext', window: 1 }).outcome).toMatchObject({ ok: true, ticketId: c });
    expect(h.state.tickets[b]?.status).toBe('done');
  });
});
