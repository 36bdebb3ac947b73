import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStatuses, rejectionMessages, type HallState } from '../../src/core/index.js';
import { Hall, hallConfig } from './fixtures.js';

/**
 * The per-phone rules (policy.perPhone) on the real core: whatever a kiosk asks, with whatever phone,
 * delivery and ID card, in whatever order with calls, completions, cancels and voided prints between,
 * no phone ever holds more than `maxOpenPerService` open tickets of a service nor more than `dailyCap`
 * tickets (not voided) in the day; and a refusal by phone comes only when the phone is at its limit.
 */

const phones = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
const service = fc.constantFrom('A', 'B');
const step = fc.oneof(
  fc.record({
    k: fc.constant('issue' as const),
    service,
    phone: fc.option(fc.constantFrom(...phones), { nil: undefined }),
    delivery: fc.constantFrom('print' as const, 'sms' as const, 'none' as const),
    card: fc.option(fc.constantFrom('p1', 'p2'), { nil: undefined }),
  }),
  fc.record({ k: fc.constant('call' as const), window: fc.constantFrom(1, 2) }),
  fc.record({ k: fc.constant('complete' as const), window: fc.constantFrom(1, 2) }),
  fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ k: fc.constant('printed' as const), pick: fc.nat(), ok: fc.boolean() }),
);
const limits = fc.record({ maxOpenPerService: fc.integer({ min: 1, max: 3 }), dailyCap: fc.integer({ min: 1, max: 6 }) });

function held(state: HallState, phone: string, serviceId?: string): { open: number; day: number } {
  const mine = Object.values(state.tickets).filter((t) => t.phoneHash === phone && t.status !== 'voided');
  return { open: mine.filter((t) => t.serviceId === serviceId && openStatuses.has(t.status)).length, day: mine.length };
}

describe('per-phone limits (property)', () => {
  it('hold after every step, and refuse only a phone at its limit', () => {
    fc.assert(
      fc.property(limits, fc.array(step, { maxLength: 60 }), fc.boolean(), (perPhone, steps, smsOff) => {
        const h = new Hall({ ...hallConfig({ policy: { perPhone, perId: { maxOpenPerService: 99, dailyCap: 99 } } }), ...(smsOff ? { smsEnabled: false } : {}) });
        h.open(1);
        h.open(2);
        for (const s of steps) {
          const ids = Object.keys(h.state.tickets);
          if (s.k === 'issue') {
            // A hall without SMS takes no SMS-only ticket at all (sms-off): not this rule's.
            const delivery = smsOff && s.delivery === 'sms' ? 'none' : s.delivery;
            const before = s.phone === undefined ? undefined : held(h.state, s.phone, s.service);
            const r = h.run({ type: 'IssueTicket', serviceId: s.service, delivery, ...(s.phone ? { phoneHash: s.phone, phoneMasked: '139****0000' } : {}), ...(s.card ? { person: { idHash: s.card, idMasked: '1101**********0011', idValid: true } } : {}) });
            if (!r.outcome.ok) {
              // Only the phone rules can refuse here; each with its own bilingual words.
              expect(['per-phone-open', 'per-phone-daily']).toContain(r.outcome.code);
              expect(smsOff).toBe(false);
              if (r.outcome.code === 'per-phone-open') expect(before?.open).toBe(perPhone.maxOpenPerService);
              if (r.outcome.code === 'per-phone-daily') expect(before?.day).toBe(perPhone.dailyCap);
              expect(r.outcome.message).toEqual(rejectionMessages[r.outcome.code as 'per-phone-open' | 'per-phone-daily']);
            } else if (before) {
              // Let through: the phone was under both limits (or the hall keeps no phone).
              expect(smsOff || (before.open < perPhone.maxOpenPerService && before.day < perPhone.dailyCap)).toBe(true);
              expect(h.state.tickets[r.outcome.ticketId ?? '']?.phoneHash).toBe(smsOff ? undefined : s.phone);
            }
          } else if (s.k === 'call') h.run({ type: 'CallNext', window: s.window });
          else if (s.k === 'complete') h.run({ type: 'Complete', window: s.window });
          else if (ids.length > 0) {
            const id = ids[s.pick % ids.length] ?? '';
            if (s.k === 'cancel') h.run({ type: 'Cancel', ticketId: id, reason: 'left' });
            else h.run(s.ok ? { type: 'PrintConfirmed', ticketId: id } : { type: 'PrintFailed', ticketId: id, reason: 'paper out' });
          }
          for (const p of phones) {
            for (const sv of ['A', 'B']) expect(held(h.state, p, sv).open).toBeLessThanOrEqual(perPhone.maxOpenPerService);
            expect(held(h.state, p).day).toBeLessThanOrEqual(perPhone.dailyCap);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('count printed and SMS-only tickets alike, free a place when a ticket is done or voided, and leave check-ins alone', () => {
    const h = new Hall(hallConfig({ policy: { perPhone: { maxOpenPerService: 1, dailyCap: 3 } } }));
    h.open(1);
    const phone = { phoneHash: 'd'.repeat(64), phoneMasked: '137****1111' };
    const first = h.issue('A', { delivery: 'sms', ...phone });
    expect(h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'print', ...phone }).outcome).toMatchObject({ ok: false, code: 'per-phone-open' });
    // Another phone, or none: not this phone's limit.
    h.issue('A', { delivery: 'sms', phoneHash: 'e'.repeat(64), phoneMasked: '137****2222' });
    h.issue('A', { delivery: 'print' });
    expect(h.callNext(1)).toBe(first);
    h.ok({ type: 'Complete', window: 1 });
    const printed = h.issue('A', { delivery: 'print', ...phone });
    // A voided print frees its place and its count for the day.
    h.ok({ type: 'PrintFailed', ticketId: printed, reason: 'paper out' });
    // An appointment's check-in counts for its phone (B now held)...
    const booking = (id: string, serviceId: string) => ({ type: 'BookAppointment' as const, appointment: { id, serviceId, slotStart: h.now, slotEnd: h.now + 1_800_000, person: { idHash: `p-${id}`, idMasked: '1101**********0022' } } });
    h.ok(booking('ap1', 'B'));
    h.ok({ type: 'CheckIn', appointmentId: 'ap1', delivery: 'sms', ...phone });
    expect(h.run({ type: 'IssueTicket', serviceId: 'B', delivery: 'sms', ...phone }).outcome).toMatchObject({ ok: false, code: 'per-phone-open' });
    h.issue('A', { delivery: 'sms', ...phone });
    // Three today (done, checked in, waiting; the voided one not): C, held by nobody with this phone, is refused for the day.
    expect(h.run({ type: 'IssueTicket', serviceId: 'C', delivery: 'sms', person: { idHash: 'p1', idMasked: '1101**********0011', idValid: true }, ...phone }).outcome).toMatchObject({
      ok: false,
      code: 'per-phone-daily',
      message: rejectionMessages['per-phone-daily'],
    });
    // ...but is never refused by it: its booking allows its one ticket.
    h.ok(booking('ap2', 'A'));
    h.ok({ type: 'CheckIn', appointmentId: 'ap2', delivery: 'sms', ...phone });
  });
});
