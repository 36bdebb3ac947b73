import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { IslandStore } from '../../src/agent/island/store.js';
import { KioskJournal } from '../../src/agent/kiosk-journal.js';
import { noticeStillApt } from '../../src/server/island-return.js';
import { Hall } from '../core/fixtures.js';
import type { EventOf } from '../../src/core/index.js';

describe('the agent island file', () => {
  it('is synchronous=FULL, keeps leases, the outbox in order and used numbers across a SIGKILL of its writer', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hallq-island-store-')), 'island.db');
    // A child process appends and is killed before it can close the file.
    const script = `
      import { IslandStore } from ${JSON.stringify(new URL('../../src/agent/island/store.ts', import.meta.url).pathname)};
      const s = IslandStore.open(${JSON.stringify(path)});
      if (s.pragmaSynchronous() !== 2) process.exit(3);
      s.keepLeases('2026-11-23', [{ serviceId: 'A', from: 21, to: 30 }]);
      for (let i = 0; i < 5; i++) s.append('2026-11-23', { command: { id: 'island-k-' + i, type: 'IssueTicket', serviceId: 'A', delivery: 'print' }, leasedNumber: 21 + i, at: 1000 + i, ticketId: '20261123-A0' + (21 + i) });
      s.append('2026-11-23', { command: { id: 'island-k-call', type: 'CallTicket', window: 1, ticketId: '20261123-A021' }, at: 2000 });
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.signal).toBe('SIGKILL');
    const s = IslandStore.open(path);
    expect(s.pragmaSynchronous()).toBe(2);
    expect(s.leases('2026-11-23')).toEqual([{ serviceId: 'A', from: 21, to: 30 }]);
    const pending = s.pending();
    expect(pending.map((e) => e.command.id)).toEqual(['island-k-0', 'island-k-1', 'island-k-2', 'island-k-3', 'island-k-4', 'island-k-call']);
    // A number issued once is never issued again, even after the restart.
    expect(s.used('2026-11-23', 'A', 21)).toBe(true);
    expect(s.used('2026-11-23', 'A', 26)).toBe(false);
    // The server renumbered A021: the later call follows it; answered entries are not replayed again.
    s.renameTicket('20261123-A021', '20261123-A041');
    expect(s.pending().at(-1)?.command).toMatchObject({ type: 'CallTicket', ticketId: '20261123-A041' });
    s.done(pending[0]?.n ?? 0);
    expect(s.pending()).toHaveLength(5);
    s.close();
  }, 150_000);
});

describe('the island file an older version wrote, with an island issue\'s birth date', () => {
  const bytesHold = (path: string, s: string) => [path, `${path}-wal`].some((f) => existsSync(f) && readFileSync(f).toString('latin1').includes(s));
  const issue = (id: string, birthDate: string) => ({ id, type: 'IssueTicket' as const, serviceId: 'A', delivery: 'print' as const, source: 'kiosk' as const, person: { idHash: `hash-${id}`, idMasked: '1101**********002X', idValid: true, birthDate } });

  it('keeps it only in an entry not yet returned (the server decides that one as the island did), until it is returned', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hallq-island-birth-')), 'island.db');
    const older = IslandStore.open(path);
    older.append('2026-11-23', { command: issue('returned', '19491231'), at: 1 });
    older.append('2026-11-23', { command: issue('pending', '19900307'), at: 2 });
    older.done(older.pending()[0]?.n ?? 0);
    older.close();
    // As the version before left it: both rows with their birth dates.
    const db = new Database(path);
    db.exec('DROP TABLE scrubbed');
    for (const r of db.prepare('SELECT n, body FROM outbox').all() as { n: number; body: string }[]) {
      const body = JSON.parse(r.body) as { id: string };
      db.prepare('UPDATE outbox SET body = ? WHERE n = ?').run(JSON.stringify(issue(body.id, body.id === 'returned' ? '19491231' : '19900307')), r.n);
    }
    db.close();
    expect([bytesHold(path, '19491231'), bytesHold(path, '19900307')]).toEqual([true, true]);

    const s = IslandStore.open(path);
    expect([bytesHold(path, '19491231'), bytesHold(path, '19900307')]).toEqual([false, true]);
    const [pending] = s.pending();
    expect(pending?.command).toEqual(issue('pending', '19900307'));
    s.done(pending?.n ?? 0);
    s.close();
    expect([bytesHold(path, '19491231'), bytesHold(path, '19900307'), bytesHold(path, 'birthDate')]).toEqual([false, false, false]);
  });

  it('shared with the kiosk journal (agent.kioskJournal left out), both open it with the other\'s connection open', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hallq-island-shared-')), 'island.db');
    const island = IslandStore.open(path);
    const journal = KioskJournal.open(path, () => true);
    journal.asked(issue('k1', '19491231'), 1);
    island.append('2026-11-23', { command: { id: 'i1', type: 'CallTicket', window: 1, ticketId: 'T' }, at: 2 });
    expect(journal.open().map((e) => e.issue)).toEqual([{ ...issue('k1', ''), person: { idHash: 'hash-k1', idMasked: '1101**********002X', idValid: true }, priority: true }]);
    expect(island.pending()).toHaveLength(1);
    expect(bytesHold(path, '19491231')).toBe(false);
    journal.close();
    island.close();
  });
});

describe('notices held during a return', () => {
  const due = (hall: Hall, reason: 'issued' | 'near' | 'called') => hall.events('NotificationDue').filter((e) => e.reason === reason);
  it('are sent only if they still make sense: never a near for a ticket already called', () => {
    const hall = new Hall();
    hall.open(1);
    const ids = Array.from({ length: 6 }, () => hall.issue('A'));
    const last = ids[5] ?? '';
    const near = { type: 'NotificationDue', ticketId: last, number: 'A006', serviceId: 'A', reason: 'near', windows: [1], seq: 1, at: 0, commandId: 'x' } as EventOf<'NotificationDue'>;
    expect(noticeStillApt(hall.state, near)).toBe(true);
    for (let i = 0; i < 6; i++) hall.callNext(1);
    expect(hall.state.tickets[last]?.status).toBe('called');
    expect(noticeStillApt(hall.state, near)).toBe(false);
    const called = due(hall, 'called').find((e) => e.ticketId === last) ?? ({ ...near, reason: 'called' } as EventOf<'NotificationDue'>);
    expect(noticeStillApt(hall.state, called)).toBe(true);
    // A call already finished is not announced by SMS afterwards.
    hall.ok({ type: 'Complete', window: 1 });
    expect(noticeStillApt(hall.state, called)).toBe(false);
  });
});
