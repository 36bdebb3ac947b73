import { expect } from 'vitest';
import type { HallEvent } from '../../src/core/index.js';

/**
 * The island campaigns' sequence checker (issue 10) over the server's log after a return: every
 * acknowledged ticket issued once under the number printed on it, no number given twice, no ticket
 * called or served twice, no notice (ticket, reason) due twice.
 */
export function expectIslandSequence(events: readonly HallEvent[], acknowledged: readonly { ticketId: string; number: string }[]): void {
  for (const a of acknowledged) expect(events.flatMap((e) => (e.type === 'TicketIssued' && e.ticket.id === a.ticketId ? [e.ticket.number] : [])), a.ticketId).toEqual([a.number]);
  const once = (list: string[], what: string) => expect(list.filter((x, i) => list.indexOf(x) !== i), what).toEqual([]);
  once(events.flatMap((e) => (e.type === 'TicketIssued' ? [e.ticket.number] : [])), 'numbers given twice');
  once(events.flatMap((e) => (e.type === 'ServiceCompleted' ? [e.ticketId] : [])), 'tickets served twice');
  once(events.flatMap((e) => (e.type === 'TicketCalled' ? [e.ticketId] : [])), 'tickets called twice');
  once(events.flatMap((e) => (e.type === 'NotificationDue' ? [`${e.ticketId}/${e.reason}`] : [])), 'notices due twice');
}
