import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeRs485Plan, rs485Plan } from '../../src/cli/emulate.js';
import { loadConfigOrThrow } from '../../src/config/load.js';

/**
 * Tryout: `hallq emulate rs485` emulated BX screens only without --config (so screen-test against
 * hall.example.yaml timed out for its external-call windows 5 and 6), none at all with config/demo.yaml
 * (whose agent.id is the kiosk's, the line being counter-1's), and never said what it emulated.
 */
describe('hallq emulate rs485: the line it emulates, said at its start', () => {
  it("hall.example.yaml: counter-1's line as written, BX and external-call screens and the keypads", () => {
    const plan = rs485Plan(loadConfigOrThrow('config/hall.example.yaml'), 'config/hall.example.yaml');
    expect(describeRs485Plan(plan)).toEqual([
      'emulating agents[1].devices.rs485[0] (counter-1, /dev/hallq/rs485-0) in config/hall.example.yaml:',
      ...[1, 2, 3, 4].map((w) => `  screen  window ${w}: bx at address ${w}`),
      ...[5, 6].map((w) => `  screen  window ${w}: external-call at address ${w}`),
      ...[1, 2, 3, 4, 5, 6].map((w) => `  keypad  window ${w}: ff68 at address ${w} (poll)`),
      '  keypad polls: compact (keypadPolling.frames)',
    ]);
  });

  it('demo.yaml: its line has keypads and no screens (the demo adds its own), and says so', () => {
    const lines = describeRs485Plan(rs485Plan(loadConfigOrThrow('config/demo.yaml'), 'config/demo.yaml'));
    expect(lines[0]).toBe('emulating agents[0].devices.rs485[0] (demo-agent, /dev/hallq/rs485-0) in config/demo.yaml:');
    expect(lines[1]).toBe('  screens: none on this line in the config');
    expect(lines.filter((l) => l.startsWith('  keypad  window'))).toHaveLength(12);
  });

  it('no --config: the default line, said as such', () => {
    const lines = describeRs485Plan(rs485Plan(undefined));
    expect(lines[0]).toBe('emulating no --config: the default line (give --config FILE to emulate the line a hall config describes):');
    expect(lines.slice(1, 5)).toEqual([1, 2, 3, 4].map((w) => `  screen  window ${w}: bx at address ${w}`));
  });

  it('the command prints it before its commands', async () => {
    const child = spawn(process.execPath, ['bin/hallq.js', 'emulate', 'rs485', '--config', 'config/hall.example.yaml'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('commands: ')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    await ready;
    child.stdin.end('q\n');
    expect(await exited).toBe(0);
    expect(out).toContain('emulating agents[1].devices.rs485[0] (counter-1, /dev/hallq/rs485-0) in config/hall.example.yaml:\n');
    expect(out).toContain('  screen  window 6: external-call at address 6\n');
  }, 60_000);
});
