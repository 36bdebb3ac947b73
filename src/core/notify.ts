import { positions } from './dispatcher.js';
import { estimatedWaits, waitMinutes } from './estimate.js';
import type { EventBody } from './events.js';
import { waitingTickets } from './hall.js';
import type { HallState } from './state.js';
import { own } from './own.js';

/**
 * The notices the state now owes, as events (DB22/T 2871.4 §7.4.3–7.4.5), each at most once per
 * ticket and reason:
 *  - issued: when a ticket starts waiting, with its position, windows and estimated wait;
 *  - near: the first time its position is below nearFactor × its open eligible windows, only
 *    while it waits and was never called (so never after a call, whatever re-queues follow);
 *    a ticket already that close at issue is told so in the issued notice (unless nearAtIssue);
 *  - called: at its first call.
 */
export function notificationsDue(state: HallState, now: number): EventBody[] {
  const policy = state.config?.policy;
  if (!policy) return [];
  const out: EventBody[] = [];
  let pos: ReturnType<typeof positions> | undefined;
  let eta: Map<string, number> | undefined;
  for (const t of waitingTickets(state)) {
    if (t.notified.issued !== undefined && (t.notified.near !== undefined || t.calledAt !== undefined)) continue;
    pos ??= positions(state, now);
    const p = pos.get(t.id);
    if (!p) continue;
    const isNear = p.openWindows.length > 0 && p.position < policy.nearFactor * p.openWindows.length;
    if (t.notified.issued !== undefined && !isNear) continue;
    eta ??= estimatedWaits(state, now);
    const ms = eta.get(t.id);
    const base = { ticketId: t.id, number: t.number, serviceId: t.serviceId, position: p.position, windows: p.openWindows, ...(ms === undefined ? {} : { waitMinutes: waitMinutes(ms) }) } as const;
    if (t.notified.issued === undefined) {
      const nearNow = isNear && !policy.nearAtIssue;
      out.push({ type: 'NotificationDue', reason: 'issued', ...base, ...(nearNow ? { near: true } : {}) });
      if (isNear && policy.nearAtIssue) out.push({ type: 'NotificationDue', reason: 'near', ...base });
    } else if (isNear) {
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
