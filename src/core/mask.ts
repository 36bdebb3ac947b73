/** Masked forms shown on screens and tickets (DESIGN §8). */

import { asciiDigits, CHECK_X, CHECK_X_CHARS, DIGIT, DIGIT_CHARS, GAP, INVISIBLE_CHARS, landlineParts, NUMERAL_CHARS, PHONE_WORD, plainDigits, SEPARATOR } from '../../drivers/common/personal-keys.js';

/** 张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜. Works per code point, so rare characters stay whole. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0] ?? ''}*`;
  return `${chars[0] ?? ''}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1] ?? ''}`;
}

/** 13800000000 → 138****0000; a +86 prefix is dropped. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}

/**
 * A mainland mobile number as typed (`138 1234 5678`, `138-1234-5678`, `+86 13812345678`, `0086…`, and
 * the same in full-width digits, `＋`, `－` and the ideographic space, as a Chinese IME types them:
 * `１３８ ００１３ ８０００`) in its national form, 11 ASCII digits starting 1[3-9] (`13812345678`), or
 * undefined when it is not one. Spaces and dashes between the digits are how people write it (the 3-4-4
 * grouping), not part of the number; the national form is what the SMS gateways take and what a
 * booking's phone hash is made of.
 */
export function nationalMobile(phone: string): string | undefined {
  const national = asciiDigits(phone)
    .replace(/\uff0b/g, '+')
    .replace(/[\uff0d\u2010-\u2015\u2212]/g, '-')
    .trim()
    .replace(/(?<=[\d+])[\s-]+(?=\d)/g, '')
    .replace(/^(?:\+|00)?86(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(national) ? national : undefined;
}

/** Mainland mobile numbers: 11 digits starting 1[3-9], as nationalMobile reads them. */
export function isMobileNumber(phone: string): boolean {
  return nationalMobile(phone) !== undefined;
}

/** A typed digit not inside a longer run of digits (lookbehind and lookahead). */
const NOT_AFTER_DIGIT = `(?<!${DIGIT})`;
const NOT_BEFORE_DIGIT = `(?!${DIGIT})`;

/**
 * An 18-character resident ID (17 digits and a check character) not inside a longer digit run, ASCII or
 * full-width digits (drivers/common/personal-keys.ts), for the log's last-line scrub (src/log/scrub.ts).
 */
export const RESIDENT_ID_PATTERN = new RegExp(`${NOT_AFTER_DIGIT}${DIGIT}{17}(?:${DIGIT}|${CHECK_X})${NOT_BEFORE_DIGIT}`, 'g');
/**
 * A mainland mobile 1[3-9]xxxxxxxxx, with an optional +86 / 0086 / 86 and 3-4-4 spaces or dashes, ASCII
 * or full-width digits, for the log's last-line scrub (src/log/scrub.ts): the plain forms only, since
 * the server's own ids join ASCII digit runs with dashes (`tick-<hall>-<epoch ms>-<n>`).
 */
export const MOBILE_PATTERN = new RegExp(
  `${NOT_AFTER_DIGIT}(?:(?:[+\\uff0b]|[0\\uff10]{2})?[8\\uff18][6\\uff16][-\\s]?)?[1\\uff11][3-9\\uff13-\\uff19]${DIGIT}(?:[-\\s]?${DIGIT}{4}){2}${NOT_BEFORE_DIGIT}`,
  'g',
);

/** A typed digit in a range (`digits('2', '8')`: ASCII or full-width), regex source. */
const fullWidthOf = (d: string): string => `\\u${(d.charCodeAt(0) + 0xfee0).toString(16)}`;
const digits = (from: string, to: string): string => `[${from}-${to}${fullWidthOf(from)}-${fullWidthOf(to)}]`;
/** A space or a dash, ASCII or full-width (regex source). */
const DASH = '[-\\s\\uff0d]';
/** A local number of 7 or 8 digits beginning 2–8, plain or 4-4 / 3-4 with a space or a dash (regex source). */
const PLAIN_LOCAL = `${digits('2', '8')}${DIGIT}{2,3}${DASH}?${DIGIT}{4}${NOT_BEFORE_DIGIT}`;
/**
 * A mainland landline (drivers/common/personal-keys.ts: 0 and an area code 10, 2x or [3-9]xx, a local
 * number beginning 2–8), as commonly written: `01066778899`, `010-66778899`, `(010)66778899`,
 * `0571 8765 4321`, `+86 10 6677 8899`, `0086-571-87654321`, ASCII or full-width digits, for the log's
 * last-line scrub (src/log/scrub.ts); the plain forms only, as MOBILE_PATTERN.
 */
export const LANDLINE_PATTERN = new RegExp(
  `${NOT_AFTER_DIGIT}(?:(?:[+\\uff0b]|${digits('0', '0')}{2})${digits('8', '8')}${digits('6', '6')}${DASH}?|[(\\uff08]?(?=${digits('0', '0')}))` +
    `${digits('0', '0')}?(?:${digits('1', '1')}${digits('0', '0')}|${digits('2', '2')}${DIGIT}|${digits('3', '9')}${DIGIT}{2})[)\\uff09]?${DASH}?${PLAIN_LOCAL}`,
  'g',
);
/** A local number right after a word saying it is a phone (`电话66778899`, `座机：8765 4321`), for the log's scrub: group 1 the word. */
export const LOCAL_AFTER_WORD_PATTERN = new RegExp(`(${PHONE_WORD})${PLAIN_LOCAL}`, 'g');

/**
 * Digits as a person types them in a row (drivers/common/personal-keys.ts: ASCII or full-width, up to
 * three separators between any two: spaces, dots, dashes, slashes, underscores, parentheses), maybe
 * ending in an ID's check character X, maybe after an opening parenthesis or a `+` (`(138)1234-5678`,
 * `+86 138 1234 5678`).
 */
const TYPED_DIGIT_RUN = new RegExp(`(?:[+\\uff0b(\\uff08]{1,2}\\s?)?${DIGIT}(?:${GAP}${DIGIT})*(?:${GAP}${CHECK_X})?`, 'g');

/** What one kind of personal number is, read from the whole groups of a typed run. */
interface NumberKind {
  /** How many characters its groups make (a mobile with its 86 or 0086 too). */
  lengths: readonly number[];
  /** The characters (ASCII) make one. */
  is: (plain: string) => boolean;
  /** Its masked plain form. */
  masked: (plain: string) => string;
  /** The indexes (in its characters) starred where it overlaps another and cannot be masked alone. */
  middle: (plain: string) => readonly number[];
  /** How its groups may split it (`bounds`: where a group ends inside it, in characters); any way when not set. */
  grouping?: (plain: string, bounds: readonly number[]) => boolean;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** A resident ID: 17 digits and a check character; 110105********002X. */
const RESIDENT_ID: NumberKind = {
  lengths: [18],
  is: (plain) => /^\d{17}[\dXx]$/.test(plain),
  masked: (plain) => `${plain.slice(0, 6)}${'*'.repeat(8)}${plain.slice(-4)}`,
  middle: () => range(6, 14),
};

/** A mainland mobile, 1[3-9] and 9 digits, maybe after 86 or 0086; 138****5678 (the prefix dropped, as maskPhone drops it). */
const MOBILE: NumberKind = {
  lengths: [11, 13, 15],
  is: (plain) => /^(?:0086|86)?1[3-9]\d{9}$/.test(plain),
  masked: (plain) => maskPhone(plain.slice(-11)),
  middle: (plain) => range(plain.length - 8, plain.length - 4),
};

/**
 * A mainland landline (drivers/common/personal-keys.ts, landlineParts), national or after 86 / 0086; the
 * area code kept, the local number's last 4 digits (010-****8899, 0571-***5432: the national form, as a
 * mobile's prefix is dropped). Its groups as a phone number is grouped, so that two dates side by side
 * (`2026-03-05 2026-03-05`) are not one: all in one group; or the area code a group of its own (the
 * country code too, or glued to it) and the local number in one group or two of 3 digits or more.
 */
const LANDLINE: NumberKind = {
  lengths: [11, 12, 13, 14, 15, 16],
  is: (plain) => landlineParts(plain) !== undefined,
  masked: (plain) => {
    const { area = '', local = '' } = landlineParts(plain) ?? {};
    return `${area}-${'*'.repeat(local.length - 4)}${local.slice(-4)}`;
  },
  middle: (plain) => range(landlineParts(plain)?.localAt ?? 0, plain.length - 4),
  grouping: (plain, bounds) => {
    const parts = landlineParts(plain);
    if (parts === undefined) return false;
    const { prefix, localAt } = parts;
    const inLocal = bounds.filter((b) => b > localAt);
    const ahead = bounds.filter((b) => b <= localAt);
    if (ahead.some((b) => b !== prefix && b !== localAt)) return false;
    if (inLocal.length === 0) return true;
    return inLocal.length === 1 && ahead.includes(localAt) && inLocal.every((b) => b - localAt >= 3 && plain.length - b >= 3);
  },
};

/**
 * A local number of 7 or 8 digits beginning 2–8, read only right after a word saying it is a phone
 * (drivers/common/personal-keys.ts, PHONE_WORD: `电话66778899`); in one group or two of 3 digits or more
 * (`6677 8899`; a date, `2026-11-23`, is none); its last 4 digits kept (****8899).
 */
const LOCAL: NumberKind = {
  lengths: [7, 8],
  is: (plain) => /^[2-8]\d{6,7}$/.test(plain),
  masked: (plain) => `${'*'.repeat(plain.length - 4)}${plain.slice(-4)}`,
  middle: (plain) => range(0, plain.length - 4),
  grouping: (plain, bounds) => bounds.length === 0 || (bounds.length === 1 && bounds.every((b) => b >= 3 && plain.length - b >= 3)),
};

/**
 * Free text a person typed (an off-site rating's comment, a follow-up note, a cancel or pause reason, an
 * emergency notice) with every resident ID and phone number in it masked, typed plainly or grouped, in
 * ASCII or full-width digits (drivers/common/personal-keys.ts): `310104-19900307-2312`,
 * `310104/19900307/2312` → 310104********2312, `138 1234 5678`, `(138)1234-5678`, `（138）1234-5678`,
 * `138_1234_5678`, `１３８ １２３４ ５６７８` → 138****5678; landlines with their area code
 * (`010-66778899`, `(010)66778899`, `021 6123 4567`, `+86 10 6677 8899` → 010-****8899, 021-****4567;
 * an extension after it stays: 010-****8899-123) and a local number right after a word saying it is a
 * phone (`电话66778899` → 电话****8899); a mobile in Chinese numerals, alone or mixed with digits
 * (`一三八零零一三八零零零`, `138零零13八000` → 138****8000). So what the log, the reports and the platform
 * keep is never a raw number (DESIGN §8). The masked forms are in ASCII digits. What the hall reads is
 * left alone: ticket numbers, window numbers, dates, times, counts, amounts, short numerals (`三号窗口`).
 * The log's last-line scrub (src/log/scrub.ts) reads only the plain forms (ASCII or full-width): the
 * server's own ids join digit runs with dashes (`tick-<hall>-<epoch ms>-<n>`, 13 + 5 digits).
 * Linear in the text: each run of typed digits is read once, and a number is at most 18 digits long.
 */
export function maskNumbersInText(typed: string): string {
  // Invisible characters mean nothing on a screen (a GB2312 one prints `?`) and only hide a number's digits from a reader.
  const text = dropInvisible(typed);
  const digitsMasked = text.replace(TEXT_RUN, (match, word: string | undefined, offset: number) => {
    const numeralAfter = NUMERAL.test(text[offset + match.length] ?? '');
    if (word !== undefined) return word + maskInRun(match.slice(word.length), { after: 'word', numeralAfter });
    const before = text[offset - 1] ?? '';
    return maskInRun(match, { after: LETTER.test(before) ? 'letter' : undefined, numeralBefore: NUMERAL.test(before), numeralAfter });
  });
  return maskNumeralMobiles(digitsMasked, (plain) => MOBILE.masked(plain));
}

const INVISIBLE = new RegExp(`[${INVISIBLE_CHARS}]`, 'g');
/** `text` without invisible format characters (personal-keys.ts INVISIBLE_CHARS: zero-width spaces, the soft hyphen, bidi controls …). */
export function dropInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}
/** A Latin letter: a ticket number's (`A021`), never an area code's. */
const LETTER = /^[A-Za-z]$/;
/** A run of typed digits, maybe after a word saying a phone number follows (group 1). */
const TEXT_RUN = new RegExp(`(${PHONE_WORD})?${TYPED_DIGIT_RUN.source}`, 'g');

/** Digits in any form as typed in a row: ASCII, full-width, Chinese numerals, with the separators of typed digits between them. */
const NUMERAL_RUN = new RegExp(`[${DIGIT_CHARS}${NUMERAL_CHARS}](?:${GAP}[${DIGIT_CHARS}${NUMERAL_CHARS}])*`, 'g');
const NUMERAL = new RegExp(`[${NUMERAL_CHARS}]`);
const NUMERAL_MOBILE_LENGTH = 11;

/**
 * Every mobile number written in Chinese numerals, or in numerals and digits mixed (`一三八零零一三八零零零`,
 * `幺三八 零零一三 八零零零`, `138零零13八000`, `一三八００一３８０００`: drivers/common/personal-keys.ts,
 * NUMERAL_DIGITS), replaced by `replace` of its ASCII digits; its separators with it. Any 11 of a run's
 * digits in a row that make a mobile (1[3-9] and 9 more), at least one of them a numeral (digits alone
 * are read by the whole-group rule of maskNumbersInText): a numeral word before it (`张三`, `第一`) is
 * not part of it. Where such windows overlap (which 11 are the number cannot be told), the middle 4
 * digits of each are starred and the rest kept as typed. For the core's masking (138****8000) and the
 * log's scrub ([redacted]).
 */
export function maskNumeralMobiles(text: string, replace: (plain: string) => string): string {
  // Most text (every log line is scrubbed) has no numeral, or no run of 11.
  if (!NUMERAL.test(text)) return text;
  return text.replace(NUMERAL_RUN, (run) => {
    if (run.length < NUMERAL_MOBILE_LENGTH || !NUMERAL.test(run)) return run;
    const at: number[] = [];
    let plain = '';
    for (let p = 0; p < run.length; p++) {
      const c = run[p] ?? '';
      if (!GAP_CHAR.test(c)) {
        at.push(p);
        plain += plainDigits(c);
      }
    }
    // Digits of a date are none of a phone's (`1990-01-01 二〇二六年`).
    const inDate = new Uint8Array(run.length);
    for (const m of asciiDigits(run).matchAll(FULL_DATE_IN_RUN)) inDate.fill(1, m.index, m.index + m[0].length);
    const windows: number[] = [];
    for (let i = 0; i + NUMERAL_MOBILE_LENGTH <= plain.length; i++) {
      if (plain[i] !== '1' || !/[3-9]/.test(plain[i + 1] ?? '')) continue;
      const w = plain.slice(i, i + NUMERAL_MOBILE_LENGTH);
      const chars = at.slice(i, i + NUMERAL_MOBILE_LENGTH);
      // Digits alone only glued to a numeral (`张三13812345678`: maskNumbersInText left those to this pass).
      const glued = NUMERAL.test(run[(chars[0] ?? 0) - 1] ?? '') || NUMERAL.test(run[(chars[NUMERAL_MOBILE_LENGTH - 1] ?? 0) + 1] ?? '');
      if (/^1[3-9]\d{9}$/.test(w) && (glued || chars.some((p) => NUMERAL.test(run[p] ?? ''))) && !chars.some((p) => inDate[p] === 1)) windows.push(i);
    }
    if (windows.length === 0) return run;
    let out = '';
    let from = 0;
    for (let k = 0; k < windows.length; ) {
      // A cluster of overlapping windows.
      let j = k;
      while (j + 1 < windows.length && (windows[j + 1] ?? 0) < (windows[j] ?? 0) + NUMERAL_MOBILE_LENGTH) j++;
      const first = windows[k] ?? 0;
      const last = (windows[j] ?? 0) + NUMERAL_MOBILE_LENGTH - 1;
      const start = at[first] ?? 0;
      const end = (at[last] ?? 0) + 1;
      out += run.slice(from, start);
      if (j === k) out += replace(plain.slice(first, first + NUMERAL_MOBILE_LENGTH));
      else {
        const starred = new Set<number>();
        for (const w of windows.slice(k, j + 1)) for (const d of range(w + 3, w + 7)) starred.add(at[d] ?? -1);
        for (let p = start; p < end; p++) out += starred.has(p) ? '*' : run[p];
      }
      from = end;
      k = j + 1;
    }
    return out + run.slice(from);
  });
}

/** One separator of typed digits (drivers/common/personal-keys.ts). */
const GAP_CHAR = new RegExp(`^${SEPARATOR}$`);

type Span = { kind: NumberKind; start: number; end: number; chars: number[]; plain: string; first: number };

const ENDS_IN_STRAY_X = new RegExp(`${DIGIT}${CHECK_X}$`);
/** An opening parenthesis (and a space) right before a span. */
const OPENS = /[(\uff08]\s?$/;
/** What comes before a run's first digit (an opening parenthesis, a `+`). */
const LEAD = new RegExp(`^[^${DIGIT_CHARS}]*`);
/** A run's groups: its digits (and check characters) between separators. */
const GROUP = new RegExp(`[${DIGIT_CHARS}${CHECK_X_CHARS}]+`, 'g');

/**
 * The resident IDs and phone numbers in one run of typed digits (`310104-19900307-2312`,
 * `3101 0419 9003 0723 12`, `110105 19491231 002X`, `(138)1234-5678`, `(010)6677-8899`): whole groups of
 * the run (between its separators) that make one, grouped as the kind allows; a local number alone only
 * from the run's first group when a word saying it is a phone comes before (`after` the word), a
 * landline not from it when a Latin letter does (a ticket number's, `A021 23456789`). One alone is
 * masked in the plain form, its separators dropped as maskPhone drops a phone's (`310104********2312`;
 * a landline's area code and local number joined by a dash, `010-****8899`), an opening parenthesis or
 * a `+` before it with them when it begins the run (a parenthesis only when its closing one is among the
 * dropped: `(138)1234-5678` → `138****5678`, `（310104199003072312）` → `（310104********2312）`); the rest
 * of the run stays as typed (`A003 310104…`, an extension `-123`). One inside a longer one is read as the
 * longer (`86 138 1234 5678` as a mobile with its 86; 11 digits of an ID as the ID). Where such spans
 * overlap (`1234 310104-19900307-2312`: which 18 is the ID cannot be told; a mobile and an ID sharing
 * digits), each one's middle digits are starred, so the number's are whichever it is. A run with no such
 * span (a date, an order number of 23 digits) is left as it is.
 */
function maskInRun(run: string, context: RunContext = {}): string {
  if (onlyDates(run)) return run;
  const spans = spansOf(run, context);
  // 110105194912310027X: the plain ID before a stray X, as RESIDENT_ID_PATTERN reads it.
  if (ENDS_IN_STRAY_X.test(run) && !spans.some((s) => s.end === run.length)) return maskInRun(run.slice(0, -1), { ...context, numeralAfter: false }) + run.slice(-1);
  if (spans.length === 0) return run;
  const lead = LEAD.exec(run)?.[0].length ?? 0;
  let out = '';
  let at = 0;
  for (let i = 0; i < spans.length; ) {
    // A cluster of overlapping spans.
    let j = i;
    let end = spans[i]?.end ?? 0;
    while (j + 1 < spans.length && (spans[j + 1]?.start ?? Infinity) < end) end = Math.max(end, spans[++j]?.end ?? 0);
    const cluster = spans.slice(i, j + 1);
    let start = cluster[0]?.start ?? 0;
    const only = cluster.length === 1 ? cluster[0] : undefined;
    if (only !== undefined) {
      const closed = /[)\uff09]/.test(run.slice(start, end));
      if (start === lead && (closed || !/[(\uff08]/.test(run.slice(0, lead)))) start = 0;
      // An opening parenthesis right before it, its closing one among the dropped (`30 (010)66778899`).
      else if (closed) start -= OPENS.exec(run.slice(at, start))?.[0].length ?? 0;
      out += run.slice(at, start) + only.kind.masked(only.plain);
    } else {
      out += run.slice(at, start);
      const starred = new Set<number>();
      for (const s of cluster) s.kind.middle(s.plain).forEach((k) => starred.add(s.chars[k] ?? -1));
      for (let p = start; p < end; p++) out += starred.has(p) ? '*' : run[p];
    }
    at = end;
    i = j + 1;
  }
  return out + run.slice(at);
}

/** A date as typed in a run of digits: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (the same separator twice; 2026-3-5 too). */
const DATE_IN_RUN = /(?<![0-9])(?:19|20)\d\d([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![0-9])/g;
/** A date written in full, YYYY-MM-DD (YYYY/MM/DD, YYYY.MM.DD), as no phone number is grouped. */
const FULL_DATE_IN_RUN = /(?<![0-9])(?:19|20)\d\d([-/.])(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])(?![0-9])/g;

/**
 * A run that is dates only (`2026-12-04 2026-12-05 2026-12-06`): no number in it is a person's, though
 * 18 of its digits, in whole groups, would make an ID.
 */
function onlyDates(run: string): boolean {
  const plain = asciiDigits(run);
  const dates = [...plain.matchAll(DATE_IN_RUN)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  if (dates.length === 0) return false;
  // Groups and dates both in order: one walk.
  let d = 0;
  for (const g of run.matchAll(GROUP)) {
    while (d < dates.length && (dates[d]?.end ?? 0) <= g.index) d++;
    const date = dates[d];
    if (date === undefined || date.start > g.index || g.index + g[0].length > date.end) return false;
  }
  return true;
}

/** What comes right before and after a run of typed digits. */
interface RunContext {
  /** A word saying a phone number follows (PHONE_WORD), or a Latin letter (a ticket number's). */
  after?: 'word' | 'letter' | undefined;
  /** A Chinese numeral glued to the run's first digit, or to its last. */
  numeralBefore?: boolean;
  numeralAfter?: boolean;
}

/** Where an ID's birth date is among its characters (YYYYMMDD). */
const BIRTH_DATE = range(6, 14).join();

/** The longest span, in groups (an ID of 18 one-digit groups). */
const MOST_GROUPS = 18;

/**
 * Spans of whole groups of the run making a resident ID or a phone number, by start: their bounds, their
 * characters' positions and the characters (ASCII), their first group. A span inside a longer
 * one is not one of its own.
 */
function spansOf(run: string, { after, numeralBefore = false, numeralAfter = false }: RunContext): Span[] {
  const groups = [...run.matchAll(GROUP)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  // A mobile's digits glued to a numeral may be the end or the start of one in numerals (`一三八零零一三八0003000`):
  // maskNumeralMobiles reads those whole.
  const glued = (kind: NumberKind, i: number, j: number): boolean =>
    kind === MOBILE && ((numeralBefore && i === 0 && groups[0]?.start === 0) || (numeralAfter && j === groups.length - 1 && groups[j]?.end === run.length));
  const spans: Span[] = [];
  const kinds = after === 'word' && groups[0]?.start === 0 ? [RESIDENT_ID, MOBILE, LANDLINE, LOCAL] : [RESIDENT_ID, MOBILE, LANDLINE];
  for (const kind of kinds) {
    const longest = Math.max(...kind.lengths);
    // A local number alone is read from the first group only (right after its word); an area code
    // never right after a letter (`A021 23456789`: a ticket number and another number).
    const starts = kind === LOCAL ? 1 : groups.length;
    for (let i = kind === LANDLINE && after === 'letter' && groups[0]?.start === 0 ? 1 : 0; i < starts; i++) {
      const chars: number[] = [];
      const bounds: number[] = [];
      for (let j = i; j < groups.length && chars.length < longest; j++) {
        const g = groups[j];
        if (g === undefined) break;
        if (j > i) bounds.push(chars.length);
        for (let p = g.start; p < g.end; p++) chars.push(p);
        const first = groups[i];
        if (first === undefined || !kind.lengths.includes(chars.length)) continue;
        const plain = asciiDigits(chars.map((p) => run[p] ?? '').join(''));
        if (kind.is(plain) && (kind.grouping?.(plain, bounds) ?? true) && !glued(kind, i, j)) spans.push({ kind, start: first.start, end: g.end, chars: [...chars], plain, first: i });
      }
    }
  }
  // A phone number is never grouped as a date: `A130 1990-01-01`, `1990-01-01 100人` hold none; an ID
  // holds one only as its birth date, its 7th to 14th digits (310104-1990-03-07-2312), so
  // `1990-01-01 1990-01-01 10人` holds none.
  const dateOf = new Int32Array(run.length);
  let dates = 0;
  for (const m of asciiDigits(run).matchAll(FULL_DATE_IN_RUN)) dateOf.fill(++dates, m.index, m.index + m[0].length);
  const notDates = spans.filter((s) => {
    const inDate = s.chars.flatMap((p, k) => (dateOf[p] === 0 ? [] : [k]));
    if (inDate.length === 0) return true;
    return s.kind === RESIDENT_ID && inDate.join() === BIRTH_DATE && new Set(inDate.map((k) => dateOf[s.chars[k] ?? 0])).size === 1;
  });
  spans.length = 0;
  spans.push(...notDates);
  // Spans by their first group, to find the longer ones around each (a span has at most MOST_GROUPS groups).
  const byFirst = new Map<number, Span[]>();
  for (const s of spans) byFirst.set(s.first, [...(byFirst.get(s.first) ?? []), s]);
  const inLonger = (s: Span): boolean => {
    for (let f = Math.max(0, s.first - MOST_GROUPS); f <= s.first; f++)
      for (const o of byFirst.get(f) ?? []) if (o !== s && o.start <= s.start && s.end <= o.end && o.end - o.start > s.end - s.start) return true;
    return false;
  };
  return spans.filter((s) => !inLonger(s)).sort((a, b) => a.start - b.start || a.end - b.end);
}
