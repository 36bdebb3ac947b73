import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, emptyState, type HallEvent } from '../../src/core/index.js';
import { Hall, monday } from './fixtures.js';

const person = { idHash: 'h1', idMasked: 'x', nameMasked: '张*', idValid: true };

/** ChangeAppointment (the platform moved a booking): booked ones move, checked-in and cancelled ones do not. */
describe('changing an appointment', () => {
  it('moves a booked appointment, whose check-in then follows the new slot; refuses a used, cancelled or unknown one', () => {
    const h = new Hall();
    h.open(1);
    h.ok({ type: 'BookAppointment', appointment: { id: 'ap1', serviceId: 'A', slotStart: monday('11:00'), slotEnd: monday('11:30'), person } });
    // 09:00 + 20 min: far too early for 11:00 …
    h.advance(20);
    expect(h.run({ type: 'CheckIn', appointmentId: 'ap1', delivery: 'none' }).outcome).toMatchObject({ code: 'appointment-too-early' });
    // … but on time once moved to 09:30.
    h.ok({ type: 'ChangeAppointment', appointmentId: 'ap1', serviceId: 'B', slotStart: monday('09:30'), slotEnd: monday('10:00') });
    expect(h.events('AppointmentChanged')).toMatchObject([{ appointmentId: 'ap1', serviceId: 'B', slotStart: monday('09:30') }]);
    expect(h.state.appointments['ap1']).toMatchObject({ serviceId: 'B', slotStart: monday('09:30'), status: 'booked' });
    // The same change again decides nothing new.
    const before = h.state.seq;
    h.ok({ type: 'ChangeAppointment', appointmentId: 'ap1', serviceId: 'B', slotStart: monday('09:30'), slotEnd: monday('10:00') });
    expect(h.events('AppointmentChanged')).toHaveLength(1);
    expect(h.state.seq).toBeGreaterThanOrEqual(before);
    const t = h.ok({ type: 'CheckIn', appointmentId: 'ap1', delivery: 'none' });
    expect(h.state.tickets[t!]).toMatchObject({ class: 'appointment', serviceId: 'B' });
    expect(h.run({ type: 'ChangeAppointment', appointmentId: 'ap1', serviceId: 'A', slotStart: monday('12:00'), slotEnd: monday('12:30') }).outcome).toMatchObject({ code: 'appointment-used' });
    expect(h.run({ type: 'ChangeAppointment', appointmentId: 'nope', serviceId: 'A', slotStart: monday('12:00'), slotEnd: monday('12:30') }).outcome).toMatchObject({ code: 'unknown-appointment' });
    h.ok({ type: 'BookAppointment', appointment: { id: 'ap2', serviceId: 'A', slotStart: monday('11:00'), slotEnd: monday('11:30'), person } });
    expect(h.run({ type: 'ChangeAppointment', appointmentId: 'ap2', serviceId: 'Z', slotStart: monday('12:00'), slotEnd: monday('12:30') }).outcome).toMatchObject({ code: 'unknown-service' });
    expect(h.run({ type: 'ChangeAppointment', appointmentId: 'ap2', serviceId: 'A', slotStart: monday('12:30'), slotEnd: monday('12:00') }).outcome).toMatchObject({ code: 'invalid-command' });
    h.ok({ type: 'CancelAppointment', appointmentId: 'ap2' });
    expect(h.run({ type: 'ChangeAppointment', appointmentId: 'ap2', serviceId: 'A', slotStart: monday('12:00'), slotEnd: monday('12:30') }).outcome).toMatchObject({ code: 'unknown-appointment' });
  });

  it('a check-in whose print failed (its ticket voided) leaves the booking usable: checked in again, changed or cancelled; one whose ticket is held is used', () => {
    const h = new Hall();
    h.open(1);
    h.ok({ type: 'BookAppointment', appointment: { id: 'ap1', serviceId: 'A', slotStart: monday('09:10'), slotEnd: monday('09:40'), person } });
    const jammed = h.ok({ type: 'CheckIn', appointmentId: 'ap1', delivery: 'print' });
    h.ok({ type: 'PrintFailed', ticketId: jammed!, reason: 'paper-out' });
    expect(h.state.tickets[jammed!]?.status).toBe('voided');
    expect(h.state.appointments['ap1']).toMatchObject({ status: 'checked-in', ticketId: jammed });
    // The citizen never held that ticket: the same booking checks in again, on time, to a new one.
    const again = h.ok({ type: 'CheckIn', idHash: 'h1', delivery: 'print' });
    expect(again).not.toBe(jammed);
    expect(h.state.tickets[again!]).toMatchObject({ class: 'appointment', appointmentId: 'ap1', status: 'issued' });
    expect(h.state.appointments['ap1']).toMatchObject({ status: 'checked-in', ticketId: again });
    // Now the ticket is held: used, for a check-in, a change and a cancellation alike.
    expect(h.run({ type: 'CheckIn', idHash: 'h1', delivery: 'print' }).outcome).toMatchObject({ code: 'appointment-used' });
    expect(h.run({ type: 'ChangeAppointment', appointmentId: 'ap1', serviceId: 'B', slotStart: monday('12:00'), slotEnd: monday('12:30') }).outcome).toMatchObject({ code: 'appointment-used' });
    expect(h.run({ type: 'CancelAppointment', appointmentId: 'ap1' }).outcome).toMatchObject({ code: 'appointment-used' });
    // A voided check-in can be moved or cancelled by the platform like a booked one.
    h.ok({ type: 'BookAppointment', appointment: { id: 'ap2', serviceId: 'B', slotStart: monday('09:10'), slotEnd: monday('09:40'), person: { ...person, idHash: 'h2' } } });
    const voided = h.ok({ type: 'CheckIn', appointmentId: 'ap2', delivery: 'print' });
    h.ok({ type: 'PrintFailed', ticketId: voided!, reason: 'cutter-jam' });
    h.ok({ type: 'ChangeAppointment', appointmentId: 'ap2', serviceId: 'A', slotStart: monday('11:00'), slotEnd: monday('11:30') });
    h.ok({ type: 'CancelAppointment', appointmentId: 'ap2' });
    expect(h.state.appointments['ap2']?.status).toBe('cancelled');
  });

  it('property: after any sequence of changes the appointment holds the last one, and replaying the log gives the same state', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('A', 'B'), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 1, max: 120 })), { minLength: 1, maxLength: 8 }), (changes) => {
        const h = new Hall();
        h.ok({ type: 'BookAppointment', appointment: { id: 'ap', serviceId: 'A', slotStart: monday('10:00'), slotEnd: monday('10:30'), person } });
        for (const [serviceId, start, length] of changes) h.ok({ type: 'ChangeAppointment', appointmentId: 'ap', serviceId, slotStart: monday('09:00') + start * 60_000, slotEnd: monday('09:00') + (start + length) * 60_000 });
        const [serviceId, start, length] = changes.at(-1)!;
        expect(h.state.appointments['ap']).toMatchObject({ serviceId, slotStart: monday('09:00') + start * 60_000, slotEnd: monday('09:00') + (start + length) * 60_000, status: 'booked' });
        const replayed = emptyState();
        for (const e of h.log as HallEvent[]) apply(replayed, e);
        expect(replayed.appointments).toEqual(h.state.appointments);
      }),
      { numRuns: 100 },
    );
  });
});
