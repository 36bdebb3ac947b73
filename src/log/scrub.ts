/**
 * The last line of defence for personal data in logs (DESIGN §8). pino's redact paths catch the keys we
 * know; this catches what we do not: a resident ID or a mobile number in an unexpected field, nested deeper
 * than a redact path reaches, or inside a message string. Over-redacting a stray digit run is cheap; a
 * leaked ID number is not, so the patterns only insist on not being part of a longer digit run.
 */

import { PERSONAL_KEYS } from '../../drivers/common/personal-keys.js';
import { dropInvisible, LANDLINE_PATTERN, LOCAL_AFTER_WORD_PATTERN, maskNumeralMobiles, MOBILE_PATTERN, RESIDENT_ID_PATTERN } from '../core/mask.js';

export { PERSONAL_KEYS };

export const REDACTED = '[redacted]';

/** Under a `person` object everything is personal except these derived, non-identifying forms. */
export const PERSON_KEEP: readonly string[] = ['idHash', 'idMasked', 'nameMasked'];

// The plain forms (src/core/mask.ts), in ASCII or full-width digits (`１３８１２３４５６７８`, as a Chinese IME
// types them; the server's own ids are ASCII, so reading full-width digits costs them nothing). Not the
// grouped forms the core masks typed text in (`138_1234_5678`, `310104/19900307/2312`): the server's own
// ids join ASCII digit runs with dashes (`tick-<hall>-<epoch ms>-<n>`). Landlines in their plain forms
// (`010-66778899`, `(010)66778899`, `0571 8765 4321`, `+86 10 6677 8899`), a local number right after a
// word saying it is a phone (`电话66778899`), and a mobile in Chinese numerals or mixed
// (`一三八零零一三八零零零`, `138零零13八000`): the one definition in drivers/common/personal-keys.ts.
const RESIDENT_ID = RESIDENT_ID_PATTERN;
const MOBILE = MOBILE_PATTERN;
const LANDLINE = LANDLINE_PATTERN;
const LOCAL_AFTER_WORD = LOCAL_AFTER_WORD_PATTERN;

/** Replaces every resident ID and phone number inside a string; masked forms (138****0000, 010-****8899) have no digit run to match. */
export function scrubString(logged: string): string {
  // A number split by zero-width characters is still a number (`138\u200b0013\u200b8000`).
  const text = dropInvisible(logged);
  const digits = text.replace(RESIDENT_ID, REDACTED).replace(MOBILE, REDACTED).replace(LANDLINE, REDACTED).replace(LOCAL_AFTER_WORD, `$1${REDACTED}`);
  return maskNumeralMobiles(digits, () => REDACTED);
}

export interface ScrubOptions {
  /** Also censor the values of these keys, and `person` objects, at any depth (redact paths reach only one level). */
  keys?: readonly string[];
}

const MAX_DEPTH = 32;

/**
 * A copy of `value` with personal numbers replaced, for pino's `formatters.log`. Never mutates its input
 * (the caller still owns the object it logged); handles cycles, Errors (cloned, so pino's err serializer
 * still recognises them) and objects with toJSON.
 */
export function scrubPersonalData(value: unknown, options: ScrubOptions = {}): unknown {
  const keys = new Set(options.keys ?? []);
  const keep = new Set(PERSON_KEEP);
  const seen = new WeakSet<object>();

  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrubString(v);
    if (typeof v === 'number' || typeof v === 'bigint') {
      // 13812345678 logged as a number is still a phone number.
      const text = String(v);
      return scrubString(text) === text ? v : REDACTED;
    }
    if (v === null || typeof v !== 'object') return v;
    if (depth > MAX_DEPTH) return '[too deep]';
    if (seen.has(v)) return '[Circular]';
    if (v instanceof Date || ArrayBuffer.isView(v)) return v;
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
      if (v instanceof Error) return walkError(v, depth);
      const withToJSON = v as { toJSON?: unknown };
      if (typeof withToJSON.toJSON === 'function') return walk((withToJSON.toJSON as () => unknown).call(v), depth + 1);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walkEntry(k, item, depth);
      return out;
    } finally {
      seen.delete(v); // shared, non-circular references are walked again, not flagged
    }
  };

  const walkEntry = (key: string, item: unknown, depth: number): unknown => {
    if (keys.size === 0) return walk(item, depth + 1);
    if (keys.has(key)) return REDACTED;
    if (key === 'person' && item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(item)) out[k] = keep.has(k) ? walk(inner, depth + 2) : REDACTED;
      return out;
    }
    return walk(item, depth + 1);
  };

  // A clone with the same prototype, so pino's err serializer still sees an Error (type, message, stack, own props).
  const walkError = (e: Error, depth: number): Error => {
    const copy = Object.create(Object.getPrototypeOf(e) as object) as Error;
    const hidden = (key: string, v: unknown) => Object.defineProperty(copy, key, { value: v, writable: true, configurable: true, enumerable: false });
    hidden('message', scrubString(e.message));
    if (e.stack !== undefined) hidden('stack', scrubString(e.stack));
    if (e.cause !== undefined) hidden('cause', walk(e.cause, depth + 1));
    const own = copy as unknown as Record<string, unknown>;
    // An error's own `name` (HallqError has one) is its type, not a person's name.
    for (const [k, item] of Object.entries(e)) own[k] = k === 'name' ? item : walkEntry(k, item, depth);
    return copy;
  };

  return walk(value, 0);
}
