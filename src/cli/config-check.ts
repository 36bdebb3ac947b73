import { formatIssues, loadConfigFile } from '../config/load.js';
import { exitCodes } from './exit-codes.js';

/** `hallq config check FILE`: every bad key with its path, the value found and what was expected. */
export function configCheck(file: string, json: boolean): number {
  const r = loadConfigFile(file);
  if (json) {
    process.stdout.write(`${JSON.stringify(r.ok ? { ok: true } : { ok: false, issues: r.issues })}\n`);
  } else if (r.ok) {
    const c = r.config;
    process.stdout.write(`${file}: OK (${c.services.length} services, ${c.windows.length} windows, ${c.staff.length} staff)\n`);
  } else {
    process.stderr.write(`${formatIssues(file, r.issues)}\n${r.issues.length} problem(s) in ${file}\n`);
  }
  return r.ok ? exitCodes.ok : exitCodes.configInvalid;
}
