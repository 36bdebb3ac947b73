import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportProjection } from '../../src/reports/projection.js';
import { buildReport } from '../../src/reports/query.js';
import { simulatedEvents, writeLog } from './month.js';

/** The server folds a long backlog in steps after a start (src/server/reports-http.ts): the steps end where one fold ends. */

const dir = mkdtempSync(join(tmpdir(), 'hallq-fold-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ReportProjection.foldSome', () => {
  it('folds at most the limit per step, in order, and the steps end with the same report as one catch-up', () => {
    const events = simulatedEvents({ days: 2, seed: 5, startDay: '2026-11-02' });
    expect(events.length).toBeGreaterThan(1500);
    writeLog(join(dir, 'one.db'), events);
    copyFileSync(join(dir, 'one.db'), join(dir, 'steps.db'));
    const once = ReportProjection.open(join(dir, 'one.db'));
    const steps = ReportProjection.open(join(dir, 'steps.db'));
    try {
      expect(once.catchUp()).toBe(events.length);
      const limit = 500;
      const sizes: number[] = [];
      for (;;) {
        const before = steps.lastSeq();
        const n = steps.foldSome(limit);
        expect(steps.lastSeq()).toBe(before + n);
        sizes.push(n);
        if (n < limit) break;
      }
      expect(sizes.slice(0, -1).every((n) => n === limit)).toBe(true);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(events.length);
      expect(steps.foldSome(limit)).toBe(0);
      const at = Date.UTC(2026, 10, 4);
      expect(buildReport(steps.db, steps.labels, steps.lastSeq(), '2026-11-02', '2026-11-03', at)).toEqual(buildReport(once.db, once.labels, once.lastSeq(), '2026-11-02', '2026-11-03', at));
    } finally {
      once.close();
      steps.close();
    }
  });
});
