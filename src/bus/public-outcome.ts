import { foundWords } from '../../drivers/common/invalid-text.js';
import type { Outcome } from '../core/outcome.js';

/**
 * An outcome as it leaves the server or an acting agent (HTTP /api/commands, MQTT replies to agents,
 * island answers, the CLI's output).
 * A refusal's `detail` is of two kinds, as the core marks it (src/core/outcome.ts `detailOwn`):
 * - the hall's own values (a ticket id that exists and its status: `20261123-A012 is done`): shown as
 *   they are; a ticket id's 8-digit date is no phone number;
 * - an echo of what the sender wrote (a service id, a staff id, a ticket id that does not exist), and
 *   every detail of a log written before the mark: worded as every refused value is
 *   (drivers/common/invalid-text.ts): quoted only when it cannot be personal data (no run of 7 digits,
 *   no Chinese characters, no '@'), control and direction characters escaped, at most 40 characters;
 *   otherwise only its kind ("text of 15 characters").
 * The mark itself stays inside; the core and the event log keep the detail as it came.
 */
export function publicOutcome(outcome: Outcome): Outcome {
  if (outcome.ok) return outcome;
  const { detailOwn, ...rest } = outcome;
  if (rest.detail === undefined || detailOwn === true) return rest;
  return { ...rest, detail: foundWords(rest.detail).en };
}
