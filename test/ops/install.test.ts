import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('scripts/install.sh', () => {
  it('installs program, config, key, voice clips, units and udev rules into a root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hallq-install-'));
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('bash', ['scripts/install.sh', '--root', root, '--no-npm', '--modules-separately'], { encoding: 'utf8' }, (err, _out, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr })),
    );
    expect(result.stderr).toContain('hallq install: voice clips');
    expect(result.code).toBe(0);
    // No systemd to talk to (a scratch root, or a box without it): systemctl is skipped with a note, and the install goes on to its end.
    expect(result.stderr).toContain('skipped systemctl daemon-reload');
    expect(result.stderr).toContain('hallq install: done; nothing is enabled yet. Next:');
    expect(existsSync(join(root, 'opt/hallq/bin/hallq.js'))).toBe(true);
    expect(existsSync(join(root, 'opt/hallq/node_modules'))).toBe(false);
    expect(result.stderr).toContain(`NOTE: ${root}/opt/hallq has no node_modules (--modules-separately): hallq will not run until it has them: cd ${root}/opt/hallq && npm ci --omit=dev`);
    // The build, not the sources: with no src/ the installed bin/hallq.js can only run dist/.
    expect(existsSync(join(root, 'opt/hallq/dist/src/cli/main.js'))).toBe(true);
    expect(existsSync(join(root, 'opt/hallq/dist/src/web/pages/kiosk.html'))).toBe(true);
    expect(existsSync(join(root, 'opt/hallq/src'))).toBe(false);
    expect(readlinkSync(join(root, 'usr/local/bin/hallq'))).toBe('/opt/hallq/bin/hallq.js');
    const installed = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(process.execPath, [join(root, 'opt/hallq/bin/hallq.js'), '--version'], { encoding: 'utf8' }, (err, stdout) => resolve({ code: err ? 1 : 0, stdout })),
    );
    expect(installed).toEqual({ code: 0, stdout: `hallq ${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n` });
    expect(readFileSync(join(root, 'etc/hallq/hall.yaml'), 'utf8')).toBe(readFileSync('config/hall.example.yaml', 'utf8'));
    // The config's `$schema=./hallq.schema.json` resolves where the config now is.
    expect(readFileSync(join(root, 'etc/hallq/hall.yaml'), 'utf8')).toContain('$schema=./hallq.schema.json');
    expect(readFileSync(join(root, 'etc/hallq/hallq.schema.json'), 'utf8')).toBe(readFileSync('config/hallq.schema.json', 'utf8'));
    const key = join(root, 'etc/hallq/id-hash.key');
    expect(statSync(key).size).toBe(32);
    expect(statSync(key).mode & 0o777).toBe(0o640);
    const manifest = JSON.parse(readFileSync(join(root, 'var/lib/hallq/clips/clips.json'), 'utf8')) as { clips?: Record<string, string> } & Record<string, unknown>;
    expect(JSON.stringify(manifest)).toContain('窗口');
    expect(readFileSync(join(root, 'etc/systemd/system/hallq-agent.service'), 'utf8')).toContain('Type=notify');
    expect(existsSync(join(root, 'etc/udev/rules.d/99-hallq.rules'))).toBe(true);
    // All four units, as the .deb installs them (issue 13): the kiosk and display browser units too.
    for (const unit of ['server', 'agent', 'kiosk', 'display']) expect(readFileSync(join(root, `etc/systemd/system/hallq-${unit}.service`), 'utf8')).toBe(readFileSync(`systemd/hallq-${unit}.service`, 'utf8'));
    // "Next" points at what is installed (hallq broker), not at a source file the install leaves out.
    expect(result.stderr).toContain('broker users and ACL: hallq broker --config /etc/hallq/hall.yaml --out DIR');
    expect(result.stderr).not.toContain('src/ops/README.md');
    // The kernel modules the units' device allow-list names, loaded at boot (src/ops/README.md has the same list).
    const modules = readFileSync(join(root, 'etc/modules-load.d/hallq.conf'), 'utf8').trim().split('\n');
    expect(readFileSync('src/ops/README.md', 'utf8')).toContain(`printf '%s\\n' ${modules.join(' ')} | sudo tee /etc/modules-load.d/hallq.conf`);
  }, 120_000);

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['scripts/install.sh', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })),
    );

  it('--help prints the usage and installs nothing (issue 13)', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: sudo bash scripts/install.sh [--root DIR] [--no-npm [--modules-separately]]');
    expect(r.stdout).toContain('--modules-separately');
    expect(r.stderr).toBe('');
  });

  it.each([[['--root']], [['--root', '--no-npm']], [['--root=']]])('%j: says --root needs a value (exit 2), no bash error', async (args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('install.sh: --root needs a value, the folder to install into, e.g. --root /tmp/hallq-root\n');
  });

  it('--no-npm without node_modules in the target stops before copying anything (exit 1), saying what to run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hallq-install-'));
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('bash', ['scripts/install.sh', '--root', root, '--no-npm'], { encoding: 'utf8' }, (err, _out, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr })),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--no-npm, but ${root}/opt/hallq has no node_modules`);
    expect(result.stderr).toContain(`(cd ${root}/opt/hallq && npm ci --omit=dev) and pass --modules-separately`);
    expect(result.stderr).not.toContain('done');
    expect(existsSync(join(root, 'opt/hallq'))).toBe(false);
  }, 120_000);
});
