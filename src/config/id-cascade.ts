import type { ConfigIssue } from './validate.js';

/**
 * One root problem said once, not with the problems that only follow from it (issue #13). An entry
 * renamed onto another's id (services[1].id `medical` → `social`) is a duplicate, and every place
 * that names its old id (a window's tiers, the simulation; an RS-485 keypad's window; `agent.id`)
 * would be a problem of its own: those places are folded into the duplicate's line, which says the
 * id they name and where, not said again one by one — when they plausibly are the old id (absorbable).
 */

/**
 * Whether the places naming ids no entry has (`orphans`) are the old id of an entry renamed onto
 * another's, and so are said in the duplicate's line: only when they all name one id AND more than
 * one place names it. Several places agreeing on an id no entry has is the mark of an id that was
 * real (services[1] `medical` → `social`, nine tiers still saying `medical`); one place naming an
 * unknown id may as well be a mistake of its own (windows[11].id 12 → 11 beside a keypad's
 * `window: 6` → `66`: 66 was never a window). Else each place is said on its own line, pointing at
 * the duplicate as a possible cause (duplicateHint), never folded silently.
 */
export function absorbable<T>(orphans: readonly IdUse<T>[]): boolean {
  return orphans.length > 1 && new Set(orphans.map((o) => o.id)).size === 1;
}

/** The end of a dangling place's own line beside a duplicate: `; windows[11].id is a duplicate: was this its old id?`. */
export function duplicateHint(k: IdKind, repeats: readonly Repeat<unknown>[]): { en: string; zh: string } {
  const r = repeats[0];
  if (r === undefined) return { en: '', zh: '' };
  const at = `${k.list}[${r.at}].${k.key}`;
  return { en: `; ${at} is a duplicate: was this its old id?`, zh: `；${at} 重复了：这是它原来的编号吗？` };
}

/** An entry whose id an earlier entry has: its index and the earlier one's. */
export interface Repeat<T> {
  at: number;
  first: number;
  id: T;
}

/** Every entry whose id an earlier one has (undefined ids, refused by the schema, are skipped). */
export function repeats<T>(ids: readonly (T | undefined)[]): Repeat<T>[] {
  const first = new Map<T, number>();
  const out: Repeat<T>[] = [];
  ids.forEach((id, at) => {
    if (id === undefined) return;
    const f = first.get(id);
    if (f === undefined) first.set(id, at);
    else out.push({ at, first: f, id });
  });
  return out;
}

/** A place that names an id (`windows[0].tiers[0][1]` names "medical"). */
export interface IdUse<T> {
  path: string;
  id: T;
}

/** How an id is shown: text quoted (at most 60 characters), a number as it is. */
export function shownId(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Where an id is named: `at windows[11].tiers[0][0]`, or `at 7 places, first at windows[0].tiers[0][1]`; the Chinese `在 … ` / `有 7 处（首处 …）`. */
export function placesWords(paths: readonly string[]): { en: string; zh: string } {
  const p = paths[0] ?? '';
  return paths.length === 1 ? { en: `at ${p}`, zh: `在 ${p} ` } : { en: `at ${paths.length} places, first at ${p}`, zh: `有 ${paths.length} 处（首处 ${p}）` };
}

/** What the duplicated kind of id is: `a service id` / `业务编号` at `services[i].id`, and its entry `service` / `业务`. */
export interface IdKind {
  list: string;
  key: string;
  what: string;
  whatZh: string;
  entry: string;
  entryZh: string;
}

/**
 * The line of an entry whose id an earlier one has. `orphans`: the places naming ids that no entry
 * has now (the old id of the entry renamed onto the other's, most likely), said here once instead
 * of one line each.
 */
export function duplicateIssue<T>(k: IdKind, r: Repeat<T>, orphans: readonly IdUse<T>[] = []): ConfigIssue {
  const found = shownId(r.id);
  const base = { path: `${k.list}[${r.at}].${k.key}`, found, foundZh: found, expected: `${k.what} not used before`, expectedZh: `未被使用过的${k.whatZh}` };
  if (orphans.length === 0) return base;
  const ids = [...new Set(orphans.map((o) => o.id))].map(shownId);
  const places = placesWords(orphans.map((o) => o.path));
  const other = `${k.list}[${r.first}]`;
  const one = ids.length === 1;
  const en = one ? `${ids[0] ?? ''} is no ${k.entry}'s id now, yet it is named ${places.en}: was it this one's id, or ${other}'s?` : `${ids.join(', ')} are no ${k.entry}'s ids now, yet they are named ${places.en}: was one of them this one's id, or ${other}'s?`;
  const zh = `现在没有${k.entryZh}的编号是 ${ids.join('、')}，却${places.zh}用到${one ? '它' : '它们'}：${one ? '它' : '其中之一'}原是这一项的编号，还是 ${other}.${k.key} 原来的值？`;
  return { ...base, expected: `${base.expected} (${other}.${k.key} is ${found} too; ${en})`, expectedZh: `${base.expectedZh}（${other}.${k.key} 也是 ${found}；${zh}）` };
}
