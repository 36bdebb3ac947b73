import { describe, expect, it } from 'vitest';
import { emptyState, replayInto, type HallEvent } from '../../src/core/index.js';
import { Hall, hallConfig } from './fixtures.js';

const nearOf = (h: Hall, id: string) =>
  h.events('NotificationDue').filter((e) => e.ticketId === id && (e.reason === 'near' || (e.reason === 'issued' && e.near === true)));

describe('notifications', () => {
  it('tells the citizen at issue their number, position and windows', () => {
    const h = new Hall();
    h.open(1);
    h.open(2);
    h.open(3);
    const ids = [1, 2, 3, 4, 5].map(() => h.issue('A'));
    const issued = h.events('NotificationDue').filter((e) => e.reason === 'issued');
    expect(issued.map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);
    expect(issued[0]).toMatchObject({ ticketId: ids[0], number: 'A001', serviceId: 'A', windows: [1, 2, 3] });
    // 3 open windows: threshold 4.5; the first four are near already at issue, so no separate near for them
    expect(issued.map((e) => e.near === true)).toEqual([true, true, true, true, false]);
    expect(h.events('NotificationDue').filter((e) => e.reason === 'near')).toEqual([]);
  });

  it('sends "near" once, the first time the position drops below 1.5 × open eligible windows', () => {
    const h = new Hall();
    h.open(1); // one window: threshold 1.5
    const ids = [1, 2, 3, 4].map(() => h.issue('A'));
    expect(nearOf(h, ids[2]!)).toHaveLength(0);
    h.callNext(1); // ids[1] now position 1
    expect(nearOf(h, ids[1]!)).toHaveLength(1);
    expect(nearOf(h, ids[2]!)).toHaveLength(0);
    h.open(2); // two windows: threshold 3, ids[2] (2) and ids[3] (3)… only below 3
    expect(nearOf(h, ids[2]!)).toMatchObject([{ reason: 'near', position: 2, windows: [1, 2] }]);
    expect(nearOf(h, ids[3]!)).toHaveLength(0);
  });

  it('sends no second "near" when a pause lowers the threshold and the resume raises it again', () => {
    const h = new Hall();
    h.open(1);
    h.open(2);
    const ids = [1, 2, 3, 4, 5, 6].map(() => h.issue('A'));
    const before = h.events('NotificationDue').length;
    h.ok({ type: 'PauseWindow', window: 2, reason: 'break' });
    h.ok({ type: 'ResumeWindow', window: 2 });
    h.ok({ type: 'PauseWindow', window: 2, reason: 'break' });
    h.ok({ type: 'ResumeWindow', window: 2 });
    expect(h.events('NotificationDue').length).toBe(before);
    for (const id of ids) expect(nearOf(h, id).length).toBeLessThanOrEqual(1);
  });

  it('never sends "near" after the call, even when a no-show is re-queued; "called" is sent once', () => {
    const h = new Hall(hallConfig({ policy: { noShow: { requeueAfter: 3, maxRequeues: 2 } } }));
    h.open(1);
    // B tickets are not near at issue with one window (positions 2..)
    const first = h.issue('B');
    const ids = [1, 2, 3, 4, 5].map(() => h.issue('B'));
    // call ids[0] before it is ever near: serve `first`, then call ids[0] by hand
    h.callNext(1);
    h.ok({ type: 'CallTicket', window: 1, ticketId: ids[3]! });
    expect(h.events('TicketCalled').at(-1)?.reason).toBe('manual');
    h.ok({ type: 'NoShow', window: 1 });
    h.ok({ type: 'CallTicket', window: 1, ticketId: ids[3]! });
    h.ok({ type: 'NoShow', window: 1 });
    for (let i = 0; i < 6; i++) h.callNext(1);
    const notes = h.events('NotificationDue').filter((e) => e.ticketId === ids[3]);
    expect(notes.map((e) => e.reason)).toEqual(['issued', 'called']);
    expect(first).toBeDefined();
  });

  it('is exactly once across a restart between two events', () => {
    const a = new Hall();
    a.open(1);
    const ids = [1, 2, 3].map(() => a.issue('A'));
    // restart: a new process rebuilds the state from the log and goes on
    const b = new Hall(hallConfig(), a.now, 'restarted-');
    b.state = replayInto(emptyState(), structuredClone(a.log));
    b.log = [...a.log];
    b.now = a.now;
    expect(b.state).toEqual(a.state);
    b.callNext(1);
    b.callNext(1);
    b.callNext(1);
    for (const id of ids) {
      expect(b.events('NotificationDue').filter((e) => e.ticketId === id && e.reason === 'called')).toHaveLength(1);
      expect(nearOf(b, id)).toHaveLength(1);
    }
  });

  it('carries the outcome on the last decided event, so a replay keeps idempotency', () => {
    const h = new Hall();
    const r = h.run({ id: 'x1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    const withOutcome = h.log.filter((e: HallEvent) => e.outcome !== undefined && e.commandId === 'x1');
    expect(withOutcome).toHaveLength(1);
    const replayed = replayInto(emptyState(), h.log);
    expect(replayed.commands.x1).toEqual(r.outcome);
  });
});
