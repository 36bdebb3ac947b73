import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { HallqError } from '../../drivers/common/error.js';
import type { HallConfig } from '../core/model.js';
import { checkAgents } from './agents.js';
import { configSchema, type HallqConfig } from './schema.js';

/** One thing wrong with a config file: where, what was there, what was expected. */
export interface ConfigIssue {
  path: string;
  found: string;
  expected: string;
}

export type ConfigResult = { ok: true; config: HallqConfig } | { ok: false; issues: ConfigIssue[] };

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '') || '(top level)';
}

/** Checks that go across keys: references and uniqueness. */
function crossCheck(c: HallqConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const services = new Set(c.services.map((s) => s.id));
  const dup = <T>(xs: T[], key: (x: T) => string | number, at: string, what: string) => {
    const seen = new Set<string | number>();
    xs.forEach((x, i) => {
      const k = key(x);
      if (seen.has(k)) issues.push({ path: `${at}[${i}]`, found: show(k), expected: `a ${what} not used before` });
      seen.add(k);
    });
  };
  dup(c.services, (s) => s.id, 'services', 'service id');
  dup(c.services, (s) => s.prefix, 'services', 'number prefix');
  dup(c.windows, (w) => w.id, 'windows', 'window id');
  dup(c.staff, (s) => s.id, 'staff', 'staff id');
  c.windows.forEach((w, i) =>
    w.tiers.forEach((tier, j) =>
      tier.forEach((sid, k) => {
        if (!services.has(sid)) issues.push({ path: `windows[${i}].tiers[${j}][${k}]`, found: show(sid), expected: `one of the service ids ${[...services].join(', ')}` });
      }),
    ),
  );
  c.services.forEach((s, i) => {
    if (!c.windows.some((w) => w.tiers.some((t) => t.includes(s.id)))) issues.push({ path: `services[${i}].id`, found: show(s.id), expected: 'a service that at least one window serves' });
  });
  if (c.simulation) {
    for (const sid of Object.keys(c.simulation.arrivalsPerHour)) {
      if (!services.has(sid)) issues.push({ path: `simulation.arrivalsPerHour.${sid}`, found: show(sid), expected: 'a service id' });
    }
    for (const sid of Object.keys(c.simulation.serviceTime)) {
      if (!services.has(sid)) issues.push({ path: `simulation.serviceTime.${sid}`, found: show(sid), expected: 'a service id' });
    }
  }
  return issues;
}

/** Validates a parsed document against the schema; every issue is reported, not just the first. */
export function validateConfig(doc: unknown): ConfigResult {
  const r = configSchema.safeParse(doc, { reportInput: true });
  if (!r.success) {
    const issues = r.error.issues.flatMap((i): ConfigIssue[] => {
      if (i.code === 'unrecognized_keys') {
        return i.keys.map((k) => ({ path: pathOf([...i.path, k]), found: 'an unknown key', expected: 'no such key (check the spelling)' }));
      }
      const expected = i.code === 'invalid_type' ? i.expected : i.message.replace(/^Invalid input: /, '');
      return [{ path: pathOf(i.path), found: show(i.input), expected }];
    });
    return { ok: false, issues };
  }
  const cross = [...crossCheck(r.data), ...checkAgents(r.data)];
  return cross.length > 0 ? { ok: false, issues: cross } : { ok: true, config: r.data };
}

/** Reads and validates a YAML config file. YAML syntax errors are reported with their line. */
export function loadConfigFile(path: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new HallqError('CONFIG_UNREADABLE', `config ${path} is not readable by this user (permission denied, ${code}): give the user that runs hallq read access (e.g. chgrp hallq ${path}; chmod 640 ${path})`, { path }, { cause: e });
    }
    throw new HallqError('CONFIG_NOT_FOUND', `cannot read config ${path}: ${(e as Error).message}`, { path });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((e) => ({ path: `line ${e.linePos?.[0].line ?? '?'}`, found: 'invalid YAML', expected: e.message.split('\n')[0] ?? 'valid YAML' })) };
  }
  return validateConfig(doc.toJS());
}

export function formatIssues(file: string, issues: ConfigIssue[]): string {
  return issues.map((i) => `${file}: ${i.path}: found ${i.found}, expected ${i.expected}`).join('\n');
}

/** Loads or throws CONFIG_INVALID with every issue in the message (the daemons refuse to start). */
export function loadConfigOrThrow(path: string): HallqConfig {
  const r = loadConfigFile(path);
  if (!r.ok) throw new HallqError('CONFIG_INVALID', formatIssues(path, r.issues), { issues: r.issues });
  return r.config;
}

/** The part of the config the core sees. */
export function hallConfigOf(c: HallqConfig): HallConfig {
  return {
    id: c.hall.id,
    name: c.hall.name,
    utcOffsetMinutes: c.hall.utcOffsetMinutes,
    hours: c.hours,
    services: c.services,
    windows: c.windows,
    staff: c.staff,
    policy: c.policy,
  };
}
