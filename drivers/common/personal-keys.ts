/**
 * Which keys may hold personal data (DESIGN §8) or a secret: the logger censors their values
 * (src/log/scrub.ts) and the invalid-input texts never quote them (invalid-text.ts). The schemas do
 * not mark such fields, so this list names them; it errs on the side of hiding (a service name under
 * `name` is not personal, but hiding it costs only a less helpful error).
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
