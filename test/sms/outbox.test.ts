import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { Contacts } from '../../src/server/sms/contacts.js';
import { INTERRUPTED, Outbox } from '../../src/server/sms/outbox.js';
import { openSmsDb } from '../../src/server/sms/sms-db.js';
import { dirs, MONDAY_10, notices, smsRig } from './fixtures.js';

afterEach(() => dirs.cleanup());

describe('the SMS outbox', () => {
  it('makes one row per ticket and reason, only for tickets with a contact, however often the events come', () => {
    const rig = smsRig();
    rig.run({ type: 'OpenWindow', window: 3, staffId: 's3', source: 'admin' } as never);
    const withContact = rig.issue();
    const without = rig.issue();
    rig.contacts.put(withContact, '13912345678');
    const all = rig.engine.eventsAfter(0);
    expect(notices(all).map((e) => e.type === 'NotificationDue' && e.ticketId)).toEqual(expect.arrayContaining([withContact, without]));
    expect(rig.outbox.enqueue(all)).toBe(1);
    expect(rig.outbox.enqueue(all)).toBe(0);
    expect(rig.outbox.enqueue([...all, ...all])).toBe(0);
    const rows = rig.outbox.all();
    expect(rows.map((r) => [r.ticketId, r.reason, r.state, r.attempts])).toEqual([[withContact, 'issued', 'pending', 0]]);
    expect(rows[0]?.params).toMatchObject({ number: 'A001', serviceId: 'A', position: 1, windows: [3] });
    rig.close();
  });

  it('survives a restart: a new Outbox on the same file finds the rows and adds none', () => {
    const rig = smsRig();
    rig.run({ type: 'OpenWindow', window: 3, staffId: 's3', source: 'admin' } as never);
    const t = rig.issue();
    rig.contacts.put(t, '13912345678');
    rig.outbox.enqueue(rig.engine.eventsAfter(0));
    rig.run({ type: 'CallNext', window: 3, source: 'caller-keypad' } as never);
    expect(rig.outbox.all().map((r) => r.reason)).toEqual(['issued', 'called']);
    const before = rig.outbox.all();
    rig.db.close();

    // A second process (or the next start) with its own connection replays the whole log into it.
    const db2 = openSmsDb(rig.path, silentLogger);
    const contacts2 = new Contacts(db2, rig.key, () => MONDAY_10 + 1000);
    const outbox2 = new Outbox(db2, contacts2, () => MONDAY_10 + 1000);
    expect(outbox2.enqueue(rig.engine.eventsAfter(0))).toBe(0);
    expect(outbox2.all()).toEqual(before);
    db2.close();

    // The guarantee is the table's, not the code's: a raw duplicate insert is refused.
    const raw = new Database(rig.path);
    expect(() =>
      raw.prepare(`INSERT INTO sms_outbox (ticket_id, reason, state, next_attempt_at, event_seq, params, created, updated) VALUES (?, 'called', 'pending', 0, 0, '{}', 0, 0)`).run(t),
    ).toThrow(/UNIQUE/);
    raw.close();
    rig.engine.close();
  });

  it('moves a row out of a state at most once; rows left in flight become failed, not pending', () => {
    const rig = smsRig();
    const t = rig.issue();
    rig.contacts.put(t, '13912345678');
    rig.outbox.enqueue(rig.engine.eventsAfter(0));
    const row = rig.outbox.get(t, 'issued');
    if (!row) throw new Error('no row');
    expect(rig.outbox.markSending(row.id)).toBe(true);
    expect(rig.outbox.markSending(row.id)).toBe(false);
    expect(rig.outbox.markDropped(row.id, 'X')).toBe(false);
    expect(rig.outbox.nextDue(Number.MAX_SAFE_INTEGER)).toBeUndefined();
    expect(rig.outbox.settleInterrupted()).toBe(1);
    expect(rig.outbox.get(t, 'issued')).toMatchObject({ state: 'failed', attempts: 1, lastErrorCode: INTERRUPTED });
    expect(rig.outbox.markSent(row.id, 'late')).toBe(false);
    expect(rig.outbox.nextWakeAt()).toBeUndefined();
    rig.close();
  });
});
