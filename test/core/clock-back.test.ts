import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hall, hallConfig, monday } from './fixtures.js';

/**
 * The local day only moves forward (the fourth tryout of the nineteenth session: utcOffsetMinutes set so
 * that the hall's time went from 01:46 back to 23:58 of the day before; a clock stepped back by NTP or a
 * wrong RTC takes the same path). The day started again expired every waiting ticket, and at the next
 * midnight A001 was issued a second time under the same ticket id: its status link showed the new
 * citizen, its SMS row was already taken, and the reports lost the first day's tickets.
 */
describe('the clock going back over midnight', () => {
  it('keeps the hall in its day: nothing expires, numbers go on, and the next day starts once', () => {
    const h = new Hall(hallConfig(), monday('09:00', '2026-11-24'));
    h.open(1);
    const first = h.issue('A');
    const second = h.issue('A');
    expect(h.state.day).toBe('2026-11-24');
    // Back to 16:50 of the day before (within that Monday's hours).
    const r = h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('16:20', '2026-11-23'));
    expect(r.outcome).toMatchObject({ ok: true });
    expect(h.events('DayStarted').map((e) => e.day)).toEqual(['2026-11-24']);
    expect(h.state.day).toBe('2026-11-24');
    expect(h.state.tickets[first]?.status).toBe('waiting');
    const third = r.outcome.ok ? String(r.outcome.ticketId) : '';
    expect([first, second, third].map((id) => h.number(id))).toEqual(['A001', 'A002', 'A003']);
    expect(new Set([first, second, third]).size).toBe(3);
    // A tick back there starts no day either.
    h.run({ type: 'Tick' }, monday('23:58', '2026-11-23'));
    expect(h.events('DayStarted')).toHaveLength(1);
    // The next real day starts once, and its numbers begin again under that day's ids.
    const next = h.ok({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('09:00', '2026-11-25'));
    expect(h.events('DayStarted').map((e) => e.day)).toEqual(['2026-11-24', '2026-11-25']);
    expect(h.events('DayStarted')[1]?.expired).toEqual(expect.arrayContaining([first, second, third]));
    expect(next).not.toBe(first);
    expect(h.number(String(next))).toBe('A001');
  });

  it('a config whose utcOffsetMinutes moves the local day back keeps the day too', () => {
    const h = new Hall(hallConfig(), monday('00:30', '2026-11-24'));
    h.run({ type: 'Tick' });
    expect(h.state.day).toBe('2026-11-24');
    h.ok({ type: 'Configure', config: { ...hallConfig(), utcOffsetMinutes: 420 } });
    h.run({ type: 'Tick' });
    expect(h.state.day).toBe('2026-11-24');
    expect(h.events('DayStarted')).toHaveLength(1);
  });

  it('property: whatever the clock does, no ticket id is issued twice and days only move forward', () => {
    const step = fc.oneof(
      { weight: 4, arbitrary: fc.record({ k: fc.constant('issue' as const), service: fc.constantFrom('A', 'B') }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant('clock' as const), minutes: fc.integer({ min: -36 * 60, max: 36 * 60 }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('call' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const h = new Hall(hallConfig(), monday('10:00', '2026-11-24'));
        h.open(1);
        for (const s of steps) {
          if (s.k === 'clock') h.now += s.minutes * 60_000;
          else if (s.k === 'issue') h.run({ type: 'IssueTicket', serviceId: s.service, delivery: 'none' });
          else h.run({ type: 'CallNext', window: 1 });
        }
        const issued = h.events('TicketIssued').map((e) => e.ticket.id);
        expect(new Set(issued).size).toBe(issued.length);
        const days = h.events('DayStarted').map((e) => e.day);
        expect([...days].sort()).toEqual(days);
        expect(new Set(days).size).toBe(days.length);
      }),
      { numRuns: 300 },
    );
  });
});
