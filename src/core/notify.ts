import { openWindowCount, PositionFinder, type Position } from './dispatcher.js';
import { estimatedWaits, waitMinutes } from './estimate.js';
import type { EventBody } from './events.js';
import { waitingTickets } from './hall.js';
import type { HallState, Ticket } from './state.js';
import { own } from './own.js';

/**
 * The notices the state now owes, as events (DB22/T 2871.4 §7.4.3–7.4.5), each at most once per
 * ticket and reason:
 *  - issued: when a ticket starts waiting, with the position, windows and estimated wait it was issued
 *    with (Ticket.atIssue, core/issue-figures.ts: what its paper says), or its present ones without them;
 *  - near: the first time its position is below nearFactor × its open eligible windows, only
 *    while it waits and was never called (so never after a call, whatever re-queues follow);
 *    a ticket already that close at issue is told so in the issued notice (unless nearAtIssue, or
 *    it was issued with no open window to name: its issued notice says what its paper says);
 *  - called: at its first call.
 */
export function notificationsDue(state: HallState, now: number): EventBody[] {
  const policy = state.config?.policy;
  if (!policy) return [];
  // Near means a position below nearFactor × its open eligible windows ≤ nearFactor × all open
  // windows: so only the tickets in that many first entries of an open window's call order can be
  // near, and those orders are computed that far and no further (issue 12: positions and the estimate
  // ran over the whole queue on every command). test/core/notify-incremental checks this against the
  // full computation.
  const nearLimit = Math.ceil(policy.nearFactor * openWindowCount(state));
  const owed: { t: Ticket; p: Position | undefined; isNear: boolean }[] = [];
  const owe = (t: Ticket, p: Position | undefined) => {
    const isNear = p !== undefined && p.openWindows.length > 0 && p.position < policy.nearFactor * p.openWindows.length;
    if (t.notified.issued !== undefined && !isNear) return;
    owed.push({ t, p, isNear });
  };
  const waiting = waitingTickets(state);
  const front = new PositionFinder(state, now, nearLimit);
  let full: PositionFinder | undefined;
  for (const t of waiting) {
    if (t.notified.issued !== undefined) continue;
    // A ticket issued with its figures (atIssue) is told those: of its present position only "is it
    // near?" matters, which the front of the queue answers (undefined: not near). Its issue walked the
    // queue to it already (issue-figures.ts); a second walk here doubled an issue's cost. Only a ticket
    // of an older log, issued without them, is told its present position, wherever it stands.
    owe(t, t.atIssue ? front.positionOf(t) : (full ??= new PositionFinder(state, now)).positionOf(t));
  }
  // The others can only be near, so only the tickets in the first nearLimit entries of an open
  // window's call order are looked at.
  for (const t of front.front()) if (t.notified.issued !== undefined && t.notified.near === undefined && t.calledAt === undefined) owe(t, front.positionOf(t));
  // In queue order, as a scan of the waiting tickets would find them.
  if (owed.length > 1) {
    const rank = new Map(owed.map((o) => [o.t.id, waiting.indexOf(o.t)]));
    owed.sort((a, b) => (rank.get(a.t.id) ?? 0) - (rank.get(b.t.id) ?? 0));
  }
  const out: EventBody[] = [];
  // The issued notice says the figures fixed at issue (the ticket's atIssue, issue 13: what its paper
  // says, however the queue moved before its cut); only a near notice, and an issued one of a ticket
  // from before the field, needs the estimate now.
  const fixedAt = (t: Ticket) => (t.notified.issued === undefined ? t.atIssue : undefined);
  // Near at issue goes in the issued message only when that names windows to wait near: one issued with
  // none open (its paper says 请留意叫号屏) and near by its cut, a window having opened, is told apart.
  const nearApart = (o: (typeof owed)[number]) => o.isNear && (policy.nearAtIssue || fixedAt(o.t)?.windows.length === 0);
  const wanted = new Set(owed.filter((o) => fixedAt(o.t) === undefined || nearApart(o)).map((o) => o.t.id));
  const eta = wanted.size === 0 ? undefined : estimatedWaits(state, now, wanted);
  for (const o of owed) {
    const { t, p, isNear } = o;
    const ms = eta?.get(t.id);
    const ids = { ticketId: t.id, number: t.number, serviceId: t.serviceId } as const;
    // Undefined only for a ticket told its figures at issue and not near now: `base` is not said then.
    const present = p ?? { position: 0, openWindows: [] };
    const base = { ...ids, position: present.position, windows: present.openWindows, ...(ms === undefined ? {} : { waitMinutes: waitMinutes(ms) }) } as const;
    const fixed = fixedAt(t);
    if (t.notified.issued === undefined) {
      const told = fixed ? { ...ids, position: fixed.position, windows: fixed.windows, ...(fixed.waitMinutes === undefined ? {} : { waitMinutes: fixed.waitMinutes }) } : base;
      const apart = nearApart(o);
      out.push({ type: 'NotificationDue', reason: 'issued', ...told, ...(isNear && !apart ? { near: true } : {}) });
      if (apart) out.push({ type: 'NotificationDue', reason: 'near', ...base });
    } else {
      out.push({ type: 'NotificationDue', reason: 'near', ...base });
    }
  }
  // A ticket being called is the current ticket of its window.
  for (const w of Object.values(state.windows)) {
    const t = w.current === undefined ? undefined : own(state.tickets, w.current);
    if (t && (t.status === 'called' || t.status === 'serving') && t.notified.called === undefined) {
      out.push({ type: 'NotificationDue', reason: 'called', ticketId: t.id, number: t.number, serviceId: t.serviceId, windows: [w.id] });
    }
  }
  return out;
}
