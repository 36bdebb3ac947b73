import type { Logger } from '../../drivers/common/logger.js';
import { uncallableWaiting, type HallState } from '../core/index.js';

/**
 * Warns (once per start or config reload) of waiting tickets no window of the config can call, by service
 * id and count (core uncallableWaiting): a service taken out of the config with tickets still waiting
 * strands their citizens silently otherwise (`config check` reads only the file, not who waits).
 */
export function warnUncallable(state: HallState, logger: Logger): void {
  const services = uncallableWaiting(state);
  const count = Object.values(services).reduce((a, b) => a + b, 0);
  if (count === 0) return;
  logger.warn(
    { services, count },
    'waiting tickets that no window of the config can call (their service is out of the config or of every window\'s tiers): give the service a window again, or cancel them (admin, or POST /api/commands Cancel)',
  );
}
