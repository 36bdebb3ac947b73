import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { Command } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { hallConfig, monday } from '../core/fixtures.js';
import { tempDirs } from './temp-dir.js';

/** Commands about tickets, windows, services, appointments, ratings and staff that do not exist. */
function unknownAbout(i: number): Command {
  const id = `junk-${i}`;
  const all: Command[] = [
    { id, type: 'Cancel', ticketId: `T-${i}`, reason: 'x' },
    { id, type: 'PrintConfirmed', ticketId: `T-${i}` },
    { id, type: 'CallNext', window: 500 + (i % 400) },
    { id, type: 'PauseWindow', window: 500 + (i % 400), reason: 'x' },
    { id, type: 'IssueTicket', serviceId: `S-${i}` },
    { id, type: 'CancelAppointment', appointmentId: `A-${i}` },
    { id, type: 'FollowUp', ratingId: `R-${i}`, note: 'x' },
    { id, type: 'OpenWindow', window: 1, staffId: `nobody-${i}` },
  ];
  return all[i % all.length]!;
}

const rows = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return {
      events: (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,
      commands: (db.prepare('SELECT count(*) AS n FROM commands').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
};

describe('refused commands about unknown ids', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  it('10,000 of them leave the durable log, its rows and the file size where they were', () => {
    const path = join(dirs.make(), 'hall.db');
    const now = monday('10:00');
    const engine = HallEngine.open(path, hallConfig(), silentLogger, now);
    engine.handle({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1' }, now);
    const before = { rows: rows(path), seq: engine.state.seq, state: structuredClone(engine.state) };
    const sizeBefore = statSync(path).size + statSync(`${path}-wal`).size;
    for (let i = 0; i < 10_000; i++) {
      const r = engine.handle(unknownAbout(i), now);
      expect(r.outcome.ok).toBe(false);
      expect(r.events).toEqual([]);
    }
    expect(rows(path)).toEqual(before.rows);
    expect(engine.state).toEqual(before.state);
    expect(statSync(path).size + statSync(`${path}-wal`).size).toBe(sizeBefore);
    // A resend of a recent one still gets the same answer, as a repeat.
    const again = engine.handle(unknownAbout(9_999), now);
    expect(again.duplicate).toBe(true);
    expect(again.outcome).toMatchObject({ ok: false, code: 'unknown-staff' });
    // A refusal about something known is still recorded (the audit trail of real refusals).
    expect(engine.handle({ id: 'pause-closed', type: 'PauseWindow', window: 2, reason: 'x' }, now).events.map((e) => e.type)).toEqual(['CommandRejected']);
    engine.close();
  });
});
