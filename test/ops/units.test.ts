import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitNodeFlags } from '../../scripts/node-flags.js';
import { describe, expect, it } from 'vitest';

const SYSTEMD = join(import.meta.dirname, '../../systemd');
const ROLES = ['server', 'agent'] as const;
const unitText = (role: string) => readFileSync(join(SYSTEMD, `hallq-${role}.service`), 'utf8');

/** section → key → every value assigned (systemd keys such as DeviceAllow= may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

function service(role: string) {
  const s = parseUnit(unitText(role)).get('Service');
  if (!s) throw new Error('no [Service]');
  return {
    one: (key: string) => {
      const v = s.get(key);
      expect(v, key).toHaveLength(1);
      return v?.[0];
    },
    all: (key: string) => s.get(key) ?? [],
  };
}

describe('systemd units', () => {
  for (const role of ROLES) {
    it(`hallq-${role}.service: notify + watchdog, always restarted, as hallq, hardened`, () => {
      const s = service(role);
      expect(s.one('Type')).toBe('notify');
      // sd-notify.ts sends through a systemd-notify child, which NotifyAccess=main would ignore.
      expect(s.one('NotifyAccess')).toBe('all');
      expect(s.one('WatchdogSec')).toBe('30');
      expect(s.one('Restart')).toBe('always');
      expect(s.one('RestartSec')).toBe('2');
      expect(s.one('User')).toBe('hallq');
      expect(s.one('ExecStart')).toBe(['/usr/bin/node', ...unitNodeFlags(role), '/opt/hallq/bin/hallq.js', role, '--config', '/etc/hallq/hall.yaml'].join(' '));
      // The agent's small young generation keeps its RSS down on the mini-PC; the server has none: under a
      // busy hall's commands it scavenged about eight times as often and cost CPU per command (issue 12).
      if (role === 'agent') expect(unitNodeFlags(role)).toContain('--max-semi-space-size=2');
      else expect(unitNodeFlags(role).some((f) => f.startsWith('--max-semi-space-size'))).toBe(false);
      // The server loads the build with V8's code cache (bin/hallq.js, src/cli/code-cache.ts), without Node's
      // warning about the API; the agent does not (~6 MB more RSS on the mini-PC).
      if (role === 'server') expect(unitNodeFlags(role)).toEqual(expect.arrayContaining(['--experimental-vm-modules', '--disable-warning=ExperimentalWarning']));
      else expect(unitNodeFlags(role)).not.toContain('--experimental-vm-modules');
      expect(s.all('Environment')).toContain('NODE_ENV=production');
      // The compiled build, never the sources through tsx (bin/hallq.js).
      expect(s.all('Environment')).toContain('HALLQ_RUN=dist');
      expect(s.one('StandardOutput')).toBe('journal');
      expect(s.one('StateDirectory')).toBe('hallq');
      // The config checked at the last start (src/config/config-cache.ts): $CACHE_DIRECTORY, writable under ProtectSystem=strict.
      expect(s.one('CacheDirectory')).toBe('hallq');
      expect(s.one('CacheDirectoryMode')).toBe('0700');
      expect(s.one('ProtectSystem')).toBe('strict');
      expect(s.one('ReadWritePaths')).toBe('/var/lib/hallq');
      for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'ProtectKernelTunables', 'ProtectControlGroups', 'LockPersonality']) {
        expect(s.one(key), key).toBe('yes');
      }
      // V8 JIT: on, node cannot run.
      expect(s.one('MemoryDenyWriteExecute')).toBe('no');
      expect(s.one('RestrictAddressFamilies')?.split(/\s+/).sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
      expect(s.one('DevicePolicy')).toBe('closed');
    });
  }

  it('gives the agent its device groups and device classes, the server only the modem', () => {
    const agent = service('agent');
    const server = service('server');
    expect(agent.one('SupplementaryGroups')?.split(/\s+/).sort()).toEqual(['audio', 'dialout', 'lp']);
    expect(server.one('SupplementaryGroups')).toBe('dialout');
    const classes = (s: ReturnType<typeof service>) => s.all('DeviceAllow').map((v) => v.split(/\s+/)[0]);
    // Names as /proc/devices spells them: usblp printers are "usb" (major 180); "usbmisc" is only the sysfs class.
    expect(classes(agent)).toEqual(expect.arrayContaining(['char-ttyUSB', 'char-ttyACM', 'char-usb', 'char-usb_device', 'char-hidraw', 'char-lp', 'char-alsa']));
    expect(classes(agent)).not.toContain('char-usbmisc');
    expect(classes(server).sort()).toEqual(['char-ttyACM', 'char-ttyUSB']);
    for (const v of [...agent.all('DeviceAllow'), ...server.all('DeviceAllow')]) expect(v).toMatch(/^char-\w+ rw$/);
  });

  it('names each line in the journal with its priority, and reloads the server with SIGHUP', () => {
    for (const role of ROLES) {
      const s = service(role);
      expect(s.one('SyslogIdentifier')).toBe(`hallq-${role}`);
      // The logger writes <N> before each JSON line under journald (src/log/logger.ts): journald must read it.
      expect(s.one('SyslogLevelPrefix')).toBe('yes');
    }
    // SIGHUP re-reads the config in both: the server records the hall part, the agent reopens changed devices.
    for (const role of ROLES) expect(service(role).one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });

  it('passes systemd-analyze verify', (ctx) => {
    if (spawnSync('sh', ['-c', 'command -v systemd-analyze']).status !== 0) return ctx.skip('systemd-analyze is not installed (Debian package "systemd")');
    // verify checks that ExecStart's binary exists; point it at this node wherever it is installed.
    const dir = mkdtempSync(join(tmpdir(), 'hallq-units-'));
    try {
      const files = ROLES.map((role) => {
        const file = join(dir, `hallq-${role}.service`);
        writeFileSync(file, unitText(role).replace('/usr/bin/node', process.execPath));
        return file;
      });
      const run = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8' });
      // Unknown keys and bad values are only warnings (exit 0), so the output must not mention our units.
      const ours = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.includes('hallq-'));
      expect(ours).toEqual([]);
      expect(run.status, run.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('udev rules', () => {
  const rules = readFileSync(join(SYSTEMD, '99-hallq.rules'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));

  it('names the printer, ID-card reader, RS-485 bus and modem, with group access for the hallq user', () => {
    const names = rules.map((r) => /SYMLINK\+="([^"]+)"/.exec(r)?.[1]);
    expect(names.sort()).toEqual(['hallq/idcard', 'hallq/modem', 'hallq/printer', 'hallq/rs485-0']);
    for (const r of rules) {
      expect(r).toMatch(/GROUP="(dialout|lp)"/);
      expect(r).toContain('MODE="0660"');
      // == matches, = assigns: a typo here silently matches every device.
      expect(r).toMatch(/^(SUBSYSTEM|KERNEL|ATTRS\{\w+\})==/);
    }
    expect(rules.join('\n')).toContain('ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523"');
    expect(rules.find((r) => r.includes('hallq/printer'))).toContain('ATTRS{bInterfaceClass}=="07"');
  });
});
