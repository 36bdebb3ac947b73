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
 *   `138/1234/5678`, `138_1234_5678`, `138 - 1234 - 5678`, `１３８ １２３４ ５６７８`; the interpuncts
 *   `·` `・` `•` (`138·0013·8000`) and invisible format characters (INVISIBLE_CHARS) as well.
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
/**
 * Invisible format characters (Unicode Cf): the soft hyphen, zero-width spaces and joiners, the word
 * joiner, bidi controls, the BOM. They show as nothing (or `?` on a GB2312 screen) and split a number
 * for a reader of code points only (`138\u200b0013\u200b8000`): a separator, and dropped from staff
 * free text (src/core/mask.ts maskNumbersInText). As the inside of a character class.
 */
export const INVISIBLE_CHARS = '\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff';
/** A separator people type between the digits of a number (the interpuncts `·・•` and invisible characters too). */
export const SEPARATOR = `[\\s._/()\\uff08\\uff09\\uff0d\\uff0e\\uff0f\\uff3f\\u2010-\\u2015\\u2212\\u00b7\\u30fb\\u2022${INVISIBLE_CHARS}-]`;
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

/*
 * Phone numbers beyond the mobile's digits (tryout: a landline and a mobile written in Chinese numerals
 * stayed in full in a cancel reason). The rules, from the mainland numbering plan (MIIT, 电信网编号计划,
 * 2017 edition) and how staff type numbers in a note; the README's table (好差评, follow-up) says them
 * with examples:
 * - a landline is the trunk prefix 0, an area code and a local number of 7 or 8 digits: the area codes of
 *   three digits are 010 (Beijing) and 020–029, each with 8-digit local numbers; all others are four
 *   digits, 0[3-9]xx, with 7- or 8-digit local numbers. A local number begins 2–8 (0 is the trunk prefix,
 *   1 and 9 begin service numbers: 110, 12345, 95588). From abroad, +86 or 0086 replaces the 0
 *   (`+86 10 6677 8899`; `+86 010 …` is read too). An extension follows the number (`010-66778899-123`).
 * - a local number alone (7–8 digits, beginning 2–8) is a phone only right after a word saying so
 *   (PHONE_WORD: 电话, 座机, 固话, tel, phone …): `电话66778899`; alone, 8 digits are as likely a date
 *   (20261123) or an amount.
 * - a mobile is 11 digits, 1[3-9] and 9 more (the mask in src/core/mask.ts); written in Chinese numerals
 *   too (NUMERAL_DIGITS: 一三八零零一三八零零零, 幺三八…, 〇 for 零, the capital forms 壹贰叁…, mixed with
 *   digits: 138零零13八000), as staff read a number aloud and type what they hear.
 * Masked as a mobile is (src/core/mask.ts): 010-****8899, 电话****8899, 138****8000. Never read as one:
 * ticket and window numbers (`A021 23456789`: no area code right after a letter; `3号窗口`), times,
 * dates (no phone number through a date written in full; `2026-03-05 2026-03-05`: the area code a group
 * of its own), counts, amounts, short numerals (`三号窗口`, `第十二号`: 11 in a row make a mobile).
 */

/** Chinese numerals as the digit they stand for: the plain, the spoken (幺 1, 两 2, 拐 7, 勾 9, 洞 0) and the capital (壹…玖, 貳 參 陸 兩 too) forms. */
export const NUMERAL_DIGITS: Readonly<Record<string, string>> = {
  零: '0', '〇': '0', '○': '0', 洞: '0',
  一: '1', 幺: '1', 壹: '1',
  二: '2', 两: '2', 兩: '2', 贰: '2', 貳: '2',
  三: '3', 叁: '3', 參: '3',
  四: '4', 肆: '4',
  五: '5', 伍: '5',
  六: '6', 陆: '6', 陸: '6',
  七: '7', 柒: '7', 拐: '7',
  八: '8', 捌: '8',
  九: '9', 玖: '9', 勾: '9',
};
/** The Chinese numerals, as the inside of a regex character class. */
export const NUMERAL_CHARS = Object.keys(NUMERAL_DIGITS).join('');

const NUMERALS = new RegExp(`[${NUMERAL_CHARS}]`, 'g');

/** Digits in any form (ASCII, full-width, Chinese numerals) as ASCII; everything else as it is. */
export function plainDigits(text: string): string {
  return asciiDigits(text).replace(NUMERALS, (c) => NUMERAL_DIGITS[c] ?? c);
}

/**
 * A word saying that a phone number follows (regex source), with what people put between (号码, 是,
 * a colon, up to 3 spaces): `电话66778899`, `座机：6677 8899`, `tel. 8765432`, `联系电话是 66778899`.
 * Latin words only as words of their own (not `hotel`).
 */
export const PHONE_WORD =
  '(?:电话|座机|固话|分机|来电|回电|致电|拨打|(?<![A-Za-z])(?:[Tt][Ee][Ll]|[Pp]hone|PHONE)\\.?)(?:号码|号)?(?:是|为)?[\\s:\\uff1a]{0,3}';

/**
 * A landline's parts, from its digits as ASCII (`01066778899`, `8657187654321`, `00861066778899`): the area
 * code with its 0 (`010`, `0571`) and the local number, or undefined when the digits are not one.
 * `prefix` is how many of the digits are the country's (86, 0086), `localAt` where the local number
 * begins (the 0 after +86, as some write it, counted in the area code).
 */
export function landlineParts(plain: string): { prefix: number; localAt: number; area: string; local: string } | undefined {
  const m = /^((?:00)?86)?(0?)((?:10|2\d)(?=[2-8]\d{7}$)|[3-9]\d\d(?=[2-8]\d{6,7}$))(\d+)$/.exec(plain);
  if (m === null) return undefined;
  const [, country = '', zero = '', code = '', local = ''] = m;
  // National numbers have their 0; numbers from abroad may not.
  if (country === '' && zero === '') return undefined;
  return { prefix: country.length, localAt: plain.length - local.length, area: `0${code}`, local };
}
