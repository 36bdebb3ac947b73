import { describe, expect, it } from 'vitest';
import { positions } from '../../src/core/index.js';
import { Hall, hallConfig, monday } from './fixtures.js';

const person = (idHash: string) => ({ idHash, idMasked: 'x', nameMasked: '张*', idValid: true });

describe('classes, interleave, aging and tiers', () => {
  it('interleaves 2 normal : 1 priority when both wait, and records why each out-of-order call happened', () => {
    const h = new Hall(hallConfig({ policy: { interleave: { normal: 2, priority: 1 } } }));
    h.open(1);
    const n = [1, 2, 3, 4].map(() => (h.advance(1), h.issue('A')));
    const p = [1, 2].map(() => (h.advance(1), h.issue('A', { priority: true })));
    const order = [1, 2, 3, 4, 5, 6].map(() => h.callNext(1));
    // a fresh pool lets a waiting priority ticket go first, then two normal, then one priority
    expect(order).toEqual([p[0], n[0], n[1], p[1], n[2], n[3]]);
    const reasons = h.events('TicketCalled').map((e) => e.reason);
    expect(reasons).toEqual(['priority', null, null, 'priority', null, null]);
  });

  it('records "interleave" when a normal ticket goes before an older priority ticket', () => {
    const h = new Hall(hallConfig({ policy: { interleave: { normal: 2, priority: 1 } } }));
    h.open(1);
    const p1 = h.issue('A', { priority: true });
    h.advance(1);
    h.callNext(1); // p1
    const p2 = (h.advance(1), h.issue('A', { priority: true }));
    const n1 = (h.advance(1), h.issue('A'));
    // after a priority call, the pool owes normal calls: n1 goes before the older p2
    expect(h.callNext(1)).toBe(n1);
    expect(h.events('TicketCalled').at(-1)?.reason).toBe('interleave');
    expect(h.callNext(1)).toBe(p2);
    expect(p1).toBeDefined();
  });

  it('serves on-time appointments first; late ones as normal; refuses too early', () => {
    const h = new Hall();
    h.open(1);
    const slot = (hm: string, id: string, idHash: string) =>
      h.ok({ type: 'BookAppointment', appointment: { id, serviceId: 'A', slotStart: monday(hm), slotEnd: monday(hm) + 30 * 60_000, person: person(idHash) } });
    slot('09:30', 'ap1', 'h1');
    slot('08:30', 'ap2', 'h2');
    slot('11:00', 'ap3', 'h3');
    const walkIn = h.issue('A');
    h.advance(20); // 09:20
    const onTime = h.ok({ type: 'CheckIn', idHash: 'h1', delivery: 'none' });
    const late = h.run({ type: 'CheckIn', appointmentId: 'ap2', delivery: 'none' });
    expect(late.outcome).toMatchObject({ ok: true, info: 'appointment-late' });
    expect(h.run({ type: 'CheckIn', idHash: 'h3' }).outcome).toMatchObject({ code: 'appointment-too-early' });
    expect(h.run({ type: 'CheckIn', idHash: 'h1' }).outcome).toMatchObject({ code: 'appointment-used' });
    expect(h.run({ type: 'CheckIn', idHash: 'nobody' }).outcome).toMatchObject({ code: 'unknown-appointment' });
    expect(h.state.tickets[onTime!]?.class).toBe('appointment');
    expect(h.callNext(1)).toBe(onTime);
    expect(h.events('TicketCalled').at(-1)?.reason).toBe('appointment');
    expect(h.callNext(1)).toBe(walkIn);
    expect(h.callNext(1)).toBe(late.outcome.ok ? late.outcome.ticketId : 'x');
  });

  it('prefers a window\'s first tier, until a lower-tier ticket has waited past the aging limit', () => {
    const h = new Hall(hallConfig({ policy: { agingMinutes: 30 } }));
    h.open(3); // window 3: B first, then A
    const a = h.issue('A');
    h.advance(1);
    const b1 = h.issue('B');
    expect(h.callNext(3)).toBe(b1);
    expect(h.events('TicketCalled').at(-1)?.reason).toBe('tier-preference');
    h.advance(1);
    const b2 = h.issue('B');
    h.advance(30); // a has now waited 32 minutes
    expect(h.callNext(3)).toBe(a);
    expect(h.events('TicketCalled').at(-1)?.reason).toBeNull(); // aged and the oldest
    expect(h.callNext(3)).toBe(b2);
  });

  it('calls an aged ticket ahead of an interleave turn, with the reason "aged"', () => {
    const h = new Hall(hallConfig({ policy: { agingMinutes: 10, interleave: { normal: 0, priority: 1 } } }));
    h.open(1);
    const p = h.issue('A', { priority: true });
    h.advance(1);
    const n = h.issue('A');
    h.advance(1);
    h.advance(9); // n has waited 10 minutes, p 11: both aged, p older
    expect(h.callNext(1)).toBe(p);
    const p2 = h.issue('A', { priority: true });
    expect(h.callNext(1)).toBe(n); // aged beats strict priority
    expect(h.callNext(1)).toBe(p2);
  });

  it('shifts positions when a priority ticket arrives', () => {
    const h = new Hall(hallConfig({ policy: { interleave: { normal: 0, priority: 1 } } }));
    h.open(1);
    const n = [1, 2, 3].map(() => h.issue('A'));
    expect(n.map((id) => positions(h.state, h.now).get(id)?.position)).toEqual([1, 2, 3]);
    const p = h.issue('A', { priority: true });
    const pos = positions(h.state, h.now);
    expect(pos.get(p)?.position).toBe(1);
    expect(n.map((id) => pos.get(id)?.position)).toEqual([2, 3, 4]);
  });
});

describe('strict priority (interleave.normal 0)', () => {
  it('calls every waiting priority ticket before any normal one, whatever the arrival order (oracle: priority by key, then normal by key)', () => {
    const h = new Hall(hallConfig({ policy: { interleave: { normal: 0, priority: 1 } } }));
    h.open(1);
    const kinds = [false, true, false, true, true, false, false, true];
    const ids = kinds.map((priority) => (h.advance(1), h.issue('A', priority ? { priority: true } : {})));
    const oracle = [...ids.filter((_, i) => kinds[i]), ...ids.filter((_, i) => !kinds[i])];
    expect(ids.map(() => h.callNext(1))).toEqual(oracle);
  });

  it('a priority ticket arriving between calls still goes before every waiting normal ticket', () => {
    const h = new Hall(hallConfig({ policy: { interleave: { normal: 0, priority: 1 } } }));
    h.open(1);
    const n = [1, 2, 3].map(() => h.issue('A'));
    const p1 = h.issue('A', { priority: true });
    expect(h.callNext(1)).toBe(p1);
    const p2 = h.issue('A', { priority: true });
    expect(h.callNext(1)).toBe(p2); // was n[0] before the fix: P N P N…
    expect(h.events('TicketCalled').map((e) => e.reason)).toEqual(['priority', 'priority']);
    expect([h.callNext(1), h.callNext(1), h.callNext(1)]).toEqual(n);
  });
});
