import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import { emptyState, execute, type Command, type CommandBody } from '../../src/core/index.js';
import { hallSnapshot, publicSnapshot } from '../../src/web/snapshot.js';

describe("today's admin figures (issue 11)", () => {
  it('counts only completed tickets as served, gives the mean wait, 满意率, staff names and Chinese window status', () => {
    const config = hallConfigOf(loadConfigOrThrow('config/demo.yaml'));
    const state = emptyState();
    let n = 0;
    let now = Date.parse('2026-11-23T09:00:00+08:00');
    const run = (cmd: CommandBody, source = 'admin') => {
      const r = execute(state, { ...cmd, id: `t${++n}`, source } as Command, now);
      expect(r.outcome.ok, JSON.stringify(r.outcome)).toBe(true);
      return r;
    };
    run({ type: 'Configure', config } as CommandBody);
    run({ type: 'OpenWindow', window: 1, staffId: 's01' } as CommandBody);
    const service = config.windows[0]?.tiers[0]?.[0] as string;
    for (let i = 0; i < 3; i++) run({ type: 'IssueTicket', serviceId: service, delivery: 'none' } as CommandBody, 'kiosk');
    now += 4 * 60_000;
    run({ type: 'CallNext', window: 1 } as CommandBody);
    now += 2 * 60_000;
    run({ type: 'Complete', window: 1 } as CommandBody);
    run({ type: 'Rate', window: 1, grade: 'dissatisfied' } as CommandBody, 'rating-device');
    now += 60_000;
    run({ type: 'CallNext', window: 1 } as CommandBody); // called, not served
    const s = hallSnapshot(state, '', 'mon');
    expect(s.today).toMatchObject({ issued: 3, served: 1, inService: 1, waiting: 1, rated: 1, satisfaction: 0, badOpen: 1 });
    // Waits: 4 min and 7 min.
    expect(s.today.waitMeanMin).toBeCloseTo(5.5, 9);
    expect(s.services.reduce((a, x) => a + x.served, 0)).toBe(1);
    expect(s.windows[0]).toMatchObject({ statusZh: '开放', staffName: '王芳' });
    expect(s.windows[1]?.statusZh).toBe('关闭');
    expect(s.staffNames.s01).toBe('王芳');
    const p = publicSnapshot(s);
    expect(JSON.stringify(p)).not.toContain('王芳');
  });
});
