import { own } from './own.js';
import type { Appointment, HallState } from './state.js';

/**
 * Whether an appointment can still be checked in: booked, or checked in to a ticket that was voided (its
 * print failed or timed out, so the citizen never held it: a paper jam must not use up the booking). A
 * checked-in appointment whose ticket the citizen has is used; a cancelled one is gone.
 */
export function openForCheckIn(state: HallState, a: Appointment): boolean {
  if (a.status === 'booked') return true;
  if (a.status !== 'checked-in' || a.ticketId === undefined) return false;
  return own(state.tickets, a.ticketId)?.status === 'voided';
}
