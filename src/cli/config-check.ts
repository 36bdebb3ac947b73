import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { yamlData } from '../config/yaml-data.js';
import { cityConfigProblems, parseCityConfig } from '../city/config.js';
import { formatIssues, loadConfigFile } from '../config/load.js';
import { unreadableFiles } from '../config/referenced-files.js';
import { configWarnings } from '../config/warnings.js';
import { errorParts } from './cli-error.js';
import { exitCodes } from './exit-codes.js';

/**
 * `hallq config check FILE`: every bad key with its path, the value found and what was expected, in English and Chinese.
 * A city config (a top-level `city:` key and no `hall:`, docs/city.md) is checked as one.
 */
export function configCheck(file: string, json: boolean): number {
  const city = cityDocument(file);
  if (city !== undefined) return cityConfigCheck(file, city, json);
  const loaded = loadConfigFile(file);
  // The files the config names (passwords, keys, certificates; the modem, the database's folder) are
  // checked whatever else is wrong: from the valid config, or from the raw document of one the schema
  // refuses (each key present as a string), so one run says all there is to fix.
  const doc: unknown = loaded.ok ? loaded.config : rawDocument(file);
  // A file missing would stop the daemon: a problem too (once per key: not again where the schema already refused the key).
  const refused = new Set(loaded.ok ? [] : loaded.issues.map((i) => i.path));
  const missing = unreadableFiles(doc).filter((i) => !refused.has(i.path));
  const r: typeof loaded = missing.length > 0 ? { ok: false, issues: [...(loaded.ok ? [] : loaded.issues), ...missing] } : loaded;
  // Not workable on this machine as it is now (a modem not plugged in): said, exit 0 when nothing else is wrong.
  // Every warning from the file as written when the schema refuses a key, beside its problems (not again at a key it refused).
  // The file as written, not the parsed config: a key left out (a kiosk's statusBaseUrl) is said as not set, not as its default.
  const warnings = configWarnings(loaded.ok ? rawDocument(file) : doc).filter((w) => !refused.has(w.path));
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: r.ok, ...(r.ok ? {} : { issues: r.issues }), ...(warnings.length > 0 ? { warnings } : {}) })}\n`);
    return r.ok ? exitCodes.ok : exitCodes.configInvalid;
  }
  for (const w of warnings) process.stderr.write(`${file}: warning: ${w.en}\n  警告：${w.zh}\n`);
  if (r.ok) {
    const c = r.config;
    process.stdout.write(`${file}: OK (${c.services.length} services, ${c.windows.length} windows, ${c.staff.length} staff)\n  配置正确：${c.services.length} 项业务、${c.windows.length} 个窗口、${c.staff.length} 名工作人员\n`);
  } else {
    // Each problem in English, its Chinese on the next line: a technician reads one, a hall manager the other.
    process.stderr.write(`${formatIssues(file, r.issues, true)}\n${r.issues.length} problem(s) in ${file} (${file} 中有 ${r.issues.length} 处问题)\n`);
  }
  return r.ok ? exitCodes.ok : exitCodes.configInvalid;
}

/** The file's YAML as plain data, or undefined when it cannot be read or is not YAML (the loader says why). */
function rawDocument(file: string): unknown {
  try {
    const text = readFileSync(file, 'utf8');
    const parsed = parseDocument(text);
    if (parsed.errors.length > 0) return undefined;
    // Data that contains itself, or an alias bomb: no data (the loader says why).
    const data = yamlData(parsed, text);
    return data.ok ? data.value : undefined;
  } catch {
    return undefined;
  }
}

/** The parsed document when FILE is a city config (a mapping with `city` and without `hall`); else undefined. */
function cityDocument(file: string): Record<string, unknown> | undefined {
  const doc = rawDocument(file);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const top = doc as Record<string, unknown>;
  return 'city' in top && !('hall' in top) ? top : undefined;
}

function cityConfigCheck(file: string, doc: Record<string, unknown>, json: boolean): number {
  const problems = cityConfigProblems(doc);
  if (problems.length === 0) {
    try {
      const c = parseCityConfig(doc, file);
      if (c.broker.passwordFile !== undefined) {
        const unreadable = unreadableFiles({ broker: { passwordFile: c.broker.passwordFile } })[0];
        if (unreadable) problems.push({ path: unreadable.path, message: `found ${unreadable.found}, expected ${unreadable.expected}`, messageZh: `收到${unreadable.foundZh}，应为${unreadable.expectedZh}` });
      }
    } catch (e) {
      const p = errorParts(e);
      problems.push({ path: '(halls)', message: p.message, messageZh: p.messageZh });
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(problems.length === 0 ? { ok: true, kind: 'city' } : { ok: false, kind: 'city', issues: problems })}\n`);
  else if (problems.length === 0) {
    const halls = Array.isArray(doc.halls) ? doc.halls.length : 0;
    process.stdout.write(`${file}: OK (city config: ${halls} halls)\n  市级配置正确：${halls} 个大厅\n`);
  }
  else {
    // As for a hall config: each problem in English, its Chinese on the next line.
    const lines = problems.map((p) => `${file}: ${p.path || '(top level)'}: ${p.message}\n  ${p.path || '（顶层）'}：${p.messageZh}`);
    process.stderr.write(`${lines.join('\n')}\n${problems.length} problem(s) in ${file} (city config) (市级配置 ${file} 中有 ${problems.length} 处问题)\n`);
  }
  return problems.length === 0 ? exitCodes.ok : exitCodes.configInvalid;
}
