import type { z } from 'zod';
import { closest } from '../../drivers/common/did-you-mean.js';
import type { ConfigIssue } from './load.js';
import { serviceSchema, staffSchema, windowSchema } from './schema.js';

/**
 * Checks that go across keys: uniqueness (service ids and prefixes, window ids, staff ids) and
 * references (a window's tiers and the simulation naming services; every service served by a window).
 *
 * They run on the document as written, not only on a config the schema accepted, so that one
 * `hallq config check` says every problem at once: each check uses only the values it needs, each
 * taken where that one value is valid by itself (a duplicate prefix is said beside a bad `kind` in the
 * same file; a prefix the schema refuses is said once, by the schema). A check that needs a whole list
 * (an unknown service in a tier needs every service id) runs when every entry's part is valid.
 */
export function crossCheck(doc: unknown): ConfigIssue[] {
  const top = record(doc) ?? {};
  const services = list(top['services']);
  const windows = list(top['windows']);
  const staff = list(top['staff']);
  const issues: ConfigIssue[] = [];

  const serviceIds = services.map((s) => valid(serviceSchema.shape.id, s, 'id'));
  const dup = (values: readonly (string | number | undefined)[], at: string, key: string, what: string, whatZh: string) => {
    const seen = new Set<string | number>();
    values.forEach((k, i) => {
      if (k === undefined) return;
      if (seen.has(k)) issues.push({ path: `${at}[${i}].${key}`, found: show(k), expected: `a ${what} not used before`, foundZh: show(k), expectedZh: `未被使用过的${whatZh}` });
      seen.add(k);
    });
  };
  dup(serviceIds, 'services', 'id', 'service id', '业务编号');
  dup(services.map((s) => valid(serviceSchema.shape.prefix, s, 'prefix')), 'services', 'prefix', 'number prefix', '号码前缀');
  dup(windows.map((w) => valid(windowSchema.shape.id, w, 'id')), 'windows', 'id', 'window id', '窗口号');
  dup(staff.map((s) => valid(staffSchema.shape.id, s, 'id')), 'staff', 'id', 'staff id', '工号');

  // The references need every service id (else a tier naming a service whose entry is broken would be called unknown).
  const ids = serviceIds.every((id) => id !== undefined) ? [...new Set(serviceIds as string[])] : undefined;
  if (ids === undefined) return issues;
  const known = new Set(ids);
  // A service id that is none of the services: the ids there are, and the one it is a typo of.
  const unknownService = (path: string, sid: string) => {
    const guess = closest(sid, ids);
    issues.push({ path, found: show(sid), expected: `one of the service ids ${ids.join(', ')}${guess === undefined ? '' : ` (did you mean ${guess}?)`}`, foundZh: show(sid), expectedZh: `以下业务编号之一：${ids.join('、')}${guess === undefined ? '' : `（是不是 "${guess}"？）`}` });
  };
  const tiers = windows.map((w) => valid(windowSchema.shape.tiers, w, 'tiers'));
  tiers.forEach((t, i) =>
    t?.forEach((tier, j) =>
      tier.forEach((sid, k) => {
        if (!known.has(sid)) unknownService(`windows[${i}].tiers[${j}][${k}]`, sid);
      }),
    ),
  );
  if (tiers.every((t) => t !== undefined)) {
    serviceIds.forEach((sid, i) => {
      if (sid !== undefined && !tiers.some((t) => t?.some((tier) => tier.includes(sid)))) issues.push({ path: `services[${i}].id`, found: show(sid), expected: 'a service that at least one window serves', foundZh: show(sid), expectedZh: '至少有一个窗口办理的业务' });
    });
  }
  const simulation = record(top['simulation']);
  for (const key of ['arrivalsPerHour', 'serviceTime'] as const) {
    for (const sid of Object.keys(record(simulation?.[key]) ?? {})) {
      if (!known.has(sid)) unknownService(`simulation.${key}.${sid}`, sid);
    }
  }
  return issues;
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
