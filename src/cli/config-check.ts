import { formatIssues, loadConfigFile } from '../config/load.js';
import { unreadableFiles } from '../config/referenced-files.js';
import { exitCodes } from './exit-codes.js';

/** `hallq config check FILE`: every bad key with its path, the value found and what was expected, in English and Chinese. */
export function configCheck(file: string, json: boolean): number {
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
