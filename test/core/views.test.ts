import { describe, expect, it } from 'vitest';
import { windowView, windowsTouched } from '../../src/core/index.js';
import { Hall, monday } from './fixtures.js';

describe('which windows an event touches', () => {
  it('names only the windows whose view can have changed', () => {
    const h = new Hall();
    h.open(1);
    const touched = (from: number) => h.log.slice(from).flatMap((e) => windowsTouched(h.state, e));
    let mark = h.log.length;
    h.issue('C', { person: { idHash: 'p', idMasked: 'm', idValid: true } });
    expect(new Set(touched(mark))).toEqual(new Set([4])); // only window 4 serves C
    mark = h.log.length;
    h.issue('A');
    expect(new Set(touched(mark))).toEqual(new Set([1, 2, 3])); // A at 1 and 2, and at 3 as its second tier
    mark = h.log.length;
    h.callNext(1);
    expect(new Set(touched(mark))).toEqual(new Set([1, 2, 3]));
    expect(windowView(h.state, 2).waiting).toBe(0);
    expect(windowsTouched(h.state, h.events('DayStarted')[0]!)).toEqual([1, 2, 3, 4]);
    expect(windowsTouched(h.state, h.events('NotificationDue')[0]!)).toEqual([]);
  });
});

describe('a window’s waiting count', () => {
  it('counts every class it can call, and a transferred ticket only at the window it was sent to', () => {
    const h = new Hall();
    h.open(1);
    h.open(3);
    const person = { idHash: 'h1', idMasked: '1101**********0011' };
    h.ok({ type: 'BookAppointment', appointment: { id: 'ap1', serviceId: 'A', slotStart: monday('09:10'), slotEnd: monday('09:40'), person } });
    h.issue('A');
    h.issue('B', { priority: true });
    expect(h.state.tickets[h.ok({ type: 'CheckIn', appointmentId: 'ap1', delivery: 'none' }) ?? '']?.class).toBe('appointment');
    // Windows 1 and 2 serve A and B, 3 serves B then A: all three count the normal, priority and appointment tickets.
    expect([1, 2, 3, 4].map((w) => windowView(h.state, w).waiting)).toEqual([3, 3, 3, 0]);
    // Window 1 calls the appointment and transfers it to window 3: waiting again, for window 3 only.
    h.callNext(1);
    h.ok({ type: 'Transfer', window: 1, toService: 'A', toWindow: 3 });
    expect([1, 2, 3, 4].map((w) => windowView(h.state, w).waiting)).toEqual([2, 2, 3, 0]);
  });
});
