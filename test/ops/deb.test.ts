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
import { silentLogger } from '../../drivers/common/logger.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import type { Command } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';

const nodeMajor = Number(process.versions.node.split('.')[0]);
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
    // The native modules are built for this Node's module ABI: this major only (Debian 13's nodejs 20.19 fits a build on 20).
    expect(field('Depends')).toContain(`nodejs (<< ${nodeMajor + 1})`);
    if (nodeMajor === 20) expect(field('Depends')).toContain('nodejs (>= 20.19), nodejs (<< 21)');
    else expect(field('Depends')).toContain(`nodejs (>= ${nodeMajor}.0)`);
    expect(field('Depends')).toContain('alsa-utils');
    expect(field('Recommends')).toContain('mosquitto');
    // What scripts/install.sh installs on a box from a clone is what the package asks for.
    const runtime = run('bash', [join(process.cwd(), 'scripts/install-system-deps.sh'), '--runtime', '--list']).out.trim().split('\n');
    const asked = `${field('Depends')}, ${field('Recommends')}`.split(/,\s*|\s*\|\s*/).map((d) => d.split(' ')[0]);
    expect(runtime.filter((p) => !asked.includes(p))).toEqual([]);
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
    // usrmerge (Debian 13's lintian flags /lib): units and udev rules under /usr/lib.
    expect(files).toContain('./usr/lib/systemd/system/hallq-kiosk.service');
    expect(files).toContain('./usr/lib/udev/rules.d/99-hallq.rules');
    expect(files).not.toMatch(/ \.\/lib\//);
    // The browsers' user, cursor theme, policy and environment files, as the units name them.
    expect(files).toContain('./usr/share/hallq/cursors/hallq-none/cursors/default');
    expect(files).toContain('./etc/chromium/policies/managed/hallq-kiosk.json');
    const paths = files.split('\n').map((l) => / (\.\/opt\/hallq\/node_modules\/\S*)/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
    // Only the lock's production packages, whatever else this checkout's node_modules holds.
    const lock = (JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean }> }).packages;
    const shipped = paths.filter((p) => p.endsWith('/package.json')).map((p) => p.slice('./opt/hallq/'.length, -'/package.json'.length)).filter((p) => p in lock);
    expect(shipped.filter((p) => lock[p]?.dev)).toEqual([]);
    expect(paths.filter((p) => /\/node_modules\/(eslint|vitest|typescript|esbuild|rolldown|lightningcss)\//.test(p))).toEqual([]);
    // Nothing that never loads at run time: the packages' tests, examples, docs, sources, maps, dev files.
    const unloaded = paths.filter((p) => /\/(test|tests|__tests__|examples?|docs|\.github)\/|\.(map|ts|md|html)$|\/\.[^/]+$/.test(p) && !/\/(licen[cs]e|copying|notice)[^/]*$/i.test(p));
    expect(unloaded).toEqual([]);
    // Before pruning, 183 MB unpacked (254 MB with a checkout's extraneous packages); now about 110 MB.
    expect(Number(field('Installed-Size'))).toBeLessThan(140_000);
  });

  it('takes its packages from package-lock.json: production entries, optional ones when present, never extraneous ones', () => {
    const dir = join(work, 'lock');
    const pkg = (path: string, version: string) => {
      mkdirSync(join(dir, path), { recursive: true });
      writeFileSync(join(dir, path, 'package.json'), JSON.stringify({ version }));
    };
    const lock = (packages: Record<string, object>) => writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...packages } }));
    const list = () => run(process.execPath, [join(process.cwd(), 'packaging/production-packages.mjs'), dir]);
    for (const [p, v] of [['node_modules/a', '1.0.0'], ['node_modules/a/node_modules/b', '2.0.0'], ['node_modules/lint', '9.0.0'], ['node_modules/stray', '1.0.0'], ['node_modules/@x/native-linux-x64', '1.0.0']]) pkg(p!, v!);
    lock({ 'node_modules/a': { version: '1.0.0' }, 'node_modules/a/node_modules/b': { version: '2.0.0' }, 'node_modules/lint': { version: '9.0.0', dev: true }, 'node_modules/@x/native-linux-x64': { version: '1.0.0', optional: true }, 'node_modules/@x/native-darwin-arm64': { version: '1.0.0', optional: true } });
    expect(list()).toMatchObject({ code: 0, out: 'node_modules/a\nnode_modules/a/node_modules/b\nnode_modules/@x/native-linux-x64\n' });
    // A node_modules that is not the lock's (another version, a required package missing): refused, saying what to run.
    lock({ 'node_modules/a': { version: '1.1.0' }, 'node_modules/c': { version: '1.0.0' } });
    const r = list();
    expect(r.code).toBe(1);
    expect(r.err).toContain('node_modules does not match package-lock.json (run `npm ci`)');
    expect(r.err).toContain('node_modules/a is 1.0.0, the lock says 1.1.0');
    expect(r.err).toContain('node_modules/c is missing');
  });

  it('passes lintian without errors or warnings, with few overrides, each for named files', () => {
    // --show-overrides makes lintian exit 2 for an overridden error, so the verdict is read from the tags.
    const l = run('lintian', ['--tag-display-limit', '0', '--show-overrides', deb]);
    const lines = l.out.split('\n');
    expect(lines.filter((x) => /^[EW]:/.test(x)), l.err).toEqual([]);
    expect(lines.filter((x) => /^O: .*unused-override|^O: .*mismatched-override/.test(x))).toEqual([]);
    // Each file under /opt is one dir-or-file-in-opt; every other overridden finding is listed by name (about 30).
    expect(lines.filter((x) => x.startsWith('O:') && !x.includes('dir-or-file-in-opt')).length).toBeLessThan(40);
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
    for (const u of ['server', 'agent', 'kiosk', 'display']) expect(existsSync(join(root, `usr/lib/systemd/system/hallq-${u}.service`))).toBe(true);
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^hallq-kiosk:x:\d+:\d+:[^:]*:\/var\/lib\/hallq-kiosk:\/usr\/sbin\/nologin$/m);
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
    // The pruned tree still runs what loads the most packages: the ticket preview (canvas, bwip-js, iconv)
    // and a report as XLSX (exceljs) from a hall database.
    const png = join(work, 'ticket.png');
    expect(hallq(['print-test', '--png', png])).toMatchObject({ code: 0 });
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
    const db = join(work, 'hall.db');
    const at = Date.parse('2026-11-23T02:00:00Z');
    const engine = HallEngine.open(db, hallConfigOf(loadConfigOrThrow('config/demo.yaml')), silentLogger, at);
    engine.handle({ id: 'c1', type: 'IssueTicket', serviceId: 'social', delivery: 'none' } as Command, at + 1000);
    engine.close();
    const report = run(process.execPath, [join(root, 'opt/hallq/bin/hallq.js'), 'report', '--from', '2026-11-23', '--to', '2026-11-23', '--db', db, '--json']);
    expect((JSON.parse(report.out || '{}') as { total?: { issued?: number } }).total?.issued, report.err).toBe(1);
    const xlsx = spawnSync(process.execPath, [join(root, 'opt/hallq/bin/hallq.js'), 'report', '--from', '2026-11-23', '--to', '2026-11-23', '--db', db, '--xlsx'], { cwd: work });
    expect(xlsx.status, String(xlsx.stderr)).toBe(0);
    expect(xlsx.stdout.subarray(0, 2).toString('latin1')).toBe('PK');
    // Under another Node major the native modules cannot load: said plainly at the start (bin/hallq.js).
    const abi = join(root, 'opt/hallq/node-abi.json');
    const built = readFileSync(abi, 'utf8');
    expect(JSON.parse(built)).toEqual({ node: process.versions.node, modules: process.versions.modules });
    writeFileSync(abi, JSON.stringify({ node: '99.0.0', modules: '999' }));
    const other = hallq(['--version']);
    expect(other.code).toBe(1);
    expect(other.err).toContain(`error: NODE_ABI: this hallq was packaged for Node 99 (module ABI 999, Node 99.0.0) but runs on Node ${process.versions.node}`);
    writeFileSync(abi, built);

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

    // Purge: the config goes, with the files the admin put there (the README's password files), and the
    // hall's data stays unless asked for.
    writeFileSync(join(root, 'etc/hallq/mqtt-server.password'), 'secret\n');
    const purge = dpkg(['-P', 'hallq']);
    expect(purge.err).not.toContain("directory '/etc/hallq' not empty");
    expect(existsSync(join(root, 'etc/hallq'))).toBe(false);
    expect(readFileSync(join(root, 'var/lib/hallq/hall.db'), 'utf8')).toBe('the event log');
    dpkg(['-i', deb]);
    dpkg(['-P', 'hallq'], { HALLQ_PURGE_DATA: '1' });
    expect(existsSync(join(root, 'var/lib/hallq'))).toBe(false);
    expect(readdirSync(join(root, 'etc'))).not.toContain('hallq');
  }, 600_000);
});
