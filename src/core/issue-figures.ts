import { dropCallOrders, PositionFinder } from './dispatcher.js';
import { estimatedWaitOf, waitMinutes } from './estimate.js';
import { own } from './own.js';
import type { HallState, IssueFigures, Ticket } from './state.js';
import { dropWaitingIndex, stateWithWaiting } from './waiting-index.js';

/**
 * What a new ticket is told at its issue (issue 13): its wait position, the open windows that can call
 * it and its estimated wait, as if it waited now, and with it every ticket still printing (issued, its
 * cut not confirmed), each where its confirmed print will put it by the queue rules (class, tier,
 * queue key). Five kiosk issues at once are told 1..5, as the status page will say once the cuts are
 * in and nobody was called; counting only the new ticket told each of them 前面还有 0 人 · 即将叫号.
 * A print that then fails or times out (voided) drops out afterwards: the figures are an estimate at
 * issue, one too many ahead for each such ticket; the status page shows the live queue.
 * The decision that issues it records these in the ticket, so the printed ticket
 * (src/agent/flows/kiosk.ts) and the issued SMS (core/notify.ts) say the same figures even when a
 * call, a window or a minute passes between the issue, the print and the cut.
 *
 * Read-only: the tickets wait in a copy of the state (waiting-index.ts stateWithWaiting, its waiting
 * index derived from the state's without a rebuild, the printing ones from its side list, no scan of
 * the day); the state itself is not touched.
 */
export function issueFigures(state: HallState, ticket: Ticket, now: number): IssueFigures {
  const { whatIf, waiting } = stateWithWaiting(state, ticket);
  try {
    const p = new PositionFinder(whatIf, now).positionOf(waiting);
    const ms = estimatedWaitOf(whatIf, now, waiting);
    return { position: p?.position ?? 1, windows: p?.openWindows ?? [], ...(ms === undefined ? {} : { waitMinutes: waitMinutes(ms) }) };
  } finally {
    // The what-if state dies here: its caches go with it now, not at the next full GC (dropWaitingIndex).
    dropCallOrders(whatIf);
    dropWaitingIndex(whatIf);
  }
}

/** The figures a ticket was issued with, if it was issued with them (not in tickets of older logs). */
export function figuresAtIssue(state: HallState, ticketId: string): IssueFigures | undefined {
  return own(state.tickets, ticketId)?.atIssue;
}
