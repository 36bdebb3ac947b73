/**
 * Identifiers from the wire (a topic's client id, a request id) as a log line may carry them: kept
 * when they look like the names hallq gives (ASCII letters, digits, - _ . : / +, at most 120
 * characters), replaced by their length otherwise. A sender chooses these strings, so they may hold
 * a name or a number (张丽华 13912345678) that must not reach the journal.
 */
const SAFE = /^[A-Za-z0-9_.:/+-]{1,120}$/;
// A run of digits as long as a phone or an ID number is not an identifier hallq makes.
const LONG_DIGITS = /\d{7,}/;

export function logSafe(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === '') continue;
    out[k] = SAFE.test(v) && !LONG_DIGITS.test(v) ? v : `[${v.length} characters withheld]`;
  }
  return out;
}
