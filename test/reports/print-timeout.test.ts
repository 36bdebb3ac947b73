import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportProjection } from '../../src/reports/projection.js';
import { buildReport } from '../../src/reports/query.js';
import { Hall } from '../core/fixtures.js';
import { writeLog } from './month.js';

/**
 * The reports of a ticket the print-confirm timeout voided: voided while nothing confirms it; a late cut
 * (TicketPrinted revived) makes it an open ticket again, so the day that serves it counts it served, not voided.
 */
describe('reports: a ticket voided by the print-confirm timeout and revived by its cut', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const report = (h: Hall) => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-report-timeout-'));
    dirs.push(dir);
    writeLog(join(dir, 'hall.db'), h.log);
    const proj = ReportProjection.open(join(dir, 'hall.db'));
    try {
      proj.catchUp();
      return buildReport(proj.db, proj.labels, proj.lastSeq(), h.state.day, h.state.day, h.now + 1).total;
    } finally {
      proj.close();
    }
  };

  it('counts it voided after the tick, not voided once revived, served once served', () => {
    const h = new Hall();
    const r = h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
    const id = r.outcome.ok ? r.outcome.ticketId! : '';
    h.advance(10);
    h.ok({ type: 'Tick' });
    expect(report(h)).toMatchObject({ issued: 1, voided: 1, served: 0 });

    h.ok({ type: 'PrintConfirmed', ticketId: id });
    // Waiting again: no longer voided, not yet served.
    expect(report(h)).toMatchObject({ issued: 1, voided: 0, served: 0 });
    h.open(1);
    expect(h.callNext(1)).toBe(id);
    h.advance(5);
    h.ok({ type: 'Complete', window: 1 });
    expect(report(h)).toMatchObject({ issued: 1, voided: 0, served: 1 });
  });
});
