/**
 * Progress bars on long CLI work (issue 13): drawn on stderr only when stderr is a terminal; a pipe (a
 * script, the journal, these tests) gets the result alone, byte for byte as before.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulatedEvents, writeLog } from '../reports/month.js';

function hallq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

/** Runs a shell command with a real pty as its terminal (util-linux `script`); what the terminal got. */
function onTerminal(command: string): string {
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
  return r.stdout;
}

const ESC = /\u001b/;

describe('progress bars', () => {
  it('simulate over several days: nothing but the report on a pipe, a bar on a terminal', async () => {
    const piped = await hallq('simulate', 'config/demo.yaml', '--days', '3');
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout.startsWith('hallq simulate: ')).toBe(true);
    expect(piped.stdout).not.toMatch(ESC);
    expect(piped.stdout).not.toContain('days ·');

    // stdout to /dev/null, stderr the pty: what the terminal shows is the bar alone.
    const shown = onTerminal(`"${process.execPath}" bin/hallq.js simulate config/demo.yaml --days 3 > /dev/null`);
    expect(shown).toMatch(/simulate \[[=-]+\] \d+% · \d\/3 days/);
    expect(shown).toMatch(ESC);
  }, 180_000);

  it('report --rebuild: one line on a piped stderr, a bar on a terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-progress-'));
    const db = join(dir, 'hall.db');
    const events = simulatedEvents({ days: 1, seed: 5 });
    writeLog(db, events);
    const day = (events.find((e) => e.type === 'DayStarted') as { day: string }).day;
    const piped = await hallq('report', '--db', db, '--from', day, '--to', day, '--csv', '--rebuild');
    expect(piped.code).toBe(0);
    expect(piped.stderr).toMatch(/^report tables rebuilt from \d+ events\n$/);
    expect(piped.stdout).not.toMatch(ESC);

    const shown = onTerminal(`"${process.execPath}" bin/hallq.js report --db "${db}" --from ${day} --to ${day} --csv --rebuild > /dev/null`);
    expect(shown).toMatch(/report: rebuilding \[[=-]+\] \d+% · \d+\/\d+ events/);
  }, 180_000);
});
