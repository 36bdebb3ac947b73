import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, canServe, decide, emptyState, estimatedWaits, notificationsDue, own, positions, printingTickets, queueView, waitMinutes, waitingTickets, windowSequence, windowView, type Command, type EventBody, type HallConfig, type HallEvent, type HallState, type Ticket, type WindowDef } from '../../src/core/index.js';
import { keyOrderIsQueuedOrder, serviceQueue, targetedWindows, waitingByQueued } from '../../src/core/hall.js';
import { queueOnceConfirmed, sortedPositions, sortedSequence } from './call-order-oracle.js';
import { Hall, hallConfig, monday, type DistributiveOmit } from './fixtures.js';

/**
 * notificationsDue computes exact positions only for new tickets and, for the rest, each window's
 * call order only as far as "near" can reach, and the estimate only as far as the tickets it tells
 * (issue 12). Oracle: the full computation it replaced (every waiting ticket's position from
 * `positions`, every estimate from `estimatedWaits`), on random histories in which notices are
 * sometimes left unsent, so many tickets owe one at once.
 */
function fullNotificationsDue(state: HallState, now: number): EventBody[] {
  const policy = state.config?.policy;
  if (!policy) return [];
  const out: EventBody[] = [];
  const pos = sortedPositions(state, now);
  expect(positions(state, now)).toEqual(pos);
  const eta = estimatedWaits(state, now);
  for (const t of waitingTickets(state)) {
    if (t.notified.issued !== undefined && (t.notified.near !== undefined || t.calledAt !== undefined)) continue;
    const p = pos.get(t.id);
    if (!p) continue;
    const isNear = p.openWindows.length > 0 && p.position < policy.nearFactor * p.openWindows.length;
    if (t.notified.issued !== undefined && !isNear) continue;
    const ms = eta.get(t.id);
    const base = { ticketId: t.id, number: t.number, serviceId: t.serviceId, position: p.position, windows: p.openWindows, ...(ms === undefined ? {} : { waitMinutes: waitMinutes(ms) }) } as const;
    if (t.notified.issued === undefined) {
      // The issued notice tells the figures fixed at issue (issue 13).
      const f = t.atIssue;
      const told = f ? { ticketId: t.id, number: t.number, serviceId: t.serviceId, position: f.position, windows: f.windows, ...(f.waitMinutes === undefined ? {} : { waitMinutes: f.waitMinutes }) } : base;
      // Near goes in it only with windows to name (none open at issue: a near notice of its own).
      const apart = isNear && (policy.nearAtIssue || told.windows.length === 0);
      out.push({ type: 'NotificationDue', reason: 'issued', ...told, ...(isNear && !apart ? { near: true } : {}) });
      if (apart) out.push({ type: 'NotificationDue', reason: 'near', ...base });
    } else {
      out.push({ type: 'NotificationDue', reason: 'near', ...base });
    }
  }
  for (const w of Object.values(state.windows)) {
    const t = w.current === undefined ? undefined : own(state.tickets, w.current);
    if (t && (t.status === 'called' || t.status === 'serving') && t.notified.called === undefined) {
      out.push({ type: 'NotificationDue', reason: 'called', ticketId: t.id, number: t.number, serviceId: t.serviceId, windows: [w.id] });
    }
  }
  return out;
}

/** queueView as it was: a scan of the day's tickets (oracle for the indexes it now reads). */
function scannedQueueView(state: HallState): ReturnType<typeof queueView> {
  const services: ReturnType<typeof queueView>['services'] = {};
  for (const s of state.config?.services ?? []) services[s.id] = { waiting: 0, issued: state.counters[s.id] ?? 0, served: 0 };
  for (const t of Object.values(state.tickets)) {
    const s = services[t.serviceId];
    if (!s) continue;
    if (t.status === 'waiting') s.waiting += 1;
    if (t.status === 'done') s.served += 1;
  }
  return { seq: state.seq, day: state.day, services };
}

/**
 * The waiting index as apply keeps it, one ticket per event (src/core/waiting-index.ts), in ids. Its
 * oracle is the same function on a structured clone of the state: a state the index has never seen,
 * so it is built from a scan of the day's tickets, as it was before it was kept incrementally. With
 * the side list of tickets still printing, whose new tickets' figures count them.
 */
function waitingIndexIds(state: HallState) {
  const ids = (ts: readonly Ticket[]) => ts.map((t) => t.id);
  const services = Object.fromEntries(
    (state.config?.services ?? []).map((s) => {
      const q = serviceQueue(state, s.id);
      return [s.id, { appointment: ids(q.appointment), priority: ids(q.priority), normal: ids(q.normal), byQueued: ids(q.byQueued) }];
    }),
  );
  return { waiting: ids(waitingTickets(state)), byQueued: ids(waitingByQueued(state)), services, targeted: [...targetedWindows(state)].sort((a, b) => a[0] - b[0]), printing: ids(printingTickets(state)) };
}

/** Every window's lazy call order (whole, and cut at a few lengths) against the sorted one. */
function expectSequencesSorted(state: HallState, now: number): void {
  for (const w of state.config?.windows ?? []) {
    const sorted = sortedSequence(state, w, now);
    expect(windowSequence(state, w, now)).toEqual(sorted);
    for (const limit of [1, 3]) expect(windowSequence(state, w, now, limit)).toEqual(sorted.slice(0, limit));
  }
}

/** What a new ticket is told at issue, from a structured clone of the state (its index built by a scan) in which it waits. */
function scannedFigures(state: HallState, t: Ticket, now: number) {
  const copy = queueOnceConfirmed(state, t);
  const p = sortedPositions(copy, now).get(t.id);
  const ms = estimatedWaits(copy, now).get(t.id);
  return { position: p?.position ?? 1, windows: p?.openWindows ?? [], ...(ms === undefined ? {} : { waitMinutes: waitMinutes(ms) }) };
}

type Cmd = DistributiveOmit<Command, 'id'>;

function withoutFigures(t: Ticket): Ticket {
  const { atIssue: _, ...rest } = t;
  return rest;
}
type Action = { k: 'issue'; service: string; priority: boolean; print: boolean; figures: boolean } | { k: 'cmd'; type: 'CallNext' | 'NoShow' | 'Complete' | 'PauseWindow' | 'ResumeWindow' | 'CloseWindow' | 'OpenWindow'; window: number } | { k: 'confirm'; pick: number } | { k: 'fail'; pick: number } | { k: 'transfer'; window: number; toWindow: number } | { k: 'advance'; minutes: number };

const windows = [1, 2, 3, 4, 5, 6];
const tiered: HallConfig = hallConfig({
  windows: [
    { id: 1, kind: 'general', tiers: [['A', 'B']] },
    { id: 2, kind: 'general', tiers: [['A', 'B']] },
    { id: 3, kind: 'domain', tiers: [['B'], ['A']] },
    { id: 4, kind: 'domain', tiers: [['A'], ['B']] },
    { id: 5, kind: 'general', tiers: [['A'], ['B']] },
    { id: 6, kind: 'special', tiers: [['C']] },
  ],
});

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant('issue' as const), service: fc.constantFrom('A', 'B'), priority: fc.boolean(), print: fc.boolean(), figures: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('cmd' as const), type: fc.constantFrom('CallNext' as const, 'NoShow' as const, 'Complete' as const, 'PauseWindow' as const, 'ResumeWindow' as const, 'CloseWindow' as const, 'OpenWindow' as const), window: fc.constantFrom(...windows) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('confirm' as const), pick: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fail' as const), pick: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('transfer' as const), window: fc.constantFrom(...windows), toWindow: fc.constantFrom(...windows) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('advance' as const), minutes: fc.integer({ min: 0, max: 20 }) }) },
);

function commandOf(state: HallState, a: Action): Cmd | undefined {
  switch (a.k) {
    case 'issue':
      return { type: 'IssueTicket', serviceId: a.service, delivery: a.print ? 'print' : 'none', ...(a.priority ? { priority: true } : {}) };
    case 'confirm': {
      const issued = Object.values(state.tickets).filter((t) => t.status === 'issued');
      const t = issued[a.pick % Math.max(1, issued.length)];
      return t ? { type: 'PrintConfirmed', ticketId: t.id } : undefined;
    }
    case 'fail': {
      const issued = Object.values(state.tickets).filter((t) => t.status === 'issued');
      const t = issued[a.pick % Math.max(1, issued.length)];
      return t ? { type: 'PrintFailed', ticketId: t.id, reason: 'paper out' } : undefined;
    }
    case 'transfer':
      return { type: 'Transfer', window: a.window, toService: 'A', toWindow: a.toWindow };
    case 'cmd':
      if (a.type === 'OpenWindow') return { type: 'OpenWindow', window: a.window, staffId: `s${a.window}` };
      if (a.type === 'PauseWindow') return { type: 'PauseWindow', window: a.window, reason: 'break' };
      return { type: a.type, window: a.window } as Cmd;
    case 'advance':
      return undefined;
  }
}

describe('notices computed from the front of the queue', () => {
  it('equal the full recomputation over every waiting ticket, on random histories (and the queue view and each window’s waiting count their full scan, the lazy call order of each window the sorted one)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(actionArb, fc.boolean()), { minLength: 1, maxLength: 120 }),
        fc.double({ min: 0.3, max: 4, noNaN: true }),
        fc.boolean(),
        fc.subarray(windows, { minLength: 1 }),
        (steps, nearFactor, nearAtIssue, opened) => {
          const config = { ...tiered, policy: { ...tiered.policy, nearFactor, nearAtIssue, agingMinutes: 30 } };
          const state = emptyState();
          let now = monday('09:00');
          let n = 0;
          const run = (cmd: Cmd, notify: boolean, figures = true) => {
            const id = `c${++n}`;
            const d = decide(state, { ...cmd, id } as Command, now);
            // The figures a new ticket is told (issue-figures.ts, on a what-if state sharing the state's index) against a copy scanned afresh.
            for (const b of d.events) if (b.type === 'TicketIssued') expect(b.ticket.atIssue).toEqual(scannedFigures(state, b.ticket, now));
            const decided: EventBody[] = d.events.length > 0 ? d.events : [{ type: d.outcome.ok ? 'CommandNoop' : 'CommandRejected' }];
            // A ticket of an older log, issued without its figures (atIssue): told its present position, wherever it stands.
            const bodies = figures ? decided : decided.map((b) => (b.type === 'TicketIssued' ? { ...b, ticket: withoutFigures(b.ticket) } : b));
            const push = (b: EventBody, last: boolean) => apply(state, { ...b, seq: state.seq + 1, at: now, commandId: id, ...(last ? { outcome: d.outcome } : {}) } as HallEvent);
            bodies.forEach((b, i) => push(b, i === bodies.length - 1));
            const due = notificationsDue(state, now);
            expect(due).toEqual(fullNotificationsDue(state, now));
            expect(queueView(state)).toEqual(scannedQueueView(state));
            // Each window's waiting count, from the index (or a scan while a transferred ticket waits), against a scan.
            for (const w of state.config?.windows ?? []) expect(windowView(state, w.id).waiting).toBe(waitingTickets(state).filter((t) => canServe(w, t)).length);
            expect(waitingIndexIds(state)).toEqual(waitingIndexIds(structuredClone(state)));
            // Whether queue-key order is time-joined order, carried from event to event, against a scan.
            expect(keyOrderIsQueuedOrder(state)).toBe(waitingTickets(state).every((t, i, w) => i === 0 || (w[i - 1] as Ticket).queuedAt <= t.queuedAt));
            expectSequencesSorted(state, now);
            // Sometimes the notices are left owed, so later states owe many at once.
            if (notify) for (const b of due) push(b, false);
          };
          run({ type: 'Configure', config }, true);
          for (const w of opened) run({ type: 'OpenWindow', window: w, staffId: `s${w}` }, true);
          for (const [a, notify] of steps) {
            if (a.k === 'advance') now += a.minutes * 60_000;
            const cmd = commandOf(state, a);
            if (cmd) run(cmd, notify, a.k !== 'issue' || a.figures);
            else {
              expect(notificationsDue(state, now)).toEqual(fullNotificationsDue(state, now));
              expectSequencesSorted(state, now);
            }
          }
          expect(waitingTickets(state).length).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the tier rule after a re-queue', () => {
  it('takes a tier’s longest wait from behind a re-queued ticket (the shortcut over class heads holds only while queue-key order is time-joined order)', () => {
    // Windows 1 and 2 serve A, then B; θ = 0.25 × 6 min = 1.5 min. R, called at 8:59 and a no-show at
    // 10:00, is re-queued behind two A tickets, ahead of X (9:05): once those two are called, the
    // oldest A left is X, not R, so A (55 min) still beats B's Y (30 min less θ).
    const config = hallConfig({ windows: [1, 2].map((id) => ({ id, kind: 'domain' as const, tiers: [['A'], ['B']] })), policy: { agingMinutes: 120, noShow: { requeueAfter: 2, maxRequeues: 1 } } });
    const h = new Hall(config, monday('08:59'));
    h.open(1);
    h.open(2);
    const r = h.issue('A');
    expect(h.callNext(1)).toBe(r);
    h.advance(1);
    const a = h.issue('A');
    h.advance(1);
    const b = h.issue('A');
    h.advance(4);
    const x = h.issue('A');
    h.advance(25);
    const y = h.issue('B');
    h.advance(30);
    h.ok({ type: 'NoShow', window: 1 });
    const win = config.windows[1] as WindowDef;
    const order = windowSequence(h.state, win, h.now).map((e) => e.ticket.id);
    expect(order).toEqual(sortedSequence(h.state, win, h.now).map((e) => e.ticket.id));
    expect(order).toEqual([a, b, r, x, y]);
  });
});
