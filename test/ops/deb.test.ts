/**
 * The Debian package (scripts/build-deb.sh, `npm run deb`) as an admin meets it: built, checked by
 * lintian, installed, upgraded, removed and purged on a scratch root with dpkg's own --root/--admindir
 * (maintainer scripts run chrootless with $DPKG_ROOT set), so this machine's system is untouched.
 * Then the installed program runs from the installed tree, far from the clone.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const upgrade = `${version}+upgrade1`;
const haveTools = ['dpkg-deb', 'dpkg', 'systemd-sysusers'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const work = mkdtempSync(join(tmpdir(), 'hallq-deb-'));
const root = join(work, 'root');
let deb = '';
let debUp = '';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: work, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
/** dpkg on the scratch root: chrootless scripts, no dependency checks (the root has no Debian in it). */
function dpkg(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = run('dpkg', [`--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--force-script-chrootless', '--force-depends', '--force-not-root', '--log=/dev/null', ...args], env);
  expect(r.code, r.err).toBe(0);
  return r;
}
function hallq(args: string[]) {
  // From the installed tree, with the working directory outside the clone.
  return run(process.execPath, [join(root, 'opt/hallq/bin/hallq.js'), ...args]);
}
function installedVersion(): string | undefined {
  return /Package: hallq\nStatus: install ok installed\n(?:.*\n)*?Version: (.+)/.exec(readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8'))?.[1];
}
/** A minimal Debian root: dpkg's database and the groups Debian's base system has. */
function freshRoot() {
  rmSync(root, { recursive: true, force: true });
  for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'etc']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'var/lib/dpkg/available'), '');
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nlp:x:7:\ndialout:x:20:\naudio:x:29:\nvideo:x:44:\n');
}

describe.skipIf(!haveTools)('the Debian package', () => {
  beforeAll(() => {
    const b = run('bash', [join(process.cwd(), 'scripts/build-deb.sh'), '--fast', '--out', work]);
    expect(b.code, b.err).toBe(0);
    deb = b.out.trim();
    // The upgrade: the same package with a higher version (control and package.json), repacked.
    const tree = join(work, 'up');
    expect(run('dpkg-deb', ['-R', deb, tree]).code).toBe(0);
    const control = join(tree, 'DEBIAN/control');
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${upgrade}`));
    const pkgJson = join(tree, 'opt/hallq/package.json');
    writeFileSync(pkgJson, readFileSync(pkgJson, 'utf8').replace(`"version": "${version}"`, `"version": "${upgrade}"`));
    debUp = join(work, `hallq_${upgrade}.deb`);
    const r = run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '--build', tree, debUp]);
    expect(r.code, r.err).toBe(0);
    rmSync(tree, { recursive: true });
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is named hallq_<version>_<arch>.deb, depends on Debian packages only, and lists /etc/hallq as conffiles', () => {
    const arch = run('dpkg', ['--print-architecture']).out.trim();
    expect(deb).toBe(join(work, `hallq_${version}_${arch}.deb`));
    const field = (f: string) => run('dpkg-deb', ['-f', deb, f]).out.trim();
    expect(field('Depends')).toContain('nodejs (>= 20.19)');
    expect(field('Depends')).toContain('alsa-utils');
    expect(field('Recommends')).toContain('mosquitto');
    const conffiles = run('dpkg-deb', ['-I', deb, 'conffiles']).out.trim().split('\n');
    expect(conffiles).toEqual(expect.arrayContaining(['/etc/hallq/hall.yaml', '/etc/hallq/hallq.schema.json', '/etc/default/hallq-kiosk', '/etc/default/hallq-display']));
    const files = run('dpkg-deb', ['-c', deb]).out;
    // Offline: the native modules are inside, built for this machine, and nothing for other systems.
    expect(files).toContain('./opt/hallq/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(files).not.toMatch(/prebuilds\/(win32|darwin|android)/);
    // The compiled program, never the sources; no test or development packages.
    expect(files).not.toContain('./opt/hallq/src/');
    expect(files).not.toContain('./opt/hallq/node_modules/vitest/');
    expect(files).not.toContain('./opt/hallq/node_modules/typescript/');
    expect(files).toContain('./usr/share/bash-completion/completions/hallq');
  });

  it('passes lintian without errors', () => {
    const l = run('lintian', ['--no-tag-display-limit', deb]);
    expect(l.code === 0 ? '' : l.out + l.err).toBe('');
    expect(l.out.split('\n').filter((x) => x.startsWith('E:'))).toEqual([]);
  }, 1_200_000);

  it('installs, runs from the installed tree, upgrades keeping the admin’s config, removes and purges only what it may', () => {
    freshRoot();
    dpkg(['-i', deb]);
    expect(installedVersion()).toBe(version);
    // hallq on the PATH, the user and its groups, the state directory, the key; nothing enabled.
    expect(readlinkSync(join(root, 'usr/bin/hallq'))).toBe('/opt/hallq/bin/hallq.js');
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^hallq:x:\d+:\d+:[^:]*:\/var\/lib\/hallq:\/usr\/sbin\/nologin$/m);
    const group = readFileSync(join(root, 'etc/group'), 'utf8');
    for (const g of ['dialout', 'lp', 'audio']) expect(group).toMatch(new RegExp(`^${g}:x:\\d+:.*\\bhallq\\b`, 'm'));
    expect(statSync(join(root, 'var/lib/hallq')).mode & 0o777).toBe(0o750);
    expect(statSync(join(root, 'etc/hallq/id-hash.key')).size).toBe(32);
    expect(statSync(join(root, 'etc/hallq/id-hash.key')).mode & 0o777).toBe(0o640);
    expect(existsSync(join(root, 'etc/systemd/system'))).toBe(false);
    for (const u of ['server', 'agent', 'kiosk', 'display']) expect(existsSync(join(root, `lib/systemd/system/hallq-${u}.service`))).toBe(true);
    expect(readFileSync(join(root, 'usr/lib/modules-load.d/hallq.conf'), 'utf8')).toContain('usblp');
    // The example config's $schema resolves where it now is.
    expect(readFileSync(join(root, 'etc/hallq/hall.yaml'), 'utf8')).toContain('$schema=./hallq.schema.json');
    expect(existsSync(join(root, 'etc/hallq/hallq.schema.json'))).toBe(true);

    expect(hallq(['--version'])).toMatchObject({ code: 0, out: `hallq ${version}\n` });
    const check = hallq(['config', 'check', join(root, 'etc/hallq/hall.yaml')]);
    // The example names password files the admin has yet to write (hallq broker): each missing file by its key path.
    expect(check.err).toContain(`${join(root, 'etc/hallq/hall.yaml')}: server.mqtt.passwordFile: found "/etc/hallq/mqtt-server.password" (it is not there (no such file or folder))`);
    expect(check.code).toBe(3);
    // The carried native modules load here (no compiler, no download).
    const sqlite = run(process.execPath, ['-e', `const D = require(${JSON.stringify(join(root, 'opt/hallq/node_modules/better-sqlite3'))}); console.log(new D(':memory:').prepare('select 41 + 1 as n').get().n)`]);
    expect(sqlite.out.trim(), sqlite.err).toBe('42');

    // Upgrade: the admin's edit of a conffile and the hall's data survive.
    appendFileSync(join(root, 'etc/hallq/hall.yaml'), '# edited by the admin\n');
    const key = readFileSync(join(root, 'etc/hallq/id-hash.key'));
    writeFileSync(join(root, 'var/lib/hallq/hall.db'), 'the event log');
    dpkg(['--force-confold', '-i', debUp]);
    expect(installedVersion()).toBe(upgrade);
    expect(hallq(['--version'])).toMatchObject({ code: 0, out: `hallq ${upgrade}\n` });
    expect(readFileSync(join(root, 'etc/hallq/hall.yaml'), 'utf8')).toContain('# edited by the admin');
    expect(readFileSync(join(root, 'etc/hallq/id-hash.key'))).toEqual(key);

    // Remove: the program goes; config, key and data stay.
    dpkg(['-r', 'hallq']);
    expect(existsSync(join(root, 'opt/hallq'))).toBe(false);
    expect(() => lstatSync(join(root, 'usr/bin/hallq'))).toThrow();
    expect(existsSync(join(root, 'etc/hallq/hall.yaml'))).toBe(true);
    expect(readFileSync(join(root, 'var/lib/hallq/hall.db'), 'utf8')).toBe('the event log');

    // Purge: the config goes, the hall's data stays unless asked for.
    dpkg(['-P', 'hallq']);
    expect(existsSync(join(root, 'etc/hallq'))).toBe(false);
    expect(readFileSync(join(root, 'var/lib/hallq/hall.db'), 'utf8')).toBe('the event log');
    dpkg(['-i', deb]);
    dpkg(['-P', 'hallq'], { HALLQ_PURGE_DATA: '1' });
    expect(existsSync(join(root, 'var/lib/hallq'))).toBe(false);
    expect(readdirSync(join(root, 'etc'))).not.toContain('hallq');
  }, 600_000);
});
