/** Masked forms shown on screens and tickets (DESIGN §8). */

import { asciiDigits, CHECK_X, CHECK_X_CHARS, DIGIT, DIGIT_CHARS, GAP } from '../../drivers/common/personal-keys.js';

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
 * A mainland mobile number as typed (`138 1234 5678`, `138-1234-5678`, `+86 13812345678`, `0086…`) in its
 * national form, 11 digits starting 1[3-9] (`13812345678`), or undefined when it is not one. Spaces and
 * dashes between the digits are how people write it (the 3-4-4 grouping), not part of the number; the
 * national form is what the SMS gateways take and what a booking's phone hash is made of.
 */
export function nationalMobile(phone: string): string | undefined {
  const national = phone
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
 * Free text a person typed (an off-site rating's comment, a follow-up note) with every resident ID and
 * mobile number in it masked (110105********0021, 139****5678), typed plainly or grouped, in ASCII or
 * full-width digits (drivers/common/personal-keys.ts): `310104-19900307-2312`, `310104/19900307/2312` →
 * 310104********2312, `138 1234 5678`, `(138)1234-5678`, `（138）1234-5678`, `138_1234_5678`,
 * `１３８ １２３４ ５６７８` → 138****5678, so what the log, the reports and the platform keep is never a raw
 * number (DESIGN §8). The masked forms are in ASCII digits. The log's last-line scrub (src/log/scrub.ts)
 * reads only the plain forms (ASCII or full-width): the server's own ids join digit runs with dashes
 * (`tick-<hall>-<epoch ms>-<n>`, 13 + 5 digits).
 */
export function maskNumbersInText(text: string): string {
  return text.replace(TYPED_DIGIT_RUN, (run) => maskInRun(run));
}

type Span = { kind: NumberKind; start: number; end: number; chars: number[]; plain: string };

const ENDS_IN_STRAY_X = new RegExp(`${DIGIT}${CHECK_X}$`);
/** What comes before a run's first digit (an opening parenthesis, a `+`). */
const LEAD = new RegExp(`^[^${DIGIT_CHARS}]*`);
/** A run's groups: its digits (and check characters) between separators. */
const GROUP = new RegExp(`[${DIGIT_CHARS}${CHECK_X_CHARS}]+`, 'g');

/**
 * The resident IDs and mobiles in one run of typed digits (`310104-19900307-2312`,
 * `3101 0419 9003 0723 12`, `110105 19491231 002X`, `(138)1234-5678`): whole groups of the run (between
 * its separators) that make one. One alone is masked in the plain form, its separators dropped as
 * maskPhone drops a phone's (`310104********2312`), an opening parenthesis or a `+` before it with them
 * when it begins the run (a parenthesis only when its closing one is among the dropped: `(138)1234-5678`
 * → `138****5678`, `（310104199003072312）` → `（310104********2312）`); the rest of the run stays as typed
 * (`A003 310104…`). One inside a longer one is read as the longer (`86 138 1234 5678` as a mobile with
 * its 86; 11 digits of an ID as the ID). Where such spans overlap (`1234 310104-19900307-2312`: which 18
 * is the ID cannot be told; a mobile and an ID sharing digits), each one's middle digits are starred, so
 * the number's are whichever it is. A run with no such span (a date, an order number of 23 digits) is
 * left as it is.
 */
function maskInRun(run: string): string {
  const spans = spansOf(run);
  // 110105194912310027X: the plain ID before a stray X, as RESIDENT_ID_PATTERN reads it.
  if (ENDS_IN_STRAY_X.test(run) && !spans.some((s) => s.end === run.length)) return maskInRun(run.slice(0, -1)) + run.slice(-1);
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

/**
 * Spans of whole groups of the run making a resident ID or a mobile, by start: their bounds, their
 * characters' positions and the characters (ASCII). A span inside a longer one is not one of its own.
 */
function spansOf(run: string): Span[] {
  const groups = [...run.matchAll(GROUP)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const spans: Span[] = [];
  for (const kind of [RESIDENT_ID, MOBILE]) {
    const longest = Math.max(...kind.lengths);
    for (let i = 0; i < groups.length; i++) {
      const chars: number[] = [];
      for (let j = i; j < groups.length && chars.length < longest; j++) {
        const g = groups[j];
        if (g === undefined) break;
        for (let p = g.start; p < g.end; p++) chars.push(p);
        const first = groups[i];
        if (first === undefined || !kind.lengths.includes(chars.length)) continue;
        const plain = asciiDigits(chars.map((p) => run[p] ?? '').join(''));
        if (kind.is(plain)) spans.push({ kind, start: first.start, end: g.end, chars: [...chars], plain });
      }
    }
  }
  return spans
    .filter((s) => !spans.some((o) => o !== s && o.start <= s.start && s.end <= o.end && o.end - o.start > s.end - s.start))
    .sort((a, b) => a.start - b.start || a.end - b.end);
}
