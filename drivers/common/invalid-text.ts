import type { z } from 'zod';
import { closest } from './did-you-mean.js';
import { isPersonalPath, SEVEN_TYPED_DIGITS } from './personal-keys.js';
import { schemaKeysAt } from './schema-keys.js';

/**
 * The one way hallq words invalid input (HTTP bodies, MQTT refusals, `hallq config check`, the CLI):
 * each schema (zod 4) issue becomes "where: found X, expected Y" in English and
 * "where：收到 X，应为 Y" in Chinese, in plain words. zod's own texts ("Too small: expected number to
 * be >=1", "Invalid input: expected string, received undefined") never reach a person.
 *
 * Found values are quoted when they cannot be personal data: `type: found "Nope", expected one of
 * CallNext, …` (at most 40 characters, the rest cut and counted; control and direction characters
 * escaped). Never quoted, only their kind ("text of 11 characters"): a value under a key that may
 * hold personal data or a secret (drivers/common/personal-keys.ts: idNumber, phone, name, person …,
 * at any depth), text with a run of 7 digits or more, ASCII or full-width, the separators people group
 * a number by between them counted too (spaces, dots, dashes, slashes, underscores, parentheses,
 * personal-keys.ts: a phone or ID number in the wrong field; a date YYYY-MM-DD is quoted), text
 * with Chinese characters (a name in the wrong field), numbers longer than 6 characters. `values:
 * 'shown'` (a config file the reader wrote) quotes up to 60 characters, digits and Chinese too, but
 * never under a personal key.
 * Key names a sender invented are repeated only when they look like field names and could not be
 * personal data (no run of 7 digits, counted alike: `body.zhang_11010519491231002X` and
 * `body.li_138_1234_5678` are said `body.?`).
 */
export type Issue = z.core.$ZodIssue;

export interface InvalidLine {
  /** The key path, e.g. `windows[2].id`, `body.window`; '' for the whole input. */
  path: string;
  found: { en: string; zh: string };
  expected: { en: string; zh: string };
  en: string;
  zh: string;
}

export interface InvalidText {
  message: string;
  messageZh: string;
  lines: InvalidLine[];
}

export interface InvalidTextOptions {
  /** Prefix of every path, e.g. `body`, `query`; and how the whole input is named. */
  where?: string;
  /** 'kind' (default): values quoted only when they cannot be personal data; 'shown': quoted unless under a personal key. */
  values?: 'kind' | 'shown';
  /** At most this many lines (default 5); the rest are counted. */
  max?: number;
  /**
   * The whole input that was refused, to name what was found at each path (zod puts `input` on an
   * issue only with reportInput). Without either, a line says only what was expected.
   */
  input?: unknown;
  /** The schema that refused the input: an unknown key is answered with the allowed key it is a typo of (`did you mean interleave?`). */
  schema?: z.ZodType;
}

const FIELD = /^[A-Za-z_$][A-Za-z0-9_$-]{0,40}$/;

// A key shown as it is in a path: no spaces, dots, brackets, quotes or unsafe characters (Chinese is fine: `policy.张三`).
const PLAIN_KEY = /^[^\s.[\]"'\\\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]{1,60}$/u;

/**
 * `windows[2].tiers[0]`: dots between names, brackets around indexes. Invented odd keys become `?`:
 * one that is not a field name, or one that holds what may be personal data, by the rule a found text is
 * quoted by (`zhang_11010519491231002X`, `li_138-1234-5678`, `li_138_1234_5678`: 7 digits in a row,
 * the separators personal-keys.ts lists between them counted too; this covers every number the log's scrub
 * redacts, src/log/scrub.ts) —
 * unless `shown` (a config file the reader wrote): then a key is shown as written (`policy.张三`), or
 * quoted in brackets when it holds spaces, dots or quotes (`policy["a b"]`), control and direction
 * characters escaped.
 */
export function keyPath(path: readonly PropertyKey[], where = '', shown = false): string {
  let out = where;
  for (const p of path) {
    if (typeof p === 'number') out += `[${String(p)}]`;
    else if (typeof p === 'string' && ((FIELD.test(p) && (shown || !maybePersonal(p))) || (shown && PLAIN_KEY.test(p)))) out += out === '' ? p : `.${p}`;
    else if (typeof p === 'string' && shown) out += `[${quoted(p, QUOTED_MAX_SHOWN).en}]`;
    else out += out === '' ? '?' : '.?';
  }
  return out;
}

type Words = { en: string; zh: string };

const TYPES: Record<string, Words> = {
  string: { en: 'text', zh: '文字' },
  number: { en: 'a number', zh: '数字' },
  int: { en: 'a whole number', zh: '整数' },
  boolean: { en: 'true or false', zh: 'true 或 false' },
  bigint: { en: 'a whole number', zh: '整数' },
  array: { en: 'a list', zh: '列表' },
  tuple: { en: 'a list', zh: '列表' },
  object: { en: 'a group of keys', zh: '一组键值（对象）' },
  record: { en: 'a group of keys', zh: '一组键值（对象）' },
  map: { en: 'a group of keys', zh: '一组键值（对象）' },
  date: { en: 'a date', zh: '日期' },
  null: { en: 'null', zh: '空值 null' },
  undefined: { en: 'nothing', zh: '不填' },
  nonoptional: { en: 'a value', zh: '一个值' },
};

const FORMATS: Record<string, Words> = {
  url: { en: 'a web address (http://… or https://…)', zh: '网址（http://… 或 https://…）' },
  email: { en: 'an email address', zh: '电子邮件地址' },
  uuid: { en: 'a UUID', zh: 'UUID 编号' },
  guid: { en: 'a UUID', zh: 'UUID 编号' },
  date: { en: 'a day as YYYY-MM-DD', zh: '日期（YYYY-MM-DD）' },
  time: { en: 'a time as HH:MM', zh: '时间（HH:MM）' },
  datetime: { en: 'a date and time (ISO 8601)', zh: '日期时间（ISO 8601）' },
  ipv4: { en: 'an IPv4 address', zh: 'IPv4 地址' },
  ipv6: { en: 'an IPv6 address', zh: 'IPv6 地址' },
  base64: { en: 'base64 text', zh: 'base64 文字' },
  base64url: { en: 'base64url text', zh: 'base64url 文字' },
};

/** At most this many characters of a found text are quoted (the rest is cut and counted). */
export const QUOTED_MAX = 40;
const QUOTED_MAX_SHOWN = 60;

// Characters that would break a log line or a terminal, or reorder what a reader sees.
const UNSAFE = /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
// Text that may be personal data typed into the wrong field: a phone or ID number (7 digits as a person
// types them, personal-keys.ts: ASCII or full-width, grouped by spaces, dots, dashes, slashes, underscores
// or parentheses, or not), a Chinese name, an email address.
const MAYBE_PERSONAL = new RegExp(`${SEVEN_TYPED_DIGITS.source}|[\\u3400-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}]|@`, 'u');
// A date (YYYY-MM-DD, or YYYY/MM/DD as some type it), with a time of day or not: eight digits with dashes
// or slashes between them, never a phone or an ID number, so quoted (a report's `from`/`to`, a holiday).
const DATE = /^\d{4}([-/])\d{2}\1\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Text that may be personal data: a run of 7 typed digits (personal-keys.ts: full-width too, separators between them counted), Chinese characters or an `@`; never a date. */
const maybePersonal = (v: string): boolean => !DATE.test(v) && MAYBE_PERSONAL.test(v);

/** `"Nope"`, or `"the first 40 characters"… (text of 93 characters)`: JSON-quoted, unsafe characters escaped. */
function quoted(v: string, max: number): Words {
  const chars = Array.from(v);
  const head = chars.length > max ? chars.slice(0, max).join('') : v;
  const q = JSON.stringify(head).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (chars.length <= max) return { en: q, zh: q };
  return { en: `${q}… (text of ${chars.length} characters)`, zh: `${q}…（共 ${chars.length} 个字符）` };
}

/** A number's kind only: a long one may be a phone or an ID number typed into the wrong field. */
const numberKind = (n: number): Words => ({ en: `a number of ${String(n).length} characters`, zh: `${String(n).length} 位的数字` });

/**
 * What was found, in words. `personal`: the value sits under a key that may hold personal data, so
 * only its kind is said, whatever `values` asks.
 */
export function foundWords(v: unknown, values: 'kind' | 'shown' = 'kind', personal = false): Words {
  if (v === undefined) return { en: 'nothing', zh: '空缺' };
  if (v === null) return { en: 'null', zh: '空值 null' };
  if (typeof v === 'number') {
    // JSON.parse reads 1e400 as Infinity: the sender wrote a number, just one too large to hold.
    if (v === Infinity) return { en: 'a number too large (not a finite number)', zh: '过大的数（不是有限数）' };
    if (v === -Infinity) return { en: 'a negative number too large (not a finite number)', zh: '过小的负数（不是有限数）' };
    if (Number.isNaN(v)) return { en: 'not a number (NaN)', zh: '非数字（NaN）' };
    if (personal) return numberKind(v);
    return values === 'shown' || String(v).length <= 6 ? { en: String(v), zh: String(v) } : numberKind(v);
  }
  if (typeof v === 'boolean') return { en: String(v), zh: String(v) };
  if (typeof v === 'string') {
    if (v.length === 0) return { en: 'empty text', zh: '空文字' };
    if (!personal && values === 'shown') return quoted(v, QUOTED_MAX_SHOWN);
    if (!personal && !maybePersonal(v)) return quoted(v, QUOTED_MAX);
    const n = Array.from(v).length;
    return { en: `text of ${n} character${n === 1 ? '' : 's'}`, zh: `${n} 个字符的文字` };
  }
  if (Array.isArray(v)) return { en: `a list of ${v.length} item${v.length === 1 ? '' : 's'}`, zh: `${v.length} 项的列表` };
  if (typeof v === 'object') return { en: 'a group of keys', zh: '一组键值（对象）' };
  if (typeof v === 'bigint') return personal ? { en: 'a whole number', zh: '整数' } : numberKind(Number(v));
  return { en: typeof v, zh: typeof v };
}

const plural = (n: number | bigint, one: string, many: string) => `${String(n)} ${Number(n) === 1 ? one : many}`;

function bound(i: Extract<Issue, { code: 'too_small' | 'too_big' }>): Words {
  const small = i.code === 'too_small';
  const n = small ? i.minimum : i.maximum;
  const inclusive = i.inclusive !== false;
  switch (i.origin) {
    case 'string':
      if (i.exact) return { en: `exactly ${plural(n, 'character', 'characters')}`, zh: `正好 ${String(n)} 个字符` };
      if (small && Number(n) === 1) return { en: 'text that is not empty', zh: '非空的文字' };
      return small ? { en: `at least ${plural(n, 'character', 'characters')}`, zh: `至少 ${String(n)} 个字符` } : { en: `at most ${plural(n, 'character', 'characters')}`, zh: `最多 ${String(n)} 个字符` };
    case 'array':
    case 'set':
      if (i.exact) return { en: `exactly ${plural(n, 'item', 'items')}`, zh: `正好 ${String(n)} 项` };
      if (small && Number(n) === 1) return { en: 'at least one item', zh: '至少一项' };
      return small ? { en: `at least ${plural(n, 'item', 'items')}`, zh: `至少 ${String(n)} 项` } : { en: `at most ${plural(n, 'item', 'items')}`, zh: `最多 ${String(n)} 项` };
    case 'date':
      return small ? { en: `a date from ${String(n)}`, zh: `不早于 ${String(n)} 的日期` } : { en: `a date until ${String(n)}`, zh: `不晚于 ${String(n)} 的日期` };
    case 'file':
      return small ? { en: `a file of at least ${String(n)} bytes`, zh: `不小于 ${String(n)} 字节的文件` } : { en: `a file of at most ${String(n)} bytes`, zh: `不大于 ${String(n)} 字节的文件` };
    case 'number':
    case 'int':
    case 'bigint':
    default:
      if (small) return inclusive ? { en: `a number of at least ${String(n)}`, zh: `不小于 ${String(n)} 的数` } : { en: `a number above ${String(n)}`, zh: `大于 ${String(n)} 的数` };
      return inclusive ? { en: `a number of at most ${String(n)}`, zh: `不大于 ${String(n)} 的数` } : { en: `a number below ${String(n)}`, zh: `小于 ${String(n)} 的数` };
  }
}

/** An allowed value as the schema names it (a literal may be a bigint, which JSON cannot write). */
function shownValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'symbol' || v === undefined) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The Chinese of messages a schema's author wrote, recorded by `zhText` where the schema is made. */
const AUTHORED_ZH = new Map<string, string>();

/**
 * A schema's own message with its Chinese: `z.string().regex(re, zhText('a time "HH:MM"', '时间（HH:MM）'))`.
 * Returns the English (what zod keeps on the issue); the Chinese is looked up by it when the issue is
 * worded, so a refusal's Chinese line never quotes the English. (A regex check carries no params,
 * hence a table rather than the issue itself; custom issues may also pass `params.zh`.)
 */
export function zhText(en: string, zh: string): string {
  AUTHORED_ZH.set(en, zh);
  return en;
}

/** The Chinese recorded by `zhText` for an authored message, if any (tests: every authored message has one). */
export function authoredZh(en: string): string | undefined {
  return AUTHORED_ZH.get(en);
}

/** A message the schema's author wrote (not zod's default wording), usable as the expectation. */
export function authored(message: string): string | undefined {
  return message !== '' && !/^(Invalid|Too (small|big)|Expected|Unrecognized|Required)\b/.test(message) ? message : undefined;
}

/** What was expected, in words. */
export function expectedWords(i: Issue): Words {
  switch (i.code) {
    case 'invalid_type': {
      // A schema whose author said what it takes (z.string(zhText(…))): a missing day is "a day", not "text".
      const own = authored(i.message);
      const zh = own === undefined ? undefined : AUTHORED_ZH.get(own);
      if (own !== undefined && zh !== undefined) return { en: own, zh };
    }
      return TYPES[i.expected] ?? { en: `a ${i.expected}`, zh: i.expected };
    case 'too_small':
    case 'too_big':
      return bound(i);
    case 'invalid_value': {
      const vs = i.values.slice(0, 12).map(shownValue);
      // In the Chinese, each allowed value quoted: a literal to type, not a word to read.
      const qs = vs.map((v) => `"${v}"`);
      const more = i.values.length > 12 ? ', …' : '';
      if (vs.length === 1) return { en: `exactly ${vs[0] ?? ''}`, zh: `只能是 ${qs[0] ?? ''}` };
      return { en: `one of ${vs.join(', ')}${more}`, zh: `以下之一：${qs.join('、')}${more ? '、…' : ''}` };
    }
    case 'invalid_format': {
      const own = authored(i.message);
      if (own) return { en: own, zh: AUTHORED_ZH.get(own) ?? `符合格式的文字（${own}）` };
      if (i.format === 'starts_with' && 'prefix' in i) return { en: `text starting with ${String(i.prefix)}`, zh: `以 ${String(i.prefix)} 开头的文字` };
      if (i.format === 'ends_with' && 'suffix' in i) return { en: `text ending with ${String(i.suffix)}`, zh: `以 ${String(i.suffix)} 结尾的文字` };
      return FORMATS[i.format] ?? { en: 'text in the right format', zh: '格式正确的文字' };
    }
    case 'not_multiple_of':
      return { en: `a multiple of ${String(i.divisor)}`, zh: `${String(i.divisor)} 的倍数` };
    case 'unrecognized_keys':
      return { en: 'no such key (check the spelling)', zh: '没有这一项（请检查拼写）' };
    case 'invalid_union':
      if (i.discriminator !== undefined) {
        const opts = 'options' in i && i.options ? i.options.map(shownValue) : [];
        return opts.length > 0 ? { en: `one of ${opts.join(', ')}`, zh: `以下之一：${opts.map((v) => `"${v}"`).join('、')}` } : { en: 'one of the allowed kinds', zh: '允许的种类之一' };
      }
      {
        // A union whose author said what it takes (z.union([...], zhText(…))).
        const own = authored(i.message);
        const zh = own === undefined ? undefined : AUTHORED_ZH.get(own);
        if (own !== undefined && zh !== undefined) return { en: own, zh };
      }
      return { en: 'one of the allowed forms', zh: '允许的写法之一' };
    case 'invalid_key':
      return { en: 'a valid key', zh: '有效的键名' };
    case 'invalid_element':
      return { en: 'valid items', zh: '有效的项' };
    case 'custom': {
      const own = authored(i.message);
      const zh = typeof i.params?.['zh'] === 'string' ? (i.params['zh'] as string) : own !== undefined ? AUTHORED_ZH.get(own) : undefined;
      return { en: own ?? 'a valid value', zh: zh ?? (own ? `有效的值（${own}）` : '有效的值') };
    }
    default:
      // A code this zod does not have (a newer zod, or an issue rebuilt from elsewhere).
      return { en: 'a valid value', zh: '有效的值' };
  }
}

const NOT_KNOWN = Symbol('not known');

/** The value at `path` of `root`, or NOT_KNOWN past a non-object; own keys only. */
function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    const k = typeof p === 'symbol' ? p : String(p);
    v = Object.hasOwn(v, k) ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  }
  return v;
}

const record = (v: unknown): object => (typeof v === 'object' && v !== null ? v : {});

function inputOf(i: Issue, o: InvalidTextOptions): unknown {
  if ('input' in i) return i.input;
  return 'input' in o ? at(o.input, i.path) : NOT_KNOWN;
}

/**
 * The issue with the fields the wording reads in the shape zod gives them: issues also come back from
 * Fastify's validation (src/http/app.ts rebuilds them), and a malformed one must still be worded.
 */
function wellFormed(i: Issue): Issue {
  const fixed: Record<string, unknown> = { ...i, path: Array.isArray(i.path) ? i.path.filter((p) => ['string', 'number', 'symbol'].includes(typeof p)) : [] };
  if (i.code === 'unrecognized_keys') fixed['keys'] = Array.isArray(i.keys) ? i.keys.filter((k) => typeof k === 'string') : [];
  if (i.code === 'invalid_value') fixed['values'] = Array.isArray(i.values) ? i.values : [];
  if (i.code === 'invalid_union' && 'options' in i && !Array.isArray(i.options)) delete fixed['options'];
  if (typeof i.message !== 'string') fixed['message'] = '';
  return fixed as unknown as Issue;
}

/** One issue as lines (an unknown-keys issue is one line per key). */
export function issueLines(issue: Issue, o: InvalidTextOptions = {}): InvalidLine[] {
  const where = o.where ?? '';
  const i = wellFormed(issue);
  const shown = o.values === 'shown';
  if (i.code === 'unrecognized_keys') {
    // The keys allowed there (of the union option the entry selects), for the one an unknown key is a
    // typo of: first among those not written yet; else one written too (`interlave` beside
    // `interleave`: a left-over or a duplicate, said as such).
    const here = record('input' in i ? i.input : at(o.input, i.path));
    const allowed = o.schema === undefined ? [] : (schemaKeysAt(o.schema, i.path, o.input) ?? []).filter((a) => !i.keys.includes(a));
    const unwritten = allowed.filter((a) => !Object.hasOwn(here, a));
    const written = allowed.filter((a) => Object.hasOwn(here, a));
    return i.keys.map((k) => {
      const path = keyPath([...i.path, k], where, shown);
      const fresh = closest(k, unwritten);
      const guess = fresh ?? closest(k, written);
      const also = fresh === undefined && guess !== undefined ? { en: ` ${guess} is also set`, zh: `"${guess}" 也已设置` } : { en: '', zh: '' };
      const hint = guess === undefined ? { en: 'check the spelling', zh: '请检查拼写' } : { en: `did you mean ${guess}?${also.en}`, zh: `是不是 "${guess}"？${also.zh}` };
      const expected = guess === undefined ? expectedWords(i) : { en: `no such key (${hint.en})`, zh: `没有这一项（${hint.zh}）` };
      return { path, found: { en: 'an unknown key', zh: '未知的项' }, expected, en: `${path}: unknown key (${hint.en})`, zh: `${path}：未知的项（${hint.zh}）` };
    });
  }
  const value = inputOf(i, o);
  if (value === NOT_KNOWN) return [line(keyPath(i.path, where, shown), undefined, expectedWords(i), where)];
  // A missing key reads as missing, whatever type was expected.
  const found = value === undefined ? { en: 'nothing (the key is missing)', zh: '空缺（缺少此项）' } : foundWords(value, o.values, isPersonalPath(i.path));
  return [line(keyPath(i.path, where, shown), found, withGuess(expectedWords(i), i, value), where)];
}

/** A mistyped choice (`kind: generall`): the allowed value it is a typo of, if one is close. Names an allowed value only, never the input. */
function withGuess(expected: Words, i: Issue, value: unknown): Words {
  const allowed = i.code === 'invalid_value' ? i.values : i.code === 'invalid_union' && i.discriminator !== undefined && 'options' in i && i.options ? i.options : [];
  if (typeof value !== 'string' || allowed.length < 2 || !allowed.every((v) => typeof v === 'string')) return expected;
  const guess = closest(value, allowed as string[]);
  return guess === undefined ? expected : { en: `${expected.en} (did you mean ${guess}?)`, zh: `${expected.zh}（是不是 "${guess}"？）` };
}

function line(path: string, found: Words | undefined, expected: Words, where: string): InvalidLine {
  const place = path === '' || path === where ? { en: where === '' ? 'the input' : `the ${where}`, zh: where === '' ? '输入内容' : `${where} 内容` } : { en: path, zh: path };
  const en = found ? `${place.en}: found ${found.en}, expected ${expected.en}` : `${place.en}: expected ${expected.en}`;
  const zh = found ? `${place.zh}：收到${found.zh}，应为${expected.zh}` : `${place.zh}：应为${expected.zh}`;
  return { path, found: found ?? { en: '', zh: '' }, expected, en, zh };
}

type Bound = Extract<Issue, { code: 'too_small' | 'too_big' }>;
const isBound = (i: Issue): i is Bound => (i.code === 'too_small' || i.code === 'too_big') && Array.isArray(i.path);
const limitOf = (i: Bound): number => Number(i.code === 'too_small' ? i.minimum : i.maximum);
const numeric = (origin: string) => origin === 'number' || origin === 'int' || origin === 'bigint';

/**
 * One bound per key and side: `window: 1e20` breaks both the whole-number range (at most
 * 9007199254740991) and the schema's own `max(999)`; only the tighter is said, not two contradicting lines.
 */
function tightestBounds(issues: readonly Issue[]): Issue[] {
  const best = new Map<string, Bound>();
  const keyOf = (i: Bound) => `${i.code} ${numeric(i.origin) ? 'number' : i.origin} ${JSON.stringify(i.path.map(String))}`;
  for (const i of issues) {
    if (!isBound(i)) continue;
    const k = keyOf(i);
    const had = best.get(k);
    const tighter = had === undefined || (i.code === 'too_big' ? limitOf(i) < limitOf(had) : limitOf(i) > limitOf(had));
    if (tighter) best.set(k, i);
  }
  return issues.filter((i) => !isBound(i) || best.get(keyOf(i)) === i);
}

/** Every issue in words: `message` and `messageZh` join the first `max` lines and count the rest. */
export function invalidText(issues: readonly Issue[], o: InvalidTextOptions = {}): InvalidText {
  const all = tightestBounds(issues).flatMap((i) => issueLines(i, o));
  const max = o.max ?? 5;
  const shown = all.slice(0, max);
  const rest = all.length - shown.length;
  const message = shown.map((l) => l.en).join('; ') + (rest > 0 ? `; and ${rest} more` : '');
  const messageZh = shown.map((l) => l.zh).join('；') + (rest > 0 ? `；另有 ${rest} 处` : '');
  return { message: message || 'the input is not valid', messageZh: messageZh || '输入内容无效', lines: all };
}

/** zod's own wording, which a person must never be shown (tests assert its absence). */
export const RAW_ZOD_TEXT = /Too (small|big):|Invalid input|expected \w+ to (be|have)|received undefined|Unrecognized key|Invalid (string|option|element|key|union)/;
