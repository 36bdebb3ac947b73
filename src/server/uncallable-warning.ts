import type { Logger } from '../../drivers/common/logger.js';
import { ticketsAtGoneWindows, uncallableWaiting, type HallState } from '../core/index.js';

/**
 * Warns (once per start or config reload) of waiting tickets no window of the config can call, by service
 * id and count (core uncallableWaiting): a service taken out of the config with tickets still waiting
 * strands their citizens silently otherwise (`config check` reads only the file, not who waits).
 */
export function warnUncallable(state: HallState, logger: Logger): void {
  warnWindowsGone(state, logger);
  const services = uncallableWaiting(state);
  const count = Object.values(services).reduce((a, b) => a + b, 0);
  if (count === 0) return;
  logger.warn(
    { services, count },
    'waiting tickets that no window of the config can call (their service is out of the config or of every window\'s tiers): give the service a window again, or cancel them (admin, or POST /api/commands Cancel)',
  );
}

/**
 * Warns of tickets called or being served at windows taken out of the config (core ticketsAtGoneWindows):
 * no keypad or caller page reaches those windows now, so the tickets stay called until the day ends
 * unless the window comes back. The windows' retained views are cleared from the broker (mqtt-server.ts).
 */
function warnWindowsGone(state: HallState, logger: Logger): void {
  const tickets = ticketsAtGoneWindows(state);
  if (tickets.length === 0) return;
  logger.warn(
    { tickets },
    'tickets called at windows no longer in the config: put the window back in the config to complete, no-show or transfer them, or they stay called until the day ends',
  );
}
