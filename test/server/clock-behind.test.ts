import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import { emptyState, epochOf, execute } from '../../src/core/index.js';
import { clockBehindWatch } from '../../src/server/clock-behind.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/** The server's tick watches for a clock behind the hall's day (the core keeps the day then: test/core/clock-back). */
describe("a clock behind the hall's day", () => {
  it('is warned of once, and its end said once', () => {
    const at = (day: string, hm: number) => epochOf(day, hm, 480);
    const state = emptyState();
    execute(state, { id: 'cfg', type: 'Configure', config: allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 1) }, at('2026-11-24', 60));
    execute(state, { id: 't1', type: 'Tick' }, at('2026-11-24', 61));
    expect(state.day).toBe('2026-11-24');
    const log = recordingLogger();
    const watch = clockBehindWatch(log);
    watch(state, at('2026-11-24', 62));
    expect(log.records).toEqual([]);
    for (const m of [1430, 1435, 1439]) watch(state, at('2026-11-23', m));
    expect(log.records.map((r) => [r.level, (r.obj as Record<string, unknown>)['hallDay'], (r.obj as Record<string, unknown>)['clockDay']])).toEqual([['warn', '2026-11-24', '2026-11-23']]);
    watch(state, at('2026-11-24', 1));
    watch(state, at('2026-11-24', 2));
    expect(log.records.map((r) => r.level)).toEqual(['warn', 'info']);
  });
});
