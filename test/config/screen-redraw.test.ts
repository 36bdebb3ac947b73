/**
 * `agents[].devices.rs485[].screens[].redrawSeconds`: an idle screen is drawn again with its present text this long
 * after it last confirmed it (drivers/led-screen/README.md, Delivery and health). Default 600, 0 = never; a value out
 * of range is a problem at its key's path in `hallq config check` (the real CLI from this tree's build, dist/).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { runHallq, scratch } from '../helpers/cli.js';

const { write } = scratch('screen-redraw');
const example = readFileSync('config/hall.example.yaml', 'utf8');
const firstScreen = '- { window: 1, protocol: bx, address: 1 }';

describe('screens[].redrawSeconds', () => {
  it('defaults to 600 on every screen; 0 is taken (never)', () => {
    const screens = loadConfigOrThrow('config/hall.example.yaml').agents.flatMap((a) => a.devices.rs485.flatMap((l) => l.screens));
    expect(screens.length).toBeGreaterThan(0);
    expect(screens.every((s) => s.redrawSeconds === 600)).toBe(true);
    expect(example).toContain(firstScreen);
    const off = loadConfigOrThrow(write('off.yaml', example.replace(firstScreen, '- { window: 1, protocol: bx, address: 1, redrawSeconds: 0 }')));
    expect(off.agents.flatMap((a) => a.devices.rs485.flatMap((l) => l.screens)).find((s) => s.window === 1)?.redrawSeconds).toBe(0);
  });

  it('hallq config check: a value out of range is named by its key path', async () => {
    const file = write('bad.yaml', example.replace(firstScreen, '- { window: 1, protocol: bx, address: 1, redrawSeconds: -5 }'));
    const r = await runHallq(['config', 'check', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/agents\[1\]\.devices\.rs485\[0\]\.screens\[0\]\.redrawSeconds: found -5, expected/);
    const json = await runHallq(['config', 'check', file, '--json']);
    expect((JSON.parse(json.stdout) as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain('agents[1].devices.rs485[0].screens[0].redrawSeconds');
  }, 60_000);
});
