import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, decide, defaultPolicy, emptyState, ticketView, waitMinutes, type Command, type EventBody, type HallConfig, type HallEvent, type HallState, type Ticket, type TimeRange, type WindowDef } from '../../src/core/index.js';
import { issueFigures } from '../../src/core/issue-figures.js';
import { dryRunWaits, queueOnceConfirmed, sortedPositions } from './call-order-oracle.js';
import { hallConfig, monday, type DistributiveOmit } from './fixtures.js';

/**
 * What a new ticket is told at issue (issue-figures.ts) is computed on a what-if state that shares the
 * state's index, down lazily computed call orders shared between the position and the estimate (issue 12).
 * Oracle: the figures as first defined, on a structured clone of the state in which the ticket waits,
 * from each window's sorted call order and the unshared dry run (call-order-oracle.ts). Random halls:
 * windows with one to three tiers (a service may be listed in two), any interleave (strict priority,
 * `normal: 0`, included), strict and slack tiers, aging, appointments, transfers to one window, closed
 * and paused windows, and time passing; and tickets still printing, which the figures count where they
 * will wait once confirmed: rushes of printed tickets issued back to back (several kiosks at once),
 * prints confirmed, failed (voided) and timed out (voided, revived by a late cut) in any order.
 */
function oracleFigures(state: HallState, t: Ticket, now: number) {
  const copy = queueOnceConfirmed(state, t);
  const p = sortedPositions(copy, now).get(t.id);
  const ms = dryRunWaits(copy, now).get(t.id);
  return { position: p?.position ?? 1, windows: p?.openWindows ?? [], ...(ms === undefined ? {} : { waitMinutes: waitMinutes(ms) }) };
}

const services = ['A', 'B', 'C', 'D'];
const allDay: TimeRange[] = [{ from: '00:00', to: '24:00' }];
const windowIds = [1, 2, 3, 4, 5];

const tiersArb: fc.Arbitrary<string[][]> = fc.array(fc.subarray(services, { minLength: 1 }), { minLength: 1, maxLength: 3 });
const configArb: fc.Arbitrary<HallConfig> = fc
  .record({
    tiers: fc.array(tiersArb, { minLength: windowIds.length, maxLength: windowIds.length }),
    normal: fc.integer({ min: 0, max: 3 }),
    priority: fc.integer({ min: 1, max: 3 }),
    tierSlack: fc.constantFrom(null, 0, 0.25, 2),
    agingMinutes: fc.constantFrom(0, 5, 30, 600),
  })
  .map(({ tiers, normal, priority, tierSlack, agingMinutes }) => {
    const base = hallConfig({
      windows: windowIds.map((id, i): WindowDef => ({ id, kind: 'general', tiers: tiers[i] ?? [['A']] })),
      policy: { interleave: { normal, priority }, tierSlack, agingMinutes, perId: { ...defaultPolicy.perId, dailyCap: 999 } },
    });
    return {
      ...base,
      hours: { ...base.hours, weekly: { sun: allDay, mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay } },
      services: services.map((id, i) => ({ id, name: { zh: id, en: id }, prefix: id, dailyQuota: 999, idRequired: false, avgServiceMinutes: 3 + 4 * i })),
    };
  });

type Action =
  | { k: 'issue'; service: string; priority: boolean; print: boolean }
  | { k: 'appointment'; service: string; lateMinutes: number }
  | { k: 'cmd'; type: 'CallNext' | 'NoShow' | 'Complete' | 'PauseWindow' | 'ResumeWindow' | 'CloseWindow' | 'OpenWindow'; window: number }
  | { k: 'confirm'; pick: number }
  | { k: 'fail'; pick: number }
  | { k: 'rush'; issues: { service: string; priority: boolean }[] }
  | { k: 'tick' }
  | { k: 'transfer'; window: number; toWindow: number; toService: string }
  | { k: 'advance'; minutes: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant('issue' as const), service: fc.constantFrom(...services), priority: fc.boolean(), print: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('appointment' as const), service: fc.constantFrom(...services), lateMinutes: fc.integer({ min: -20, max: 30 }) }) },
  { weight: 7, arbitrary: fc.record({ k: fc.constant('cmd' as const), type: fc.constantFrom('CallNext' as const, 'CallNext' as const, 'NoShow' as const, 'Complete' as const, 'PauseWindow' as const, 'ResumeWindow' as const, 'CloseWindow' as const, 'OpenWindow' as const), window: fc.constantFrom(...windowIds) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('confirm' as const), pick: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fail' as const), pick: fc.nat(30) }) },
  // Several kiosks at once: printed tickets issued back to back, none confirmed before the next.
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rush' as const), issues: fc.array(fc.record({ service: fc.constantFrom(...services), priority: fc.boolean() }), { minLength: 2, maxLength: 6 }) }) },
  // The print-confirm timeout voids prints left unconfirmed (a late cut revives one: confirm picks those too).
  { weight: 1, arbitrary: fc.constant({ k: 'tick' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('transfer' as const), window: fc.constantFrom(...windowIds), toWindow: fc.constantFrom(...windowIds), toService: fc.constantFrom(...services) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('advance' as const), minutes: fc.integer({ min: 0, max: 15 }) }) },
);

type Cmd = DistributiveOmit<Command, 'id'>;

function commandsOf(state: HallState, a: Action, now: number, n: number): Cmd[] {
  switch (a.k) {
    case 'issue':
      return [{ type: 'IssueTicket', serviceId: a.service, delivery: a.print ? 'print' : 'none', ...(a.priority ? { priority: true } : {}) }];
    case 'appointment': {
      // Booked for a slot lateMinutes ago (negative: ahead), checked in now: on time gives the appointment class.
      const id = `ap${n}`;
      const slotStart = now - a.lateMinutes * 60_000;
      const person = { idHash: `h${n}`, idMasked: `***${n}` };
      return [
        { type: 'BookAppointment', appointment: { id, serviceId: a.service, slotStart, slotEnd: slotStart + 30 * 60_000, person } },
        { type: 'CheckIn', appointmentId: id, delivery: 'none' },
      ];
    }
    case 'confirm': {
      const issued = Object.values(state.tickets).filter((t) => t.status === 'issued' || t.printTimedOut === true);
      const t = issued[a.pick % Math.max(1, issued.length)];
      return t ? [{ type: 'PrintConfirmed', ticketId: t.id }] : [];
    }
    case 'fail': {
      const issued = Object.values(state.tickets).filter((t) => t.status === 'issued');
      const t = issued[a.pick % Math.max(1, issued.length)];
      return t ? [{ type: 'PrintFailed', ticketId: t.id, reason: 'paper out' }] : [];
    }
    case 'rush':
      return a.issues.map((i): Cmd => ({ type: 'IssueTicket', serviceId: i.service, delivery: 'print', ...(i.priority ? { priority: true } : {}) }));
    case 'tick':
      return [{ type: 'Tick' }];
    case 'transfer':
      return [{ type: 'Transfer', window: a.window, toService: a.toService, toWindow: a.toWindow }];
    case 'cmd':
      if (a.type === 'OpenWindow') return [{ type: 'OpenWindow', window: a.window, staffId: `s${a.window}` }];
      if (a.type === 'PauseWindow') return [{ type: 'PauseWindow', window: a.window, reason: 'break' }];
      return [{ type: a.type, window: a.window } as Cmd];
    case 'advance':
      return [];
  }
}

/** A ticket of `serviceId` as the next issue would make it (decide-ticket.ts newTicket), without its figures. */
function candidate(state: HallState, serviceId: string, cls: Ticket['class'], now: number): Ticket {
  return { id: `${state.day}-next-${serviceId}`, number: `${serviceId}999`, serviceId, class: cls, day: state.day, status: 'waiting', delivery: 'none', issuedAt: now, queuedAt: now, queueKey: state.nextQueueKey, recalls: 0, noShows: 0, transfers: 0, notified: {} };
}

/** Confirms every print still open on a copy of `state`, then compares ticket `id`'s status view with its figures. */
function expectStatusAfterCuts(state: HallState, id: string | undefined, now: number): boolean {
  const last = id === undefined ? undefined : state.tickets[id];
  if (last?.status !== 'issued' || !last.atIssue) return false;
  const copy = structuredClone(state);
  for (const t of Object.values(copy.tickets)) {
    if (t.status !== 'issued') continue;
    const d = decide(copy, { id: `cut-${t.id}`, type: 'PrintConfirmed', ticketId: t.id } as Command, now);
    expect(d.outcome.ok).toBe(true);
    d.events.forEach((b, i) => apply(copy, { ...b, seq: copy.seq + 1, at: now, commandId: `cut-${t.id}`, ...(i === d.events.length - 1 ? { outcome: d.outcome } : {}) } as HallEvent));
  }
  const view = ticketView(copy, last.id, now);
  const f = last.atIssue;
  expect({ position: view?.position, windows: view?.windows, waitMinutes: view?.estimatedWaitMinutes }).toEqual({ position: f.position, windows: f.windows, waitMinutes: f.waitMinutes });
  return true;
}

describe('the figures a new ticket is told at issue', () => {
  it('equal the figures as first defined (sorted call orders, unshared dry run, on a clone), exactly, on random halls', () => {
    let compared = 0;
    let rushes = 0;
    fc.assert(
      fc.property(configArb, fc.subarray(windowIds, { minLength: 1 }), fc.array(actionArb, { minLength: 1, maxLength: 90 }), (config, opened, steps) => {
        const state = emptyState();
        let now = monday('09:00');
        let n = 0;
        const run = (cmd: Cmd) => {
          const id = `c${++n}`;
          const d = decide(state, { ...cmd, id } as Command, now);
          // The figures recorded in the ticket by the decision that issued it.
          for (const b of d.events) {
            if (b.type !== 'TicketIssued') continue;
            expect(b.ticket.atIssue).toEqual(oracleFigures(state, b.ticket, now));
            compared++;
          }
          const bodies: EventBody[] = d.events.length > 0 ? d.events : [{ type: d.outcome.ok ? 'CommandNoop' : 'CommandRejected' }];
          bodies.forEach((b, i) => apply(state, { ...b, seq: state.seq + 1, at: now, commandId: id, ...(i === bodies.length - 1 ? { outcome: d.outcome } : {}) } as HallEvent));
          return d.outcome.ok ? d.outcome.ticketId : undefined;
        };
        run({ type: 'Configure', config });
        for (const w of opened) run({ type: 'OpenWindow', window: w, staffId: `s${w}` });
        for (const a of steps) {
          if (a.k === 'advance') now += a.minutes * 60_000;
          let issued: string | undefined;
          for (const cmd of commandsOf(state, a, now, n)) issued = run(cmd) ?? issued;
          // After a rush, with no call between: once every print is confirmed, the status page says what
          // the rush's last ticket was told at its issue.
          if (a.k === 'rush' && expectStatusAfterCuts(state, issued, now)) rushes++;
          // And a ticket of each service and class, issued now, told what the oracle tells it.
          for (const s of services) {
            for (const cls of ['normal', 'priority', 'appointment'] as const) {
              const t = candidate(state, s, cls, now);
              expect(issueFigures(state, t, now)).toEqual(oracleFigures(state, t, now));
            }
          }
        }
      }),
      { numRuns: 120 },
    );
    // The property looked at issues the decisions made, not only the candidates.
    expect(compared).toBeGreaterThan(200);
    expect(rushes).toBeGreaterThan(10);
  });
});
