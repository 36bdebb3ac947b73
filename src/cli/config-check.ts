import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
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
  // A valid file whose password, key or certificate files are missing would stop the daemon: a problem too.
  const missing = loaded.ok ? unreadableFiles(loaded.config) : [];
  const r: typeof loaded = missing.length > 0 ? { ok: false, issues: missing } : loaded;
  // Valid, but not workable on this machine as it is now (a modem not plugged in): said, exit 0.
  const warnings = r.ok ? configWarnings(r.config) : [];
  if (json) {
    process.stdout.write(`${JSON.stringify(r.ok ? { ok: true, ...(warnings.length > 0 ? { warnings } : {}) } : { ok: false, issues: r.issues })}\n`);
  } else if (r.ok) {
    const c = r.config;
    for (const w of warnings) process.stderr.write(`${file}: warning: ${w.en}\n  警告：${w.zh}\n`);
    process.stdout.write(`${file}: OK (${c.services.length} services, ${c.windows.length} windows, ${c.staff.length} staff)\n  配置正确：${c.services.length} 项业务、${c.windows.length} 个窗口、${c.staff.length} 名工作人员\n`);
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
