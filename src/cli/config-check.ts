import { accessSync, constants, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { cityConfigProblems, parseCityConfig } from '../city/config.js';
import { formatIssues, loadConfigFile } from '../config/load.js';
import { unreadableFiles } from '../config/referenced-files.js';
import { exitCodes } from './exit-codes.js';

/**
 * `hallq config check FILE`: every bad key with its path, the value found and what was expected, in English and Chinese.
 * A city config (a top-level `city:` key and no `hall:`, docs/city.md) is checked as one.
 */
export function configCheck(file: string, json: boolean): number {
  const city = cityDocument(file);
  if (city !== undefined) return cityConfigCheck(file, city, json);
  const loaded = loadConfigFile(file);
  // A valid file whose password, key or certificate files are missing would stop the daemon: a problem too.
  const missing = loaded.ok ? unreadableFiles(loaded.config) : [];
  const r: typeof loaded = missing.length > 0 ? { ok: false, issues: missing } : loaded;
  if (json) {
    process.stdout.write(`${JSON.stringify(r.ok ? { ok: true } : { ok: false, issues: r.issues })}\n`);
  } else if (r.ok) {
    const c = r.config;
    process.stdout.write(`${file}: OK (${c.services.length} services, ${c.windows.length} windows, ${c.staff.length} staff)\n`);
  } else {
    // Each problem in English, its Chinese on the next line: a technician reads one, a hall manager the other.
    process.stderr.write(`${formatIssues(file, r.issues, true)}\n${r.issues.length} problem(s) in ${file} (${file} 中有 ${r.issues.length} 处问题)\n`);
  }
  return r.ok ? exitCodes.ok : exitCodes.configInvalid;
}

/** The parsed document when FILE is a city config (a mapping with `city` and without `hall`); else undefined. */
function cityDocument(file: string): Record<string, unknown> | undefined {
  let doc: unknown;
  try {
    const parsed = parseDocument(readFileSync(file, 'utf8'));
    if (parsed.errors.length > 0) return undefined;
    doc = parsed.toJS();
  } catch {
    return undefined; // the hall path reports an unreadable file
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const top = doc as Record<string, unknown>;
  return 'city' in top && !('hall' in top) ? top : undefined;
}

function cityConfigCheck(file: string, doc: Record<string, unknown>, json: boolean): number {
  const problems = cityConfigProblems(doc);
  if (problems.length === 0) {
    try {
      const c = parseCityConfig(doc, file);
      if (c.broker.passwordFile !== undefined) accessSync(c.broker.passwordFile, constants.R_OK);
    } catch (e) {
      const err = e as Error & { code?: string };
      problems.push(err.code === 'CONFIG_INVALID' ? { path: '(halls)', message: err.message } : { path: 'broker.passwordFile', message: `cannot read the file: ${err.message}` });
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(problems.length === 0 ? { ok: true, kind: 'city' } : { ok: false, kind: 'city', issues: problems })}\n`);
  else if (problems.length === 0) process.stdout.write(`${file}: OK (city config: ${Array.isArray(doc.halls) ? doc.halls.length : 0} halls)\n`);
  else process.stderr.write(`${problems.map((p) => `${file}: ${p.path || '(top level)'}: ${p.message}`).join('\n')}\n${problems.length} problem(s) in ${file} (city config)\n`);
  return problems.length === 0 ? exitCodes.ok : exitCodes.configInvalid;
}
