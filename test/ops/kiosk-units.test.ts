/**
 * The kiosk and hall-display browser units: Chromium in kiosk mode under cage, full screen, restarted
 * when it dies, zoom and gestures locked, no cursor, no way out to a desktop.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SYSTEMD = join(import.meta.dirname, '../../systemd');
const ROLES = { kiosk: 'http://127.0.0.1:8081/kiosk', display: 'http://127.0.0.1:8080/display' } as const;
const unitText = (role: string) => readFileSync(join(SYSTEMD, `hallq-${role}.service`), 'utf8');

/** [Service] key → values (comments and continuation-free lines, as our units are written). */
function serviceKeys(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let inService = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inService = line === '[Service]';
    if (!inService || line === '' || line.startsWith('#') || !line.includes('=')) continue;
    const i = line.indexOf('=');
    out.set(line.slice(0, i), [...(out.get(line.slice(0, i)) ?? []), line.slice(i + 1)]);
  }
  return out;
}

describe('kiosk and hall-display units', () => {
  for (const [role, url] of Object.entries(ROLES)) {
    it(`hallq-${role}.service runs Chromium full screen under cage, locked down, restarted forever`, () => {
      const s = serviceKeys(unitText(role));
      const one = (k: string) => {
        expect(s.get(k), k).toHaveLength(1);
        return s.get(k)![0]!;
      };
      expect(one('Restart')).toBe('always');
      expect(unitText(role)).toMatch(/^StartLimitIntervalSec=0$/m);
      // Its own user, never hallq (which reads the hall's keys and database), on the seat through logind.
      expect(one('User')).toBe('hallq-kiosk');
      expect(one('PAMName')).toBe('login');
      expect(one('TTYPath')).toBe('/dev/tty7');
      expect(one('SyslogIdentifier')).toBe(`hallq-${role}`);
      expect(s.get('Environment')).toContain(`HALLQ_${role.toUpperCase()}_URL=${url}`);
      expect(s.get('Environment')).toContain('XCURSOR_THEME=hallq-none');
      const exec = one('ExecStart').split(/\s+/);
      // cage without -s: no switching to another VT, so no way to a desktop or a login prompt.
      expect(exec[0]).toBe('/usr/bin/cage');
      const dashdash = exec.indexOf('--');
      expect(exec.slice(1, dashdash)).not.toContain('-s');
      expect(exec[dashdash + 1]).toBe('/usr/bin/chromium');
      const flags = exec.slice(dashdash + 2);
      for (const f of ['--kiosk', '--ozone-platform=wayland', '--disable-pinch', '--overscroll-history-navigation=0', '--noerrdialogs', '--disable-infobars', '--no-first-run', '--disable-session-crashed-bubble', '--force-device-scale-factor=1', '--incognito']) {
        expect(flags, f).toContain(f);
      }
      expect(flags.find((f) => f.startsWith('--disable-features='))?.split('=')[1]?.split(',')).toEqual(expect.arrayContaining(['TranslateUI', 'OverscrollHistoryNavigation']));
      // The page comes last, from the environment file the admin edits.
      expect(flags.at(-1)).toBe(`\${HALLQ_${role.toUpperCase()}_URL}`);
      expect(s.get('EnvironmentFile')).toEqual([`-/etc/default/hallq-${role}`]);
      expect(unitText(role)).toMatch(/^WantedBy=graphical\.target$/m);
    });
  }

  it('ships a policy that blocks developer tools and browser-internal pages', () => {
    const policy = JSON.parse(readFileSync(join(import.meta.dirname, '../../packaging/chromium-policy.json'), 'utf8')) as Record<string, unknown>;
    expect(policy.DeveloperToolsAvailability).toBe(2);
    expect(policy.URLBlocklist).toEqual(expect.arrayContaining(['file://*', 'chrome://*', 'devtools://*']));
  });

  it('hides the cursor with a theme of transparent Xcursor images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-cursors-'));
    try {
      expect(spawnSync(process.execPath, [join(import.meta.dirname, '../../packaging/make-cursor-theme.mjs'), dir]).status).toBe(0);
      const file = readFileSync(join(dir, 'hallq-none/cursors/default'));
      expect(file.subarray(0, 4).toString('latin1')).toBe('Xcur');
      // One 1×1 image whose only pixel has alpha 0.
      expect([file.readUInt32LE(44), file.readUInt32LE(48), file.readUInt32LE(64)]).toEqual([1, 1, 0]);
      expect(readdirSync(join(dir, 'hallq-none/cursors'))).toEqual(expect.arrayContaining(['left_ptr', 'pointer', 'text']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes systemd-analyze verify', (ctx) => {
    if (spawnSync('sh', ['-c', 'command -v systemd-analyze && test -x /usr/bin/cage']).status !== 0) return ctx.skip('systemd-analyze or cage not installed');
    const dir = mkdtempSync(join(tmpdir(), 'hallq-units-'));
    try {
      const files = Object.keys(ROLES).map((role) => {
        const file = join(dir, `hallq-${role}.service`);
        writeFileSync(file, unitText(role));
        return file;
      });
      const run = spawnSync('systemd-analyze', ['verify', ...files], { encoding: 'utf8' });
      expect(`${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.includes('hallq-'))).toEqual([]);
      expect(run.status, run.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
