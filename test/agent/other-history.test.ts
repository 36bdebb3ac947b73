import { describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { logHead } from '../../src/bus/log-head.js';
import { emptyState, epochOf, execute, type Command, type HallEvent } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * How an agent tells the server's log from another history (test/faults/restored-database has the
 * processes): messages go in through the link's own reader, nothing goes out (no connection). Only
 * a server gone back or an event that is not the one applied counts: a retained status a moment old,
 * a QoS 1 repeat of an event, or a server ahead of the replica do not (each would reload the state for
 * nothing, in every agent of the hall).
 */
const R = 'hallq/v1/h';
const WARNING = "the server's event log is not the history this agent holds";
const T0 = epochOf('2026-11-23', 600, 480);

/** A short history of hall h: configured, a window opened, tickets issued, one event per minute. */
function history(tickets: number, salt = ''): HallEvent[] {
  const state = emptyState();
  const out: HallEvent[] = [];
  const cmds: Record<string, unknown>[] = [{ type: 'Configure', config: allDayHall('h', { zh: '大厅', en: 'Hall' }, 1), source: 'system' }, { type: 'OpenWindow', window: 1, staffId: 's1' }];
  for (let i = 0; i < tickets; i++) cmds.push({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
  cmds.forEach((c, i) => out.push(...execute(state, { ...c, id: `c${salt}${i}` } as Command, T0 + i * 60_000).events));
  return out;
}

function agent() {
  const logs: LogRecord[] = [];
  const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'kiosk-1' }, recordingLogger(logs));
  const put = (topic: string, body: unknown) => link.handleMessage(`${R}/${topic}`, Buffer.from(JSON.stringify(body)));
  const warned = () => logs.filter((l) => l.msg?.startsWith(WARNING)).length;
  return { link, put, warned };
}

describe("an agent and the server's history", () => {
  const events = history(6);
  const last = events.at(-1) as HallEvent;
  const at = (seq: number) => events[seq - 1] as HallEvent;

  it('takes a stale retained status, a repeat and a server ahead for what they are', () => {
    const { link, put, warned } = agent();
    for (const e of events) put('events', e);
    expect(link.replica.seq).toBe(last.seq);
    // The retained status of a moment ago: a lower seq, the same event there, said before the latest event.
    put('server/status', { online: true, seq: last.seq - 2, at: at(last.seq - 2).at, head: logHead(at(last.seq - 2)) });
    // A server of an older version (no head) at the replica's seq, a repeat (QoS 1) of an event applied.
    put('server/status', { online: true, seq: last.seq, at: last.at });
    put('events', at(last.seq - 1));
    // A server ahead: the catch-up's to judge, not the status's.
    put('server/status', { online: true, seq: last.seq + 5, at: last.at + 60_000, head: 'abcdef01' });
    expect(warned()).toBe(0);
  });

  it('notices a server gone back, another event at a seq it passed, and a repeat that is not one', () => {
    // A backup restored: the same events up to its seq, said after the latest event the agent applied.
    const restored = agent();
    for (const e of events) restored.put('events', e);
    restored.put('server/status', { online: true, seq: last.seq - 2, at: last.at + 1, head: logHead(at(last.seq - 2)) });
    expect(restored.warned()).toBe(1);

    // Another database at a lower seq: its event there is not the one applied here.
    const other = history(6, 'x');
    const replaced = agent();
    for (const e of events) replaced.put('events', e);
    replaced.put('server/status', { online: true, seq: 3, at: at(3).at, head: logHead(other[2] as HallEvent) });
    expect(replaced.warned()).toBe(1);

    // A live event at a seq the agent passed, that is not the one it applied there (the restored server went on).
    const live = agent();
    for (const e of events) live.put('events', e);
    live.put('events', other[last.seq - 2]);
    expect(live.warned()).toBe(1);
    // The replica waits for the server's state: it applied nothing of the other history.
    expect(live.link.replica.seq).toBe(last.seq);
  });
});
