import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAW_ZOD_TEXT } from '../../drivers/common/invalid-text.js';
import { describe, expect, it } from 'vitest';

function hallq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('the hallq command', () => {
  it('simulates the demo hall and prints per-service waits and window utilisation', async () => {
    const r = await hallq('simulate', 'config/demo.yaml', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { services: { serviceId: string; served: number; waitMean: number; waitP90: number; waitMax: number }[]; windows: { utilisation: number }[] };
    expect(report.services).toHaveLength(8);
    for (const s of report.services) {
      expect(s.served).toBeGreaterThan(0);
      expect(s.waitMean).toBeLessThanOrEqual(s.waitMax);
      expect(s.waitP90).toBeLessThanOrEqual(s.waitMax);
    }
    for (const w of report.windows) expect(w.utilisation).toBeLessThanOrEqual(1);
    const human = await hallq('simulate', 'config/demo.yaml');
    expect(human.stdout).toContain('社会保障 (social)');
    expect(human.stdout).toContain('utilisation');
  });

  it('answers "how many windows do I need": fewer staffed windows, longer waits', async () => {
    const all = JSON.parse((await hallq('simulate', 'config/demo.yaml', '--json')).stdout) as { waitMean: number };
    const fewer = JSON.parse((await hallq('simulate', 'config/demo.yaml', '--json', '--windows', '1-3,5,9,11,12')).stdout) as { waitMean: number };
    expect(fewer.waitMean).toBeGreaterThan(all.waitMean * 1.5);
  });

  it('refuses a bad config with exit code 3 and names every bad key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, readFileSync('config/demo.yaml', 'utf8').replace('dailyQuota: 300', 'dailyQuota: lots').replace('interleave:', 'interlave:'));
    const r = await hallq('config', 'check', file);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('services[0].dailyQuota: found "lots", expected a number');
    expect(r.stderr).toContain('policy.interlave: found an unknown key');
    // Each problem in Chinese too, and never zod's own wording.
    expect(r.stderr).toContain('services[0].dailyQuota：收到"lots"，应为数字');
    expect(r.stderr).not.toMatch(RAW_ZOD_TEXT);
    expect((await hallq('config', 'check', 'config/demo.yaml')).code).toBe(0);
  });

  it('exits 2 on a usage error', async () => {
    expect((await hallq('frobnicate')).code).toBe(2);
    expect((await hallq('simulate', 'config/demo.yaml', '--days', 'x')).code).toBe(2);
    // Each command takes only its own options, and says so with its own usage.
    const speed = await hallq('queue', '--speed', '3');
    expect(speed.code).toBe(2);
    expect(speed.stderr).toContain('error: USAGE: hallq queue has no option --speed (hallq queue 没有 --speed 这个选项)');
    expect(speed.stderr).toContain('usage: hallq queue [--server URL | --config FILE] [--json]');
  });

  it('prints its version and each command\'s own usage', async () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(await hallq('--version')).toMatchObject({ code: 0, stdout: `hallq ${version}\n` });
    const help = await hallq('simulate', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: hallq simulate FILE \[--days N\]/);
    expect(help.stdout).not.toContain('hallq demo');
    const all = await hallq('--help');
    expect(all.code).toBe(0);
    for (const cmd of ['demo', 'server', 'agent', 'status', 'queue', 'issue', 'call', 'simulate', 'config', 'devices', 'print-test', 'screen-test', 'emulate']) expect(all.stdout).toContain(`hallq ${cmd} `);
  });
});

describe('the daemons on a bad config', () => {
  it('refuse to start: exit 3, one line on stderr naming the key, one error line in the JSON log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, readFileSync('config/hall.example.yaml', 'utf8').replace('tickSeconds: 30', 'tickSeconds: soon'));
    for (const kind of ['server', 'agent']) {
      const r = await hallq(kind, '--config', file);
      expect(r.code).toBe(3);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('server.tickSeconds: found "soon", expected a number');
      const log = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(log).toEqual([expect.objectContaining({ level: 50, msg: 'config invalid; refusing to start' })]);
    }
  });
});
