import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState, PRINT_CONFIRM_TIMEOUT, replayInto, type HallState } from '../../src/core/index.js';
import { Hall, hallConfig, monday } from './fixtures.js';

/**
 * The print-confirm timeout (src/core/print-timeout.ts): a kiosk ticket whose print is neither
 * confirmed nor failed is voided by the first Tick `printConfirmTimeoutSeconds` after its issue; its
 * cut, confirmed later the same day, revives it at its first place. Time only comes with commands.
 */
describe('print-confirm timeout', () => {
  const printed = (h: Hall) => {
    const r = h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
    if (!r.outcome.ok || !r.outcome.ticketId) throw new Error('no ticket');
    return r.outcome.ticketId;
  };

  it('a Tick before the bound leaves the ticket issued; the first at or after it voids it with the reason, marked timed out', () => {
    const h = new Hall();
    const t = printed(h);
    const issuedAt = h.now;
    h.ok({ type: 'Tick' }, issuedAt + 299_999);
    expect(h.state.tickets[t]?.status).toBe('issued');
    expect(h.events('TicketVoided')).toEqual([]);
    h.ok({ type: 'Tick' }, issuedAt + 300_000);
    expect(h.state.tickets[t]).toMatchObject({ status: 'voided', printTimedOut: true });
    expect(h.events('TicketVoided')).toMatchObject([{ ticketId: t, reason: PRINT_CONFIRM_TIMEOUT, timedOut: true }]);
    // Once: a later tick has nothing more to void, and with nothing due it is not even recorded (an idle
    // hall wrote and sent an event every tick); the state's seq does not move.
    const before = h.log.length;
    const seq = h.state.seq;
    const idle = h.run({ type: 'Tick' }, issuedAt + 900_000);
    expect(idle).toMatchObject({ outcome: { ok: true }, recorded: false, events: [] });
    expect(h.log.slice(before)).toEqual([]);
    expect(h.state.seq).toBe(seq);
  });

  it('only a Tick voids: other commands long after the bound leave the ticket issued (time is the command\'s, the rule is the tick\'s)', () => {
    const h = new Hall();
    const t = printed(h);
    h.advance(30);
    h.issue('B');
    h.open(1);
    expect(h.state.tickets[t]?.status).toBe('issued');
  });

  it('a confirmed or failed print is never voided by the timeout; a ticket issued without a print never waits for one', () => {
    const h = new Hall();
    const confirmed = printed(h);
    const failed = printed(h);
    const plain = h.issue('A');
    h.ok({ type: 'PrintConfirmed', ticketId: confirmed });
    h.ok({ type: 'PrintFailed', ticketId: failed, reason: 'paper-out' });
    h.ok({ type: 'Tick' }, h.now + 3_600_000);
    expect(h.state.tickets[confirmed]?.status).toBe('waiting');
    expect(h.state.tickets[plain]?.status).toBe('waiting');
    expect(h.state.tickets[failed]?.status).toBe('voided');
    expect(h.events('TicketVoided')).toMatchObject([{ ticketId: failed, reason: 'paper-out' }]);
    expect(h.events('TicketVoided')[0]).not.toHaveProperty('timedOut');
  });

  it('the late cut revives the ticket at its first place, ahead of those issued after it; a late PrintFailed is refused', () => {
    const h = new Hall();
    const late = printed(h);
    h.advance(1);
    const later = h.issue('A');
    h.ok({ type: 'Tick' }, h.now + 600_000);
    expect(h.state.tickets[late]?.status).toBe('voided');
    const revived = h.run({ type: 'PrintConfirmed', ticketId: late }, h.now + 700_000);
    expect(revived.outcome).toMatchObject({ ok: true, ticketId: late });
    expect(revived.events.find((e) => e.type === 'TicketPrinted')).toMatchObject({ ticketId: late, revived: true });
    expect(h.state.tickets[late]?.status).toBe('waiting');
    expect(h.state.tickets[late]).not.toHaveProperty('printTimedOut');
    h.open(1);
    expect(h.callNext(1)).toBe(late);
    expect(h.callNext(1)).toBe(later);
    // A second confirmation (another id) finds it waiting, no longer voided: refused, nothing changes.
    expect(h.run({ type: 'PrintConfirmed', ticketId: late }).outcome).toMatchObject({ ok: false, code: 'bad-ticket-state' });

    const other = printed(h);
    h.ok({ type: 'Tick' }, h.now + 600_000);
    expect(h.run({ type: 'PrintFailed', ticketId: other, reason: 'print not confirmed' }).outcome).toMatchObject({ ok: false, code: 'bad-ticket-state' });
    expect(h.state.tickets[other]?.status).toBe('voided');
  });

  it('a void the kiosk decided is not revived by a confirmation; nor is yesterday\'s timed-out ticket', () => {
    const h = new Hall();
    const failed = printed(h);
    h.ok({ type: 'PrintFailed', ticketId: failed, reason: 'paper-out' });
    expect(h.run({ type: 'PrintConfirmed', ticketId: failed }).outcome).toMatchObject({ ok: false, code: 'bad-ticket-state' });

    const t = printed(h);
    h.ok({ type: 'Tick' }, h.now + 600_000);
    h.now = monday('09:00', '2026-11-24');
    expect(h.run({ type: 'PrintConfirmed', ticketId: t }).outcome.ok).toBe(false);
  });

  it('policy null: never voided; a config recorded without the key: five minutes', () => {
    const off = new Hall(hallConfig({ policy: { printConfirmTimeoutSeconds: null } }));
    const t = printed(off);
    off.ok({ type: 'Tick' }, off.now + 6 * 3_600_000);
    expect(off.state.tickets[t]?.status).toBe('issued');

    const { printConfirmTimeoutSeconds: _gone, ...oldPolicy } = hallConfig().policy;
    const old = new Hall({ ...hallConfig(), policy: oldPolicy });
    const u = printed(old);
    old.ok({ type: 'Tick' }, old.now + 299_000);
    expect(old.state.tickets[u]?.status).toBe('issued');
    old.ok({ type: 'Tick' }, old.now + 300_000);
    expect(old.state.tickets[u]?.status).toBe('voided');
  });

  type Step = { k: 'issue' } | { k: 'confirm' | 'fail'; pick: number } | { k: 'tick'; seconds: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ k: 'issue' as const }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('confirm' as const, 'fail' as const), pick: fc.nat(30) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 400 }) }) },
  );

  it('random kiosk histories: after each Tick no ticket is issued past the bound; a ticket is voided by the timeout only if nothing settled it first; every confirmed cut ends waiting; the log replays to the same state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 600 }), fc.array(step, { minLength: 1, maxLength: 60 }), (limit, steps) => {
        const h = new Hall(hallConfig({ policy: { printConfirmTimeoutSeconds: limit } }), monday('09:00'));
        const issued: string[] = [];
        /** What the kiosk decided per ticket, first decision only (a consistent agent decides once). */
        const decided = new Map<string, 'confirm' | 'fail'>();
        for (const s of steps) {
          if (s.k === 'issue') {
            const r = h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
            if (r.outcome.ok && r.outcome.ticketId) issued.push(r.outcome.ticketId);
          } else if (s.k === 'tick') {
            h.advance(s.seconds / 60);
            h.ok({ type: 'Tick' });
            for (const t of Object.values(h.state.tickets)) if (t.status === 'issued') expect(h.now - t.issuedAt).toBeLessThan(limit * 1000);
          } else {
            const id = issued[s.pick % Math.max(1, issued.length)];
            if (id === undefined || decided.has(id)) continue;
            decided.set(id, s.k);
            const r = h.run(s.k === 'confirm' ? { type: 'PrintConfirmed', ticketId: id } : { type: 'PrintFailed', ticketId: id, reason: 'paper-out' });
            // The paper stands: a cut is taken whether or not the timeout came first; a failure only while still issued.
            if (s.k === 'confirm') expect(r.outcome.ok).toBe(true);
          }
        }
        for (const id of issued) {
          const t = h.state.tickets[id]!;
          const d = decided.get(id);
          if (d === 'confirm') expect(t.status).toBe('waiting');
          const timedOut = h.events('TicketVoided').filter((e) => e.ticketId === id && e.timedOut);
          // Voided by the timeout at most once, and never after the kiosk's own decision.
          expect(timedOut.length).toBeLessThanOrEqual(1);
          const decidedAt = h.log.findIndex((e) => (e.type === 'TicketPrinted' && !e.revived) || (e.type === 'TicketVoided' && !e.timedOut) ? e.ticketId === id : false);
          const voidAt = h.log.findIndex((e) => e.type === 'TicketVoided' && e.timedOut === true && e.ticketId === id);
          if (decidedAt >= 0 && voidAt >= 0) expect(voidAt).toBeLessThan(decidedAt);
          if (d === undefined) expect(['issued', 'voided']).toContain(t.status);
        }
        const replayed: HallState = replayInto(emptyState(), h.log);
        expect(replayed.tickets).toEqual(h.state.tickets);
      }),
      { numRuns: 200 },
    );
  });
});
