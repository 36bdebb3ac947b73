import type { z } from 'zod';
import { int } from '../../drivers/common/int-schema.js';
import { closest } from '../../drivers/common/did-you-mean.js';
import { absorbable, duplicateHint, duplicateIssue, placesWords, repeats, type IdKind, type IdUse } from './id-cascade.js';
import type { ConfigIssue } from './validate.js';
import { serviceSchema, staffSchema, windowSchema } from './schema.js';

/**
 * Checks that go across keys: uniqueness (service ids and prefixes, window ids, staff ids) and
 * references (a window's tiers and the simulation naming services, an RS-485 screen or keypad naming
 * a window; every service served by a window).
 *
 * They run on the document as written, not only on a config the schema accepted, so that one
 * `hallq config check` says every problem at once: each check uses only the values it needs, each
 * taken where that one value is valid by itself (a duplicate prefix is said beside a bad `kind` in the
 * same file; a prefix the schema refuses is said once, by the schema). A check that needs a whole list
 * (an unknown service in a tier needs every service id) runs when every entry's part is valid.
 *
 * A root problem is said once, not with what only follows from it (src/config/id-cascade.ts): the
 * places naming an id no entry has, when an entry's id repeats another's, are said in the duplicate's
 * line when several name one id (absorbable), else each at its place pointing at the duplicate; a service whose id is a typo of the id several places name (`medicl` where seven tiers say
 * `medical`) is said once, at the service.
 */
export function crossCheck(doc: unknown): ConfigIssue[] {
  const top = record(doc) ?? {};
  const services = list(top['services']);
  const windows = list(top['windows']);
  const staff = list(top['staff']);
  const issues: ConfigIssue[] = [];

  const serviceIds = services.map((s) => valid(serviceSchema.shape.id, s, 'id'));
  const windowIds = windows.map((w) => valid(windowSchema.shape.id, w, 'id'));
  const serviceRepeats = repeats(serviceIds);
  const windowRepeats = repeats(windowIds);
  // Services missing, not a list, empty or with an id the schema refuses: the schema says so, and the
  // references to services are not checked against ids that are not there (they would all be unknown).
  const serviceList = Array.isArray(top['services']) && services.length > 0 && every(serviceIds);
  const refs = serviceList ? serviceReferences(top, new Set(serviceIds), duplicateHint(SERVICE, serviceRepeats)) : undefined;
  const windowRefs = every(windowIds) ? unknownWindows(top, new Set(windowIds)) : [];
  // With a window id twice, the window named that none has is the old id of the one renamed when several
  // places name it (absorbable): said in the duplicate's line; else at each place, pointing at the duplicate.
  const windowOrphans = windowRepeats.length > 0 && absorbable(windowRefs) ? windowRefs : [];
  const windowHint = duplicateHint(WINDOW, windowRepeats);

  issues.push(...serviceRepeats.map((r) => duplicateIssue(SERVICE, r, refs?.orphans)));
  issues.push(...repeats(services.map((s) => valid(serviceSchema.shape.prefix, s, 'prefix'))).map((r) => duplicateIssue(PREFIX, r)));
  issues.push(...windowRepeats.map((r) => duplicateIssue(WINDOW, r, windowOrphans)));
  issues.push(...repeats(staff.map((s) => valid(staffSchema.shape.id, s, 'id'))).map((r) => duplicateIssue(STAFF, r)));
  if (refs !== undefined) issues.push(...refs.issues);
  if (windowOrphans.length === 0) {
    for (const w of windowRefs) issues.push({ path: w.path, found: String(w.id), expected: `a window id of windows${windowHint.en}`, foundZh: String(w.id), expectedZh: `已配置窗口的窗口号${windowHint.zh}` });
  }
  return issues;
}

const SERVICE: IdKind = { list: 'services', key: 'id', what: 'a service id', whatZh: '业务编号', entry: 'service', entryZh: '业务' };
const PREFIX: IdKind = { list: 'services', key: 'prefix', what: 'a number prefix', whatZh: '号码前缀', entry: 'service', entryZh: '业务' };
const WINDOW: IdKind = { list: 'windows', key: 'id', what: 'a window id', whatZh: '窗口号', entry: 'window', entryZh: '窗口' };
const STAFF: IdKind = { list: 'staff', key: 'id', what: 'a staff id', whatZh: '工号', entry: 'staff member', entryZh: '工作人员' };

const every = <T>(ids: readonly (T | undefined)[]): ids is T[] => ids.every((id) => id !== undefined);

/**
 * The places naming a service (every service id valid, `known`): an id that is none of the services, with the
 * ids there are and the one it is a typo of; a service no window serves. `repeated`: some service id
 * is used twice, so the ids named that are close to none (the renamed entry's old id) are `orphans`,
 * for the duplicate's line, not said here.
 */
function serviceReferences(top: Record<string, unknown>, known: ReadonlySet<string>, hint: { en: string; zh: string }): { issues: ConfigIssue[]; orphans: IdUse<string>[] } {
  const repeated = hint.en !== '';
  const ids = [...known];
  const windows = list(top['windows']);
  const services = list(top['services']);
  const tiers = windows.map((w) => valid(windowSchema.shape.tiers, w, 'tiers'));
  const uses: IdUse<string>[] = [];
  tiers.forEach((t, i) => t?.forEach((tier, j) => tier.forEach((sid, k) => uses.push({ path: `windows[${i}].tiers[${j}][${k}]`, id: sid }))));
  const simulation = record(top['simulation']);
  for (const key of ['arrivalsPerHour', 'serviceTime'] as const) {
    for (const sid of Object.keys(record(simulation?.[key]) ?? {})) uses.push({ path: `simulation.${key}.${sid}`, id: sid });
  }
  const unknown = uses.filter((u) => !known.has(u.id));
  // Services no window serves (known only when every window's tiers are valid).
  const unserved = new Map<string, number>();
  if (tiers.every((t) => t !== undefined)) {
    services.forEach((s, i) => {
      const sid = valid(serviceSchema.shape.id, s, 'id');
      if (sid !== undefined && !unserved.has(sid) && !tiers.some((t) => t?.some((tier) => tier.includes(sid)))) unserved.set(sid, i);
    });
  }
  let orphans: IdUse<string>[] = [];
  const folded = new Set<string>();
  const renamed = new Map<string, IdUse<string>[]>();
  for (const sid of new Set(unknown.map((u) => u.id))) {
    const at = unknown.filter((u) => u.id === sid);
    const guess = closest(sid, ids);
    if (guess !== undefined && unserved.has(guess)) {
      // The service's id and the places naming it disagree by a typo: one problem. Said at the service
      // when several places agree on the other spelling; else at the one place (its did-you-mean).
      if (at.length > 1 && !renamed.has(guess)) {
        renamed.set(guess, at);
        folded.add(sid);
      } else unserved.delete(guess);
    } else if (guess === undefined && repeated) {
      orphans.push(...at);
      folded.add(sid);
    }
  }
  // Not the renamed entry's old id (absorbable, src/config/id-cascade.ts): each place said, pointing at the duplicate.
  if (!absorbable(orphans)) {
    for (const o of orphans) folded.delete(o.id);
    orphans = [];
  }
  const issues: ConfigIssue[] = [];
  // A service id that is none of the services: the ids there are, and the one it is a typo of.
  const unknownService = (u: IdUse<string>) => {
    const guess = closest(u.id, ids);
    const end = guess === undefined ? hint : { en: '', zh: '' };
    issues.push({ path: u.path, found: show(u.id), expected: `one of the service ids ${ids.join(', ')}${guess === undefined ? '' : ` (did you mean ${guess}?)`}${end.en}`, foundZh: show(u.id), expectedZh: `以下业务编号之一：${ids.join('、')}${guess === undefined ? '' : `（是不是 "${guess}"？）`}${end.zh}` });
  };
  const said = unknown.filter((u) => !folded.has(u.id));
  said.filter((u) => u.path.startsWith('windows')).forEach(unknownService);
  for (const [sid, i] of unserved) {
    const other = renamed.get(sid);
    const path = `services[${i}].id`;
    if (other === undefined) {
      issues.push({ path, found: show(sid), expected: 'a service that at least one window serves', foundZh: show(sid), expectedZh: '至少有一个窗口办理的业务' });
      continue;
    }
    const name = other[0]?.id ?? '';
    const places = placesWords(other.map((u) => u.path));
    issues.push({
      path,
      found: show(sid),
      expected: `a service that at least one window serves (did you mean ${name}? ${show(name)} is named ${places.en}, and no service has that id)`,
      foundZh: show(sid),
      expectedZh: `至少有一个窗口办理的业务（是不是 "${name}"？${places.zh}写的是 ${show(name)}，却没有这项业务）`,
    });
  }
  said.filter((u) => u.path.startsWith('simulation')).forEach(unknownService);
  return { issues, orphans };
}

const windowRef = int(1);

/** The RS-485 screens and keypads naming a window that none of `known` is (each window number valid by itself). */
function unknownWindows(top: Record<string, unknown>, known: ReadonlySet<number>): IdUse<number>[] {
  const out: IdUse<number>[] = [];
  list(top['agents']).forEach((a, i) =>
    list(record(record(a)?.['devices'])?.['rs485']).forEach((line, j) => {
      for (const part of ['screens', 'keypads'] as const) {
        list(record(line)?.[part]).forEach((d, k) => {
          const w = valid(windowRef, d, 'window');
          if (w !== undefined && !known.has(w)) out.push({ path: `agents[${i}].devices.rs485[${j}].${part}[${k}].window`, id: w });
        });
      }
    }),
  );
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The entry's `key` when the schema of that one key accepts it; else undefined (the schema says what is wrong). */
function valid<S extends z.ZodType>(schema: S, entry: unknown, key: string): z.output<S> | undefined {
  const r = schema.safeParse(record(entry)?.[key]);
  return r.success ? r.data : undefined;
}
