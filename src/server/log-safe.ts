import { SEVEN_TYPED_DIGITS } from '../../drivers/common/personal-keys.js';
import { maskNumbersInText } from '../core/mask.js';

/**
 * Identifiers from the wire (a topic's client id, a request id) as a log line may carry them. A sender
 * chooses these strings, so they may hold a name or a number (张丽华 13912345678, li_138_1234_5678) that
 * must not reach the journal. Read by the project's one definition of typed personal numbers
 * (drivers/common/personal-keys.ts), as the rest of the log reads typed text:
 * - an id not of the characters hallq's names are made of (ASCII letters, digits, - _ . : / +, at most
 *   120) is replaced by its length: a name, full-width digits, spaces;
 * - a mobile or resident ID number in it, however grouped, is masked as typed text is (src/core/mask.ts:
 *   `li_138_1234_5678` → `li_138****5678`), so the rest of the id stays readable;
 * - what still has 7 typed digits in a row (another number a person may have typed: `x_1234567`,
 *   `x-123-4567`) is replaced by its length, except a UUID (a program's id, the agents' request ids: its
 *   hex groups often hold digit runs).
 */
const SAFE = /^[A-Za-z0-9_.:/+-]{1,120}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function logSafe(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === '') continue;
    const masked = SAFE.test(v) ? maskNumbersInText(v) : undefined;
    out[k] = masked !== undefined && (UUID.test(v) || !SEVEN_TYPED_DIGITS.test(masked)) ? masked : `[${v.length} characters withheld]`;
  }
  return out;
}
