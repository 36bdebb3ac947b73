/**
 * Node's flags for the daemons: the ones the shipped units pass on ExecStart (systemd/hallq-<kind>.service,
 * the only place they are written), so the start bench and the soak run the daemons as systemd does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/** The arguments between the node binary and the script on the unit's ExecStart, e.g. ['--max-semi-space-size=2'] (the agent's), [] (the server's). */
export function unitNodeFlags(kind: 'server' | 'agent'): string[] {
  const unit = readFileSync(join(ROOT, 'systemd', `hallq-${kind}.service`), 'utf8');
  const line = /^ExecStart=(.*)$/m.exec(unit)?.[1];
  if (line === undefined) throw new Error(`hallq-${kind}.service: no ExecStart`);
  const words = line.trim().split(/\s+/);
  const script = words.findIndex((w) => w.endsWith('/bin/hallq.js'));
  if (!words[0]?.endsWith('/node') || script < 1) throw new Error(`hallq-${kind}.service: ExecStart is not node … bin/hallq.js: ${line}`);
  return words.slice(1, script);
}
