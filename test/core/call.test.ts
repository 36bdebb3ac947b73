import { describe, expect, it } from 'vitest';
import { Hall, hallConfig } from './fixtures.js';

describe('calling and serving', () => {
  it('calls in arrival order, completes the previous citizen on call-next, and records the service time', () => {
    const h = new Hall();
    h.open(1);
    const [a, b] = [h.issue('A'), h.issue('B')];
    expect(h.callNext(1)).toBe(a);
    h.advance(7);
    expect(h.callNext(1)).toBe(b);
    expect(h.state.tickets[a]?.status).toBe('done');
    expect(h.events('ServiceCompleted')[0]).toMatchObject({ ticketId: a, window: 1, durationMs: 7 * 60_000 });
    expect(h.state.serviceTimes.A).toEqual([7 * 60_000]);
    const r = h.run({ type: 'CallNext', window: 1 });
    expect(r.outcome).toEqual({ ok: true, info: 'queue-empty' });
  });

  it('never calls one ticket at two windows', () => {
    const h = new Hall();
    h.open(1);
    h.open(2);
    const a = h.issue('A');
    expect(h.callNext(1)).toBe(a);
    expect(h.callNext(2)).toBeUndefined();
  });

  it('refuses to call at a paused or closed window; pause completes the current citizen and shows the reason', () => {
    const h = new Hall();
    const a = h.issue('A');
    expect(h.run({ type: 'CallNext', window: 1 }).outcome).toMatchObject({ code: 'window-closed' });
    h.open(1);
    h.callNext(1);
    h.ok({ type: 'PauseWindow', window: 1, reason: '午休' });
    expect(h.state.tickets[a]?.status).toBe('done');
    expect(h.state.windows['1']).toMatchObject({ status: 'paused', pauseReason: '午休' });
    h.issue('A');
    expect(h.run({ type: 'CallNext', window: 1 }).outcome).toMatchObject({ code: 'window-paused' });
    h.ok({ type: 'ResumeWindow', window: 1 });
    expect(h.callNext(1)).toBeDefined();
  });

  it('limits recalls', () => {
    const h = new Hall(hallConfig({ policy: { recallLimit: 2 } }));
    h.open(1);
    const a = h.issue('A');
    h.callNext(1);
    h.ok({ type: 'Recall', window: 1 });
    h.ok({ type: 'Recall', window: 1 });
    expect(h.run({ type: 'Recall', window: 1 }).outcome).toMatchObject({ code: 'recall-limit' });
    expect(h.state.tickets[a]?.recalls).toBe(2);
    // the called notice is sent once, however many recalls
    expect(h.events('NotificationDue').filter((e) => e.ticketId === a && e.reason === 'called')).toHaveLength(1);
  });

  it('re-queues a no-show behind N waiting tickets, once; the second no-show is final', () => {
    const h = new Hall(hallConfig({ policy: { noShow: { requeueAfter: 2, maxRequeues: 1 } } }));
    h.open(1);
    const ids = [0, 1, 2, 3].map(() => {
      h.advance(1);
      return h.issue('A');
    });
    expect(h.callNext(1)).toBe(ids[0]);
    h.ok({ type: 'NoShow', window: 1 });
    expect(h.state.tickets[ids[0]!]?.status).toBe('waiting');
    const order = [h.callNext(1), h.callNext(1), h.callNext(1)];
    expect(order).toEqual([ids[1], ids[2], ids[0]]);
    h.ok({ type: 'NoShow', window: 1 });
    expect(h.state.tickets[ids[0]!]?.status).toBe('no-show');
    expect(h.callNext(1)).toBe(ids[3]);
    // the late ticket is recorded as called out of order, with the reason
    expect(h.events('TicketCalled').find((e) => e.ticketId === ids[1] && e.window === 1)?.reason).toBe('requeued-behind');
  });

  it('puts a no-show with fewer than N behind it at the end, but ahead of later arrivals', () => {
    const h = new Hall(hallConfig({ policy: { noShow: { requeueAfter: 5, maxRequeues: 1 } } }));
    h.open(1);
    const a = h.issue('A');
    const b = h.issue('A');
    h.callNext(1);
    h.ok({ type: 'NoShow', window: 1 });
    const c = h.issue('A');
    expect([h.callNext(1), h.callNext(1), h.callNext(1)]).toEqual([b, a, c]);
  });

  it('transfers keep the class and go ahead of later arrivals at the new service; a window transfer binds to that window', () => {
    const h = new Hall(hallConfig({ policy: { interleave: { normal: 0, priority: 1 } } }));
    h.open(1);
    h.open(3);
    const a = h.issue('A', { priority: true });
    const b1 = h.issue('B');
    expect(h.callNext(1)).toBe(a);
    h.ok({ type: 'Transfer', window: 1, toService: 'B' });
    const t = h.state.tickets[a]!;
    expect(t).toMatchObject({ status: 'waiting', serviceId: 'B', class: 'priority', transfers: 1 });
    const b2 = h.issue('B');
    // the transferred ticket was issued before b1 and b2: it goes first at window 3 (B first)
    expect(h.callNext(3)).toBe(a);
    h.ok({ type: 'Transfer', window: 3, toService: 'A', toWindow: 2 });
    expect(h.callNext(1)).toBe(b1); // window 1 may not take the ticket bound to window 2
    h.open(2);
    expect(h.callNext(2)).toBe(a);
    expect(h.callNext(3)).toBe(b2);
  });

  it('cancels a waiting ticket, which is then never called', () => {
    const h = new Hall();
    h.open(1);
    const a = h.issue('A');
    const b = h.issue('A');
    h.ok({ type: 'Cancel', ticketId: a, reason: 'left' });
    expect(h.callNext(1)).toBe(b);
    expect(h.run({ type: 'Cancel', ticketId: a, reason: 'x' }).outcome).toMatchObject({ code: 'bad-ticket-state' });
  });
});

describe('windows and staff', () => {
  it('logs staff in, refuses a second staff member and a staff member at two windows, and lets a backup take over (AB post)', () => {
    const h = new Hall();
    h.ok({ type: 'OpenWindow', window: 1, staffId: 's1' });
    expect(h.run({ type: 'OpenWindow', window: 1, staffId: 's2' }).outcome).toMatchObject({ code: 'window-occupied' });
    expect(h.run({ type: 'OpenWindow', window: 2, staffId: 's1' }).outcome).toMatchObject({ code: 'staff-elsewhere' });
    expect(h.run({ type: 'OpenWindow', window: 2, staffId: 'ghost' }).outcome).toMatchObject({ code: 'unknown-staff' });
    const a = h.issue('A');
    h.callNext(1);
    h.ok({ type: 'TakeOver', window: 1, staffId: 's5' });
    expect(h.state.windows['1']).toMatchObject({ status: 'open', staffId: 's5', current: a });
    expect(h.events('WindowTakenOver')[0]).toMatchObject({ window: 1, staffId: 's5', previousStaffId: 's1' });
    h.ok({ type: 'CloseWindow', window: 1 });
    expect(h.state.windows['1']).toMatchObject({ status: 'closed' });
    expect(h.state.tickets[a]?.status).toBe('done');
    h.ok({ type: 'OpenWindow', window: 2, staffId: 's1' });
  });
});
