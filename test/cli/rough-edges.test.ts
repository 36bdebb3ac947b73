/** issue 13's CLI rough edges, each as the technician meets it. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { okLine } from '../../src/cli/client.js';
import { oneShot } from '../../src/cli/devices.js';
import { table } from '../../src/cli/table.js';

function hallq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

/** Display width, CJK as two columns (what a terminal shows). */
const cols = (s: string) => [...s].reduce((w, ch) => w + (/[\u2e80-\ua4cf\uac00-\ud7a3\uff00-\uff60]/u.test(ch) ? 2 : 1), 0);

describe('hallq CLI rough edges', () => {
  it('call with nothing waiting says so instead of "ok"; a call names the ticket', () => {
    expect(okLine({ type: 'CallNext', window: 3 }, undefined)).toBe('window 3: nobody waiting, nothing called (无人等候)');
    expect(okLine({ type: 'CallNext', window: 3 }, '20261123-A001')).toBe('window 3: called A001 (20261123-A001)');
    expect(okLine({ type: 'IssueTicket', serviceId: 'social' }, '20261123-A002')).toBe('issued A002 (20261123-A002)');
  });

  it('call x names the argument, no --window flag', async () => {
    const r = await hallq('call', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: USAGE: the window is its number, 1 or more, e.g. hallq call 3 (not "x")');
    expect(r.stderr).not.toContain('--window');
  }, 60_000);

  it('one-shot devices does not promise a retry', () => {
    expect(oneShot({ name: 'printer', kind: 'printer-usblp', state: 'offline', detail: '/dev/hallq/printer: no such device; retrying in 60 s' }).detail).toBe('/dev/hallq/printer: no such device');
  });

  it('status and queue tables line up with their headers, Chinese included', () => {
    const lines = table(['window', 'status', 'staff', 'current', 'waiting'], [[1, 'open', 's01', 'A001', 3], [12, 'paused (午休)', '-', '-', 12]]).split('\n');
    expect(lines).toHaveLength(4);
    const at = (line: string, text: string) => cols(line.slice(0, line.indexOf(text)));
    // Text columns start where their header starts, after a Chinese cell too …
    expect(at(lines[2]!, 'open')).toBe(at(lines[0]!, 'status'));
    expect(at(lines[3]!, 'paused')).toBe(at(lines[0]!, 'status'));
    expect(at(lines[2]!, 's01')).toBe(at(lines[0]!, 'staff'));
    expect(at(lines[3]!, '-  ')).toBe(at(lines[0]!, 'staff'));
    // … and right-aligned numbers end where their header ends.
    const ends = lines.filter((l) => !/^-+$/.test(l)).map((l) => cols(l));
    expect(new Set(ends).size).toBe(1);
  });

  it('simulate refuses --days 0 and a window the hall does not have', async () => {
    const days = await hallq('simulate', 'config/demo.yaml', '--days', '0');
    expect(days).toMatchObject({ code: 2 });
    expect(days.stderr).toContain('error: USAGE: --days is 1 to 3650 days (not 0)');
    const windows = await hallq('simulate', 'config/demo.yaml', '--windows', '13', '--days', '1');
    expect(windows).toMatchObject({ code: 2 });
    expect(windows.stderr).toContain('--windows: config/demo.yaml has no window 13');
  }, 120_000);

  it('demo refuses --speed 0 (every timer would be infinite: a busy loop printing overflow warnings)', async () => {
    const r = await hallq('demo', '--speed', '0', '--seconds', '1');
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toContain('error: USAGE: --speed is a whole number from 1 up, e.g. --speed 5 (not 0)');
    expect(r.stderr).not.toContain('TimeoutOverflowWarning');
  }, 60_000);

  it('config check names a missing password file by its key path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-check-'));
    const file = join(dir, 'hall.yaml');
    writeFileSync(file, `${readFileSync('config/demo.yaml', 'utf8')}\nserver:\n  mqtt: { url: "mqtt://127.0.0.1:1883", username: hallq-server, passwordFile: ${join(dir, 'nope.password')} }\n`);
    const r = await hallq('config', 'check', file);
    expect(r.stderr).toContain(`server.mqtt.passwordFile: found "${join(dir, 'nope.password')}" (it is not there (no such file or folder)), expected a file this user can read`);
    expect(r.stderr).toContain(`server.mqtt.passwordFile：收到"${join(dir, 'nope.password')}"（不存在），应为当前用户可读的文件`);
    expect(r.code).toBe(3);
    writeFileSync(join(dir, 'nope.password'), 'secret\n');
    expect((await hallq('config', 'check', file)).code).toBe(0);
  }, 60_000);
});
