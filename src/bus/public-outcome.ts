import { foundWords } from '../../drivers/common/invalid-text.js';
import type { Outcome } from '../core/outcome.js';

/**
 * An outcome as it leaves the server (HTTP /api/commands, MQTT replies to agents, the CLI's output).
 * A refusal's `detail` often repeats what the sender wrote (a service id, a staff id); it is worded as
 * every refused value is (drivers/common/invalid-text.ts): quoted only when it cannot be personal data
 * (no run of 7 digits, no Chinese characters, no '@'), control and direction characters escaped, at most
 * 40 characters; otherwise only its kind ("text of 15 characters"). The core and the event log keep it as it came.
 */
export function publicOutcome(outcome: Outcome): Outcome {
  if (outcome.ok || outcome.detail === undefined) return outcome;
  return { ...outcome, detail: foundWords(outcome.detail).en };
}
