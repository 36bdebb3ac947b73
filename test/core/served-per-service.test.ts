import { describe, expect, it } from 'vitest';
import { queueView, servedPerService } from '../../src/core/index.js';
import { Hall } from './fixtures.js';

/**
 * The day's served tickets per service (admin's 业务与号源 and the retained queue view) count a
 * transferred ticket under the service it was issued for, beside its issue, as the reports do (the
 * tryout of the eighteenth session: admin said 户籍 issued 0, served 13; the reports said otherwise).
 */
describe('served per service after transfers', () => {
  it('counts a transferred ticket under the service it was issued for; the live count agrees with a full count at every step', () => {
    const h = new Hall();
    const a1 = h.issue('A');
    const a2 = h.issue('A');
    h.issue('B');
    h.open(1);
    const check = () => expect(new Map(servedPerService(h.state))).toEqual(new Map(servedPerService(structuredClone(h.state))));
    // a1 is called, then sent on to B (and on to A again), then served; a2 served as A.
    expect(h.callNext(1)).toBe(a1);
    h.ok({ type: 'Transfer', window: 1, toService: 'B' });
    check();
    expect(h.state.tickets[a1]).toMatchObject({ serviceId: 'B', issuedFor: 'A' });
    h.ok({ type: 'CallTicket', window: 1, ticketId: a1 });
    h.ok({ type: 'Transfer', window: 1, toService: 'A' });
    expect(h.state.tickets[a1]).toMatchObject({ serviceId: 'A', issuedFor: 'A' });
    h.ok({ type: 'CallTicket', window: 1, ticketId: a1 });
    h.ok({ type: 'Complete', window: 1 });
    check();
    h.ok({ type: 'CallTicket', window: 1, ticketId: a2 });
    h.ok({ type: 'Complete', window: 1 });
    check();
    const view = queueView(h.state).services;
    expect(view['A']).toMatchObject({ issued: 2, served: 2 });
    expect(view['B']).toMatchObject({ issued: 1, served: 0 });
    // Sent to B and served there: still A's.
    const a3 = h.issue('A');
    h.ok({ type: 'CallTicket', window: 1, ticketId: a3 });
    h.ok({ type: 'Transfer', window: 1, toService: 'B' });
    h.ok({ type: 'CallTicket', window: 1, ticketId: a3 });
    h.ok({ type: 'Complete', window: 1 });
    check();
    expect(queueView(h.state).services['A']).toMatchObject({ issued: 3, served: 3 });
    expect(queueView(h.state).services['B']).toMatchObject({ issued: 1, served: 0 });
  });
});
