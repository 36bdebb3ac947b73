import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { execute, type Command, type HallState } from '../../src/core/index.js';
import { Hall, monday, type DistributiveOmit } from './fixtures.js';

/**
 * Ids are keys of plain objects in the state. Names that Object.prototype carries must behave as any
 * other unknown id: never found, never a different refusal, never a changed prototype.
 */
const protoNames = ['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];

/** A hall mid-morning: tickets waiting and called, windows open, an appointment, a bad rating. */
function busyHall(): Hall {
  const h = new Hall();
  h.open(1);
  h.open(2);
  h.ok({ type: 'BookAppointment', appointment: { id: 'ap-1', serviceId: 'A', slotStart: monday('09:30'), slotEnd: monday('10:00'), person: { idHash: 'hash-ap', idMasked: '1101**********0011' } } });
  for (let i = 0; i < 4; i++) h.issue('A');
  h.callNext(1);
  h.advance(3);
  h.callNext(1);
  h.ok({ type: 'Rate', window: 1, grade: 'very-dissatisfied', source: 'rating-device' });
  h.issue('B');
  return h;
}

type Body = DistributiveOmit<Command, 'id'>;
/** Every wire command that looks something up by a string id, with that id set to `x`. */
const lookups: ((x: string) => Body)[] = [
  (x) => ({ type: 'IssueTicket', serviceId: x, delivery: 'none' }),
  (x) => ({ type: 'PrintConfirmed', ticketId: x }),
  (x) => ({ type: 'PrintFailed', ticketId: x, reason: 'jam' }),
  (x) => ({ type: 'CallTicket', window: 2, ticketId: x }),
  (x) => ({ type: 'Cancel', ticketId: x, reason: 'r' }),
  (x) => ({ type: 'Transfer', window: 1, toService: x }),
  (x) => ({ type: 'OpenWindow', window: 3, staffId: x }),
  (x) => ({ type: 'TakeOver', window: 2, staffId: x }),
  (x) => ({ type: 'CancelAppointment', appointmentId: x }),
  (x) => ({ type: 'CheckIn', appointmentId: x, delivery: 'none' }),
  (x) => ({ type: 'CheckIn', idHash: x, delivery: 'none' }),
  (x) => ({ type: 'FollowUp', ratingId: x, note: 'called back' }),
  (x) => ({ type: 'BookAppointment', appointment: { id: 'ap-2', serviceId: x, slotStart: monday('11:00'), slotEnd: monday('11:30'), person: { idHash: 'h2', idMasked: 'm' } } }),
];

function run(state: HallState, body: Body, id: string, at: number) {
  return execute(state, { ...body, id } as Command, at);
}

describe('ids named like Object.prototype members', () => {
  it('behave exactly as an unknown id in every command that looks one up, and change nothing', () => {
    const base = busyHall();
    fc.assert(
      fc.property(fc.constantFrom(...protoNames), fc.nat(lookups.length - 1), (name, k) => {
        const make = lookups[k]!;
        const a = structuredClone(base.state);
        const b = structuredClone(base.state);
        const withProto = run(a, make(name), 'cmd-proto', base.now);
        const withUnknown = run(b, make('no-such-id'), 'cmd-proto', base.now);
        expect(withProto.outcome.ok).toBe(withUnknown.outcome.ok);
        if (!withProto.outcome.ok && !withUnknown.outcome.ok) expect(withProto.outcome.code).toBe(withUnknown.outcome.code);
        expect(withProto.events.map((e) => e.type)).toEqual(withUnknown.events.map((e) => e.type));
        for (const rec of [a.tickets, a.windows, a.appointments, a.ratings, a.commands, a.counters]) expect(Object.getPrototypeOf(rec)).toBe(Object.prototype);
      }),
      { numRuns: 300 },
    );
  });

  it('are ordinary command ids: a new command, not a repeat', () => {
    for (const name of protoNames) {
      const h = busyHall();
      const r = run(h.state, { type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, name, h.now);
      expect(r.duplicate).toBe(false);
      expect(r.outcome.ok).toBe(true);
      // …and now remembered as one, under its own key.
      expect(run(h.state, { type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, name, h.now).duplicate).toBe(true);
      expect(Object.getPrototypeOf(h.state.commands)).toBe(Object.prototype);
    }
  });

  it('are ordinary appointment ids: booked, found, cancelled, and the prototype stays', () => {
    for (const name of protoNames) {
      const h = busyHall();
      expect(h.run({ type: 'CancelAppointment', appointmentId: name }).outcome).toMatchObject({ ok: false, code: 'unknown-appointment' });
      h.ok({ type: 'BookAppointment', appointment: { id: name, serviceId: 'B', slotStart: monday('11:00'), slotEnd: monday('11:30'), person: { idHash: 'hx', idMasked: 'm' } } });
      expect(Object.getPrototypeOf(h.state.appointments)).toBe(Object.prototype);
      expect(Object.keys(h.state.appointments)).toContain(name);
      // Survives a JSON round trip (snapshots, the state request) as an own key.
      const copy = JSON.parse(JSON.stringify(h.state)) as HallState;
      expect(Object.keys(copy.appointments)).toContain(name);
      expect(h.run({ type: 'CancelAppointment', appointmentId: name }).outcome.ok).toBe(true);
      expect(h.run({ type: 'CancelAppointment', appointmentId: 'ap-1' }).outcome.ok).toBe(true);
    }
  });
});
