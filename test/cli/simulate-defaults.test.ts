import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_UTILISATION, derivedSimulation } from '../../src/cli/simulate-defaults.js';
import { simulateCommand } from '../../src/cli/simulate.js';
import { loadConfigOrThrow } from '../../src/config/load.js';

/**
 * Issue #13: `hallq simulate config/hall.example.yaml` (a production config, no simulation section)
 * simulates with defaults derived from the config and says which, instead of CONFIG_INVALID.
 */
describe('hallq simulate without a simulation section', () => {
  afterEach(() => vi.restoreAllMocks());

  it('simulates the production example, saying the defaults it used and a simulation section to paste', () => {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    expect(simulateCommand('config/hall.example.yaml', { json: true })).toBe(0);
    const said = err.join('');
    expect(said).toContain('no simulation section: simulating with defaults derived from the config');
    expect(said).toMatch(/keeping the 12 windows 80 % busy/);
    // The example section is YAML that gives the arrivals used: every service, 24 hourly rates.
    const yaml = said.slice(said.indexOf('simulation:\n'));
    const example = parse(yaml) as { simulation: { arrivalsPerHour: Record<string, number[]> } };
    const c = loadConfigOrThrow('config/hall.example.yaml');
    expect(Object.keys(example.simulation.arrivalsPerHour)).toEqual(c.services.map((s) => s.id));
    const report = JSON.parse(out.join('')) as { services: { serviceId: string; served: number }[]; windows: { window: number; served: number }[] };
    // Every service arrives and is served, every configured window serves.
    expect(report.services.map((s) => s.serviceId)).toEqual(c.services.map((s) => s.id));
    for (const s of report.services) expect(s.served, s.serviceId).toBeGreaterThan(0);
    expect(report.windows.map((w) => w.window)).toEqual(c.windows.map((w) => w.id));
    for (const w of report.windows) expect(w.served, `window ${w.window}`).toBeGreaterThan(0);
  });

  it('derives arrivals from the config: issuing hours only, in proportion to the quotas, the windows kept 80 % busy', () => {
    const c = loadConfigOrThrow('config/hall.example.yaml');
    const d = derivedSimulation(c);
    expect(d).toBeDefined();
    const a = d!.simulation.arrivalsPerHour as Record<string, number[]>;
    // Nobody before 08:00 or from 17:00 (hall 08:30–17:30, 30 min cutoff); nobody 12:00–13:00.
    for (const s of c.services) {
      const rates = a[s.id]!;
      expect(rates.slice(0, 8).every((x) => x === 0), s.id).toBe(true);
      expect(rates.slice(17).every((x) => x === 0), s.id).toBe(true);
      expect(rates[12], s.id).toBe(0);
    }
    // pickup has its own hours from 09:00.
    expect(a.pickup![8]).toBe(0);
    expect(a.pickup![9]).toBeGreaterThan(0);
    // A fully open hour (10:00): the work brought per hour is the utilisation of the windows' minutes.
    const work = c.services.reduce((sum, s) => sum + a[s.id]![10]! * s.avgServiceMinutes, 0);
    expect(Math.abs(work - DEFAULT_UTILISATION * c.windows.length * 60)).toBeLessThan(5);
    // Proportional to the quotas: social (300) twice household (150).
    expect(Math.abs(a.social![10]! - 2 * a.household![10]!)).toBeLessThanOrEqual(0.1);
  });

  it('says why when there is nothing to derive from', () => {
    const c = loadConfigOrThrow('config/hall.example.yaml');
    const closed = { ...c, hours: { ...c.hours, weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } } };
    expect(derivedSimulation(closed)).toBeUndefined();
  });
});
