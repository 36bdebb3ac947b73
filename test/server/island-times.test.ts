import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { Command } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { IslandReturn } from '../../src/server/island-return.js';
import type { MqttServer } from '../../src/server/mqtt-server.js';
import { hallConfig, monday } from '../core/fixtures.js';

/**
 * The times of an island's actions at the return (README "Island mode", the return): each replayed
 * action runs at the time the island decided it, so the reports' waits and service times are the
 * hall's, not zero; never later than the server's now, never before the log's last event.
 */
const root = mkdtempSync(join(tmpdir(), 'hallq-island-times-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let open: HallEngine[] = [];
afterEach(async () => {
  for (const e of open) {
    e.close();
    await e.whenClosed();
  }
  open = [];
});

/** A server's engine and its island return, its clock set by the test (the MQTT side only publishes, which no one hears here). */
function server(name: string, start: number) {
  const engine = HallEngine.open(join(root, `${name}.db`), hallConfig(), silentLogger, start);
  open.push(engine);
  const clock = { now: start };
  const mqtt = { publishEvents: () => undefined, sms: undefined } as unknown as MqttServer;
  const ret = new IslandReturn(engine, mqtt, () => clock.now, silentLogger);
  let n = 0;
  const replay = (command: Command, at?: number) => ret.replay('agent-a', { id: `r${++n}`, type: 'island', command: command as never, ...(at === undefined ? {} : { at }) });
  return { engine, clock, replay };
}

describe('island actions replayed at their own times', () => {
  it('keep the times the island gave them: issue, call, completion, and the service time from them', () => {
    const s = server('kept', monday('09:00'));
    s.engine.handle({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1' }, monday('09:00'));
    // The island: issued at 09:05, called at 09:20, done at 09:26; the link back at 09:40.
    s.clock.now = monday('09:40');
    expect(s.replay({ id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('09:05')).outcome).toMatchObject({ ok: true });
    const ticketId = Object.keys(s.engine.state.tickets)[0] as string;
    expect(s.replay({ id: 'c1', type: 'CallTicket', window: 1, ticketId }, monday('09:20')).outcome).toMatchObject({ ok: true });
    expect(s.replay({ id: 'd1', type: 'Complete', window: 1 }, monday('09:26')).outcome).toMatchObject({ ok: true });
    const t = s.engine.state.tickets[ticketId];
    expect(t).toMatchObject({ issuedAt: monday('09:05'), calledAt: monday('09:20'), finishedAt: monday('09:26') });
    const done = s.engine.eventsAfter(0).find((e) => e.type === 'ServiceCompleted');
    expect(done).toMatchObject({ at: monday('09:26') });
    // The log's times never go back.
    const ats = s.engine.eventsAfter(0).map((e) => e.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
  });

  it('run at now when the agent says a time ahead of the server or none (an older agent)', () => {
    const s = server('ahead', monday('09:00'));
    s.clock.now = monday('09:40');
    s.replay({ id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('10:15'));
    s.replay({ id: 'i2', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    expect(Object.values(s.engine.state.tickets).map((t) => t.issuedAt)).toEqual([monday('09:40'), monday('09:40')]);
  });

  it('run no earlier than the last event the log holds (another agent returned first, or the server ran meanwhile)', () => {
    const s = server('behind', monday('09:00'));
    s.engine.handle({ id: 'live', type: 'IssueTicket', serviceId: 'B', delivery: 'none' }, monday('09:30'));
    s.clock.now = monday('09:40');
    s.replay({ id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('09:10'));
    s.replay({ id: 'i2', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('09:35'));
    const a = Object.values(s.engine.state.tickets).filter((t) => t.serviceId === 'A');
    expect(a.map((t) => t.issuedAt)).toEqual([monday('09:30'), monday('09:35')]);
  });

  // The third tryout of the eighteenth session: after a conflict, stamped at the return, every later
  // action of the outbox ran at the return too; and the island's "next" that finished its window's
  // ticket lost the finish with the refused call (the served citizen's number back on the screen).
  it('a refused call keeps the finish it made, at its time; the conflict and the actions after it keep theirs', () => {
    const s = server('conflict', monday('09:00'));
    s.engine.handle({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1' }, monday('09:00'));
    s.engine.handle({ id: 'open-2', type: 'OpenWindow', window: 2, staffId: 's2' }, monday('09:00'));
    for (const id of ['i1', 'i2', 'i3']) s.engine.handle({ id, type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('09:01'));
    const [t1, t2, t3] = Object.keys(s.engine.state.tickets) as [string, string, string];
    s.engine.handle({ id: 'call-1', type: 'CallTicket', window: 1, ticketId: t1 }, monday('09:02'));
    // Live at window 2 before the cut: t2 is called there.
    s.engine.handle({ id: 'call-2', type: 'CallTicket', window: 2, ticketId: t2 }, monday('09:03'));
    // The island (its replica behind) pressed "next" at window 1 at 09:20: t1 finished, t2 called. Then at 09:25 t3.
    s.clock.now = monday('09:40');
    const r = s.replay({ id: 'isl-next', type: 'CallTicket', window: 1, ticketId: t2 }, monday('09:20'));
    expect(r.conflict).toMatchObject({ kind: 'called-elsewhere', ticketId: t2 });
    expect(s.engine.state.tickets[t1]).toMatchObject({ status: 'done', finishedAt: monday('09:20') });
    expect(s.engine.state.tickets[t2]).toMatchObject({ status: 'called', window: 2 });
    expect(s.engine.eventsAfter(0).find((e) => e.type === 'IslandConflict')).toMatchObject({ at: monday('09:20') });
    expect(s.replay({ id: 'isl-next-2', type: 'CallTicket', window: 1, ticketId: t3 }, monday('09:25')).outcome).toMatchObject({ ok: true });
    expect(s.engine.state.tickets[t3]).toMatchObject({ status: 'called', window: 1, calledAt: monday('09:25') });
    const ats = s.engine.eventsAfter(0).map((e) => e.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
  });

  it('keep the island’s day when the server comes back the next morning', () => {
    const s = server('overnight', monday('16:00'));
    s.clock.now = monday('08:40', '2026-11-24');
    s.replay({ id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('16:20'));
    const t = Object.values(s.engine.state.tickets)[0];
    expect(t).toMatchObject({ day: '2026-11-23', issuedAt: monday('16:20') });
    // The next command of the new day expires it, as every ticket of the day before.
    s.engine.handle({ id: 'tue', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, monday('08:41', '2026-11-24'));
    expect(s.engine.state.day).toBe('2026-11-24');
    expect(s.engine.state.tickets[t?.id ?? '']?.status ?? 'gone').not.toBe('waiting');
  });
});
