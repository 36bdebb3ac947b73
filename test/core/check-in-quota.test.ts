import { describe, expect, it } from 'vitest';
import { Hall, monday } from './fixtures.js';

const person = (idHash: string) => ({ idHash, idMasked: 'x', nameMasked: '张*', idValid: true });

/**
 * A check-in is not refused by the service's daily quota (its booking already holds the place), only by
 * the three digits of its number: 999 tickets a day per service, appointments included (README "The rules").
 */
describe('check-in and the day\'s numbers', () => {
  const book = (h: Hall, id: string, serviceId: string, idHash: string) =>
    h.ok({ type: 'BookAppointment', appointment: { id, serviceId, slotStart: monday('09:30'), slotEnd: monday('10:00'), person: person(idHash) } });

  it('checks in past the daily quota, which refuses a walk-in', () => {
    const h = new Hall();
    h.open(4);
    book(h, 'ap-c', 'C', 'booked');
    h.advance(20);
    // Service C: dailyQuota 5 (fixtures.ts).
    for (let i = 0; i < 5; i++) h.issue('C', { person: person(`walk-${i}`) });
    expect(h.run({ type: 'IssueTicket', serviceId: 'C', delivery: 'none', person: person('walk-6') }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
    expect(h.run({ type: 'CheckIn', appointmentId: 'ap-c', delivery: 'none' }).outcome).toMatchObject({ ok: true });
  });

  it('refuses a check-in once the service has issued 999 numbers, and counts the check-ins in them', () => {
    const h = new Hall();
    h.open(1);
    book(h, 'ap-1', 'A', 'b1');
    book(h, 'ap-2', 'A', 'b2');
    h.advance(20);
    for (let i = 0; i < 998; i++) h.issue('A');
    // The 999th number goes to the first check-in; the second finds none left, as a walk-in would.
    expect(h.run({ type: 'CheckIn', appointmentId: 'ap-1', delivery: 'none' }).outcome).toMatchObject({ ok: true });
    expect(h.run({ type: 'CheckIn', appointmentId: 'ap-2', delivery: 'none' }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
    expect(h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }).outcome).toMatchObject({ ok: false, code: 'quota-reached' });
  });
});
