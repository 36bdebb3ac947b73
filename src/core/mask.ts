/** Masked forms shown on screens and tickets (DESIGN §8). */

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

/** An 18-character resident ID (17 digits and a check character) not inside a longer digit run. */
export const RESIDENT_ID_PATTERN = /(?<!\d)\d{17}[\dXx](?!\d)/g;
/**
 * Digits as a person types them in a row: a space, dot or dash between any two of them, or none (the
 * way the invalid-input texts count a run of digits, drivers/common/invalid-text.ts), maybe ending in
 * an ID's check character X.
 */
const TYPED_DIGIT_RUN = /\d(?:[\s.-]?\d)*(?:[\s.-]?[Xx])?/g;
/** A mainland mobile 1[3-9]xxxxxxxxx, with an optional +86 / 0086 / 86 and 3-4-4 spaces or dashes. */
export const MOBILE_PATTERN = /(?<!\d)(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)/g;

/**
 * Free text a person typed (an off-site rating's comment, a follow-up note) with every resident ID and
 * mobile number in it masked (110105********0021, 139****5678), typed with spaces, dots or dashes or
 * not (`310104-19900307-2312` → 310104********2312, `138 1234 5678` → 138****5678), so what the log,
 * the reports and the platform keep is never a raw number (DESIGN §8). The log's last-line scrub
 * (src/log/scrub.ts) reads only the plain forms: the server's own ids join digit runs with dashes
 * (`tick-<hall>-<epoch ms>-<n>`, 13 + 5 digits).
 */
export function maskNumbersInText(text: string): string {
  return text.replace(TYPED_DIGIT_RUN, (run) => maskIdsInRun(run)).replace(MOBILE_PATTERN, (m) => maskPhone(m));
}

/**
 * The resident IDs in one run of typed digits (`310104-19900307-2312`, `3101 0419 9003 0723 12`,
 * `110105 19491231 002X`): whole groups of the run (between its separators) that make 18 characters,
 * 17 digits and a check character. One alone is masked in the plain form, its separators dropped as
 * maskPhone drops a phone's (`310104********2312`); the rest of the run stays as typed (`A003 310104…`).
 * Where such spans overlap (`1234 310104-19900307-2312`: which 18 is the ID cannot be told), each
 * one's middle 8 digits are starred, so the ID's are whichever it is. A single group of 18 is the
 * plain form (RESIDENT_ID_PATTERN); a run with no such span (a date, an order number of 23 digits) is
 * left as it is.
 */
function maskIdsInRun(run: string): string {
  const spans = idSpans(run);
  // 110105194912310027X: the plain ID before a stray X, as RESIDENT_ID_PATTERN reads it.
  if (spans.length === 0 && /[Xx]$/.test(run) && /\d$/.test(run.slice(0, -1))) return maskIdsInRun(run.slice(0, -1)) + run.slice(-1);
  if (spans.length === 0) return run;
  let out = '';
  let at = 0;
  for (let i = 0; i < spans.length; ) {
    // A cluster of overlapping spans.
    let j = i;
    let end = spans[i]?.end ?? 0;
    while (j + 1 < spans.length && (spans[j + 1]?.start ?? Infinity) < end) end = Math.max(end, spans[++j]?.end ?? 0);
    const cluster = spans.slice(i, j + 1);
    const start = cluster[0]?.start ?? 0;
    out += run.slice(at, start);
    if (cluster.length === 1) {
      const id = run.slice(start, end).replace(/[\s.-]/g, '');
      out += `${id.slice(0, 6)}${'*'.repeat(8)}${id.slice(-4)}`;
    } else {
      const starred = new Set<number>();
      for (const s of cluster) s.digits.slice(6, 14).forEach((p) => starred.add(p));
      for (let p = start; p < end; p++) out += starred.has(p) ? '*' : run[p];
    }
    at = end;
    i = j + 1;
  }
  return out + run.slice(at);
}

/** Spans of whole groups of the run making 17 digits and a check character: their bounds and the positions of their characters. */
function idSpans(run: string): { start: number; end: number; digits: number[] }[] {
  const groups = [...run.matchAll(/[\dXx]+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const spans: { start: number; end: number; digits: number[] }[] = [];
  for (let i = 0; i < groups.length; i++) {
    let length = 0;
    for (let j = i; j < groups.length && length < 18; j++) {
      const g = groups[j];
      if (g === undefined) break;
      length += g.end - g.start;
      const first = groups[i];
      if (length !== 18 || first === undefined) continue;
      const digits: number[] = [];
      for (let k = i; k <= j; k++) for (let p = groups[k]?.start ?? 0; p < (groups[k]?.end ?? 0); p++) digits.push(p);
      // An X only as the check character (the run's last).
      if (digits.slice(0, 17).every((p) => /\d/.test(run[p] ?? ''))) spans.push({ start: first.start, end: g.end, digits });
    }
  }
  return spans;
}
