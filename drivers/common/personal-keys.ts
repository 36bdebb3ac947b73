/**
 * Which keys may hold personal data (DESIGN §8) or a secret: the logger censors their values
 * (src/log/scrub.ts) and the invalid-input texts never quote them (invalid-text.ts). The schemas do
 * not mark such fields, so this list names them; it errs on the side of hiding (a service name under
 * `name` is not personal, but hiding it costs only a less helpful error). And what text may hold a
 * personal number, digits as a person types them (below: full-width, grouped).
 */

/** Keys whose values are personal wherever they appear (the logger's redact paths are made from these). */
export const PERSONAL_KEYS: readonly string[] = ['idNumber', 'idNo', 'name', 'phone', 'phoneNumber', 'mobile', 'address', 'photo', 'text'];

// Compared lower-case with `_` and `-` removed: id_number, ID-Number and idNumber are one key.
/** A key containing one of these is never quoted: idNumber, phoneMasked, staffName, person, pinHash … */
const PARTS = ['idnumber', 'idno', 'idcard', 'phone', 'mobile', 'name', 'person', 'address', 'photo', 'masked', 'birth', 'contact', 'secret', 'passw', 'token', 'hash', 'cookie', 'authoriz', 'credential', 'apikey'];
/** A key that is exactly one of these is never quoted (as parts they are inside harmless words: `context`, `barcode`, `keypad`). */
const WHOLE = ['text', 'pin', 'tel', 'code', 'key', 'sign', 'signature', 'email', 'mail', 'card'];

const norm = (key: string) => key.toLowerCase().replace(/[_-]/g, '');

/** True when the value under `key` may be personal data or a secret. */
export function isPersonalKey(key: PropertyKey): boolean {
  if (typeof key !== 'string') return false;
  const k = norm(key);
  // Where a secret is kept (passwordFile, keyFile, tokenPath) is not the secret: config checks name those files.
  if (/(file|path|dir|url)$/.test(k)) return false;
  return WHOLE.includes(k) || PARTS.some((p) => k.includes(p)) || PERSONAL_KEYS.some((p) => norm(p) === k);
}

/** True when any key on the path may hold personal data: everything under `person` is personal too. */
export function isPersonalPath(path: readonly PropertyKey[]): boolean {
  return path.some(isPersonalKey);
}

/*
 * Personal numbers as typed. Digits as a person types them (DESIGN §8: a phone or a resident ID number in
 * free text, a key, a refused value), the one definition the masking of typed text (src/core/mask.ts)
 * and the invalid-input texts (invalid-text.ts) read numbers by:
 * - a digit is ASCII `0-9` or full-width `０-９` (U+FF10–FF19, what a Chinese IME types), mixed freely;
 *   an ID's check character is `X`/`x` or full-width `Ｘ`/`ｘ` (U+FF38, U+FF58);
 * - between two digits there may be up to MAX_GAP separators, the ways people group a number: spaces
 *   (the full-width U+3000 too), dots, dashes, slashes, underscores and parentheses, ASCII or full-width
 *   (`．－／＿（）`), and the dashes of Chinese text (`—` U+2014, as the IME's `——`, and the hyphens,
 *   en dash and minus U+2010–2015, U+2212): `138 1234 5678`, `(138)1234-5678`, `（138）1234-5678`,
 *   `138/1234/5678`, `138_1234_5678`, `138 - 1234 - 5678`, `１３８ １２３４ ５６７８`.
 * A colon, a comma or an ideographic comma `、` is none: `09:30`, `1,234.50`, `A003、A004` are not joined.
 * Kept in this file (pure: no imports, no I/O; src/core imports it), not one of its own: the server
 * loads at most 50 files of dist/ at start (test/cli/build.test.ts), and a module of its own is a chunk
 * of its own.
 */

/** The typed digits, as the inside of a regex character class (for the `u` flag or without). */
export const DIGIT_CHARS = '0-9\\uff10-\\uff19';
/** An ID's check character X, ASCII or full-width, as the inside of a character class. */
export const CHECK_X_CHARS = 'Xx\\uff38\\uff58';
/** A typed digit (regex source). */
export const DIGIT = `[${DIGIT_CHARS}]`;
/** An ID's check character X, ASCII or full-width (regex source). */
export const CHECK_X = `[${CHECK_X_CHARS}]`;
/** A separator people type between the digits of a number. */
export const SEPARATOR = '[\\s._/()\\uff08\\uff09\\uff0d\\uff0e\\uff0f\\uff3f\\u2010-\\u2015\\u2212-]';
/** At most this many separators between two digits of one number (`138 - 1234`, `(138) 1234`, `138——1234`). */
export const MAX_GAP = 3;
/** What may stand between two digits of one number: nothing, or up to MAX_GAP separators. */
export const GAP = `${SEPARATOR}{0,${MAX_GAP}}`;

/**
 * The rule of what may be a personal number (a phone, an ID) in a text or a key: 7 typed digits in a row
 * (`138_1234_5678`, `１３８／１２３４`, `x_1234567`; `u` flag).
 */
export const SEVEN_TYPED_DIGITS = new RegExp(`${DIGIT}(?:${GAP}${DIGIT}){6}`, 'u');

/** Full-width digits and check characters as ASCII (`１３８` → `138`, `Ｘ` → `X`); everything else as it is. */
export function asciiDigits(text: string): string {
  return text.replace(/[\uff10-\uff19\uff38\uff58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}
