import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import { recordingLogger } from '../../drivers/common/logger.js';
import { DAY_MS, RetentionJob } from '../../src/server/sms/retention.js';
import { dirs, MONDAY_10, smsRig } from './fixtures.js';

afterEach(() => {
  vi.useRealTimers();
  dirs.cleanup();
});

const PHONE = '13912345678';

describe('contacts', () => {
  it('hold the number sealed: the database file never has the digits, and it reads back as 11 digits', () => {
    const rig = smsRig();
    const t = rig.issue();
    expect(rig.contacts.put(t, `+86${PHONE}`)).toBe('stored');
    expect(rig.contacts.phoneOf(t)).toBe(PHONE);
    const raw = rig.db.prepare('SELECT phone FROM contacts WHERE ticket_id = ?').get(t) as { phone: Buffer };
    expect(Buffer.isBuffer(raw.phone)).toBe(true);
    rig.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of [rig.path, `${rig.path}-wal`]) {
      let bytes = '';
      try {
        bytes = readFileSync(file).toString('latin1');
      } catch {
        continue;
      }
      expect(bytes).not.toContain(PHONE);
    }
    rig.close();
  });

  it('keep the first number for a ticket, refuse non-mainland numbers', () => {
    const rig = smsRig();
    const t = rig.issue();
    expect(rig.contacts.put(t, PHONE)).toBe('stored');
    expect(rig.contacts.put(t, '13800000000')).toBe('other');
    expect(rig.contacts.put(t, `+86${PHONE}`)).toBe('same');
    expect(rig.contacts.phoneOf(t)).toBe(PHONE);
    let err: unknown;
    try {
      rig.contacts.put('other', '+4915112345678');
    } catch (e) {
      err = e;
    }
    expect(isHallqError(err, 'PAYLOAD_INVALID')).toBe(true);
    expect(rig.contacts.has('other')).toBe(false);
    rig.close();
  });
});

describe('the retention job', () => {
  it('purges numbers older than retentionDays and finished outbox rows, keeps younger ones and pending rows', () => {
    let now = MONDAY_10;
    const clock = () => now;
    const rig = smsRig({ clock });
    const old = rig.issue();
    rig.contacts.put(old, PHONE);
    rig.outbox.enqueue(rig.engine.eventsAfter(0));
    const oldRow = rig.outbox.get(old, 'issued');
    expect(oldRow?.state).toBe('pending');
    rig.outbox.markSending(oldRow?.id ?? -1);
    rig.outbox.markSent(oldRow?.id ?? -1, 'ref-1');

    now += 20 * DAY_MS;
    const young = rig.issue();
    rig.contacts.put(young, '13700000000');
    rig.outbox.enqueue(rig.engine.eventsAfter(0));
    expect(rig.outbox.get(young, 'issued')?.state).toBe('pending');

    const logs = recordingLogger();
    const job = new RetentionJob({ contacts: rig.contacts, outbox: rig.outbox, retentionDays: 30, clock, logger: logs });
    now = MONDAY_10 + 30 * DAY_MS - 1; // the old one is one ms short of 30 days
    expect(job.runOnce()).toEqual({ contacts: 0, outboxRows: 0 });
    now = MONDAY_10 + 30 * DAY_MS + 1;
    expect(job.runOnce()).toEqual({ contacts: 1, outboxRows: 1 });
    expect(rig.contacts.has(old)).toBe(false);
    expect(rig.contacts.phoneOf(young)).toBe('13700000000');
    expect(rig.outbox.get(old, 'issued')).toBeUndefined();
    // Pending rows are not "finished", however old: delivery decides their fate (dropped: no contact).
    now += 60 * DAY_MS;
    expect(job.runOnce()).toEqual({ contacts: 1, outboxRows: 0 });
    expect(rig.outbox.get(young, 'issued')?.state).toBe('pending');
    expect(JSON.stringify(logs.records)).not.toMatch(/1[3-9]\d{9}/);
    rig.close();
  });

  it('runs at start and then once a day', () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const rig = smsRig({ clock: () => Date.now() });
    const t = rig.issue();
    rig.contacts.put(t, PHONE);
    const runs: number[] = [];
    const job = new RetentionJob({ contacts: rig.contacts, outbox: rig.outbox, retentionDays: 1, clock: () => Date.now(), logger: recordingLogger() });
    const runOnce = job.runOnce.bind(job);
    job.runOnce = () => {
      runs.push(Date.now());
      return runOnce();
    };
    job.start();
    expect(runs).toEqual([MONDAY_10]);
    expect(rig.contacts.has(t)).toBe(true);
    vi.advanceTimersByTime(DAY_MS - 1);
    expect(runs).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(runs).toEqual([MONDAY_10, MONDAY_10 + DAY_MS]);
    // Stored at MONDAY_10, one day's retention: at exactly one day it is not yet older than the cutoff.
    expect(rig.contacts.has(t)).toBe(true);
    vi.advanceTimersByTime(DAY_MS);
    expect(rig.contacts.has(t)).toBe(false);
    job.stop();
    vi.advanceTimersByTime(10 * DAY_MS);
    expect(runs).toHaveLength(3);
    rig.close();
  });
});
