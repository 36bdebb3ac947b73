import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HallEvent } from '../../src/core/index.js';
import { ReportProjection } from '../../src/reports/projection.js';
import { buildReport, nearestRank, selectNearestRank } from '../../src/reports/query.js';
import { EventLog } from '../../src/store/index.js';
import { simulatedEvents } from './month.js';

/**
 * The per-day rollups (src/reports/rollup.ts) against the per-ticket rows they summarise: for random date
 * ranges, every figure of every row of the report must be identical (not close: the same numbers). The log
 * is folded in two parts with a report between them, so the rollups of the first part's days are built
 * early and must be recomputed when later events (calls, completions, follow-ups of old bad ratings) touch
 * those days.
 */
describe('report rollups agree with the per-ticket rows', () => {
  let dir = '';
  let proj: ReportProjection;
  let days: string[] = [];
  let now = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-rollup-'));
    const events = simulatedEvents({ days: 8, seed: 29 });
    days = events.filter((e) => e.type === 'DayStarted').map((e) => (e as { day: string }).day);
    now = (events.at(-1)?.at ?? 0) + 1;
    const path = join(dir, 'hall.db');
    const log = EventLog.open<HallEvent>(path);
    // Cut in the middle of a day, so that day's rollup is built while its tickets are still open.
    const cut = Math.floor(events.length * 0.55);
    log.append(events.slice(0, cut));
    proj = ReportProjection.open(path);
    proj.catchUp();
    const early = buildReport(proj.db, proj.labels, proj.lastSeq(), days[0] as string, days.at(-1) as string, now);
    expect(early.total.open).toBeGreaterThan(0);
    for (let i = cut; i < events.length; i += 2000) log.append(events.slice(i, Math.min(events.length, i + 2000)));
    log.close();
    proj.catchUp();
  }, 600_000);
  afterAll(() => {
    proj?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives identical reports from rollups and from rows for random ranges', () => {
    // Ranges may start before the first day and end after the last (empty days at the edges).
    const before = '2000-01-01';
    const after = '2999-12-31';
    const ends = [before, ...days, after];
    fc.assert(
      fc.property(fc.nat(ends.length - 1), fc.nat(ends.length - 1), (i, j) => {
        const from = ends[Math.min(i, j)] as string;
        const to = ends[Math.max(i, j)] as string;
        const fast = buildReport(proj.db, proj.labels, proj.lastSeq(), from, to, now);
        const slow = buildReport(proj.db, proj.labels, proj.lastSeq(), from, to, now, undefined, { rows: true });
        expect(fast).toEqual(slow);
        return true;
      }),
      { numRuns: 25, seed: 11 },
    );
    const whole = buildReport(proj.db, proj.labels, proj.lastSeq(), days[0] as string, days.at(-1) as string, now);
    expect(whole.total.bad).toBeGreaterThan(5);
    expect(whole.total.badFollowedUp).toBeGreaterThan(0);
  });

  it('recomputes a day whose rows change after its rollup was built', () => {
    const day = days[2] as string;
    const first = buildReport(proj.db, proj.labels, proj.lastSeq(), day, day, now);
    // A late change to one ticket of that day (as a late event's fold would make).
    proj.db.prepare("UPDATE report_tickets SET outcome = 'voided', reason = 'late' WHERE ticket_id = (SELECT ticket_id FROM report_tickets WHERE day = ? AND outcome = 'served' LIMIT 1)").run(day);
    const fast = buildReport(proj.db, proj.labels, proj.lastSeq(), day, day, now);
    const slow = buildReport(proj.db, proj.labels, proj.lastSeq(), day, day, now, undefined, { rows: true });
    expect(fast).toEqual(slow);
    expect(fast.total.served).toBe(first.total.served - 1);
    expect(fast.voidedByReason.late).toBe(1);
  });

  it('recomputes the window time of a day whose closed span changes after its rollup was built', () => {
    const day = days[3] as string;
    const first = buildReport(proj.db, proj.labels, proj.lastSeq(), day, day, now);
    const id = proj.db.prepare("SELECT id FROM report_spans WHERE kind = 'busy' AND end_at IS NOT NULL AND end_at - start_at > 120000 AND start_at >= ? ORDER BY start_at LIMIT 1").pluck().get(Date.parse(`${day}T10:00:00+08:00`));
    proj.db.prepare('UPDATE report_spans SET end_at = end_at - 60000 WHERE id = ?').run(id);
    const fast = buildReport(proj.db, proj.labels, proj.lastSeq(), day, day, now);
    const slow = buildReport(proj.db, proj.labels, proj.lastSeq(), day, day, now, undefined, { rows: true });
    expect(fast).toEqual(slow);
    expect(fast.total.busyMin).toBeCloseTo(first.total.busyMin - 1, 9);
  });
});

describe('selectNearestRank', () => {
  it('finds the value nearestRank finds in the sorted array, duplicates and all', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const sorted = Float64Array.from(xs).sort();
        expect(selectNearestRank(Float64Array.from(xs), q)).toBe(nearestRank(sorted, q));
      }),
      { numRuns: 500 },
    );
  });
});
