import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
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
    // A --root tree is another box's /: the check goes through the tree, since nothing put hallq on this PATH.
    expect(result.stderr).toContain(`hallq install: done into ${root} (for the box that boots from it); nothing is enabled yet. Next:`);
    expect(result.stderr).toContain(`check the config from here: node ${root}/opt/hallq/bin/hallq.js config check ${root}/etc/hallq/hall.yaml`);
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
    // What the units name is in the tree (issue 13): the browsers' environment files, cursor theme and
    // Chromium policy, the program and config, and each unit's User= among the users systemd-sysusers makes.
    const sysusers = readFileSync(join(root, 'etc/sysusers.d/hallq.conf'), 'utf8');
    for (const unit of readdirSync(join(root, 'etc/systemd/system')).filter((f) => f.endsWith('.service'))) {
      const text = readFileSync(join(root, 'etc/systemd/system', unit), 'utf8');
      const paths = [...text.matchAll(/\/(?:opt\/hallq|etc|usr\/share\/hallq|var\/lib\/hallq)\/?[^\s:,;)'"]*/g)].map((m) => m[0].replace(/\.$/, ''));
      expect(paths.length, unit).toBeGreaterThan(0);
      for (const p of paths) expect(existsSync(join(root, p)), `${unit} names ${p}`).toBe(true);
      const theme = /^Environment=XCURSOR_THEME=(.+)$/m.exec(text)?.[1];
      if (theme) expect(readFileSync(join(root, 'usr/share/hallq/cursors', theme, 'cursors/default')).subarray(0, 4).toString('latin1'), unit).toBe('Xcur');
      const user = /^User=(.+)$/m.exec(text)?.[1];
      expect(sysusers, unit).toMatch(new RegExp(`^u ${user} `, 'm'));
    }
    expect(readFileSync(join(root, 'etc/default/hallq-kiosk'), 'utf8')).toContain('HALLQ_KIOSK_URL=');
    expect(readFileSync(join(root, 'usr/local/share/bash-completion/completions/hallq'), 'utf8')).toBe(readFileSync('packaging/bash-completion/hallq', 'utf8'));
    // The kernel modules the units' device allow-list names, loaded at boot (src/ops/README.md has the same list).
    const modules = readFileSync(join(root, 'etc/modules-load.d/hallq.conf'), 'utf8').trim().split('\n');
    expect(readFileSync('src/ops/README.md', 'utf8')).toContain(`printf '%s\\n' ${modules.join(' ')} | sudo tee /etc/modules-load.d/hallq.conf`);
  }, 120_000);

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['scripts/install.sh', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })),
    );

  it('a relative --root is the caller’s folder, not the clone’s (issue 13)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hallq-install-rel-'));
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('bash', [join(process.cwd(), 'scripts/install.sh'), '--root', 't1rel', '--no-npm', '--modules-separately'], { encoding: 'utf8', cwd }, (err, _out, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr })),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(cwd, 't1rel/opt/hallq/bin/hallq.js'))).toBe(true);
    expect(existsSync('t1rel')).toBe(false);
    expect(result.stderr).toContain(`done into ${join(cwd, 't1rel')} (`);
  }, 120_000);

  it('installs on a box only the Debian packages the installed hallq runs with, never the development set (issue 13)', async () => {
    const list = (args: string[]) =>
      new Promise<string[]>((resolve) => execFile('bash', ['scripts/install-system-deps.sh', ...args, '--list'], { encoding: 'utf8' }, (_err, stdout) => resolve(stdout.trim().split('\n'))));
    const runtime = await list(['--runtime']);
    expect(runtime).toEqual(expect.arrayContaining(['alsa-utils', 'espeak-ng', 'mosquitto']));
    for (const dev of ['lintian', 'nats-server', 'sox', 'socat', 'chromium', 'mosquitto-clients']) expect(runtime).not.toContain(dev);
    expect(runtime.filter((p) => p.startsWith('postgresql'))).toEqual([]);
    // The tests' PostgreSQL is the release's own (no postgresql-15 in Debian 13).
    const dev = await list([]);
    expect(dev).toContain('postgresql');
    expect(dev.filter((p) => /^postgresql-\d/.test(p))).toEqual([]);
    // --help says what the sets are and installs nothing (the ops tryout: "unknown option").
    const help = await new Promise<{ code: number | null; out: string }>((resolve) => execFile('bash', ['scripts/install-system-deps.sh', '--help'], { encoding: 'utf8' }, (err, stdout) => resolve({ code: err ? (err.code as number) : 0, out: stdout })));
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Installs the Debian packages hallq needs/);
    expect(help.out).toContain('--runtime');
    expect(readFileSync('scripts/install.sh', 'utf8')).toMatch(/^\[ "\$live" = 1 \] && bash scripts\/install-system-deps\.sh --runtime$/m);
    expect(readFileSync('scripts/install.sh', 'utf8')).not.toMatch(/install-system-deps\.sh\s*$/m);
  });

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
