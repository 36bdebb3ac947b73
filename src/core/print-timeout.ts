import type { EventBody } from './events.js';
import type { HallConfig } from './model.js';
import type { HallState, Ticket } from './state.js';

/** The reason a ticket whose print was never confirmed in time is voided with (TicketVoided.reason). */
export const PRINT_CONFIRM_TIMEOUT = 'print-confirm-timeout';

/** When the policy has no value (a config recorded before the rule existed): five minutes. */
export const DEFAULT_PRINT_CONFIRM_TIMEOUT_SECONDS = 300;

/** The policy's bound in ms, or null when the rule is off. */
export function printConfirmTimeoutMs(config: HallConfig): number | null {
  const s = config.policy.printConfirmTimeoutSeconds;
  if (s === null) return null;
  return (s ?? DEFAULT_PRINT_CONFIRM_TIMEOUT_SECONDS) * 1000;
}

/**
 * The voids a Tick at `now` owes: today's tickets still `issued` (their print neither confirmed nor
 * failed) `printConfirmTimeoutSeconds` after their issue. A kiosk that is alive settles its print in
 * seconds (answer timeouts, the journal), so a ticket this old belongs to an agent that died or lost
 * its link; without this it would sit `issued` until the day ends. The void is marked `timedOut`: the
 * cut may still come (the agent's journal or island outbox holds it), and then the paper stands
 * (`revivable`). Decided from the state and the tick's time only, so a replay gives the same events.
 */
export function printTimeoutsDue(state: HallState, config: HallConfig, now: number): EventBody[] {
  const limit = printConfirmTimeoutMs(config);
  if (limit === null) return [];
  const due: EventBody[] = [];
  for (const t of Object.values(state.tickets)) {
    if (t.status === 'issued' && t.day === state.day && now - t.issuedAt >= limit) due.push({ type: 'TicketVoided', ticketId: t.id, reason: PRINT_CONFIRM_TIMEOUT, timedOut: true });
  }
  return due;
}

/**
 * A ticket the timeout voided whose cut is confirmed afterwards (the same day) goes back to waiting at
 * its first place: the citizen holds the paper, and its number was never given to anyone else.
 */
export function revivable(state: HallState, t: Ticket): boolean {
  return t.status === 'voided' && t.printTimedOut === true && t.day === state.day;
}
