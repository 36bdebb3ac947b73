import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KioskJournal } from '../../src/agent/kiosk-journal.js';

describe('the kiosk print journal (a real SQLite file)', () => {
  it('is durable (synchronous=FULL, mode 0600), keeps open prints across a reopen, and never turns a cut into a void', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hallq-kiosk-journal-')), 'kiosk.db');
    const j = KioskJournal.open(path);
    expect(j.pragmaSynchronous()).toBe(2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    j.asked({ id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, 1);
    j.asked({ id: 'i2', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, 2);
    j.asked({ id: 'i3', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, 3);
    j.ticket('i1', 'T1');
    j.decide('i1', 'T1', 'cut', 'c1');
    // A late void (the answer timed out after the cut) does not undo the paper.
    j.decide('i1', 'T1', 'void', 'v1', 'kiosk-timeout');
    j.settled('i3');
    j.close();

    const again = KioskJournal.open(path);
    expect(again.open().map((e) => [e.issueId, e.step, e.ticketId, e.settleId])).toEqual([
      ['i1', 'cut', 'T1', 'c1'],
      ['i2', 'asked', undefined, undefined],
    ]);
    expect(again.open()[1]?.issue).toMatchObject({ id: 'i2', type: 'IssueTicket', serviceId: 'A' });
    again.settled('i1');
    expect(again.entry('i1')).toMatchObject({ step: 'cut', done: true });
    // The purge takes settled entries only: an open one stays until it is settled.
    again.purge(10);
    expect(again.entry('i1')).toBeUndefined();
    expect(again.open().map((e) => e.issueId)).toEqual(['i2']);
    again.close();
  });
});
