import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { eventSchema } from '../../src/bus/event-schema.js';
import { topics } from '../../src/bus/topics.js';
import type { Command, CommandBody } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { hallClock, wireConfig } from '../wire/rig.js';

/**
 * The agent checks every event against src/bus/event-schema.ts and drops what does not pass; a
 * dropped event stalls its replica at that seq for the rest of the day. So every event a real hall
 * day decides (staff signing in and out included) must pass, and the replica must follow it.
 */
describe('the agent accepts every event the server decides', () => {
  it('a day with sign-ins, calls, transfers, ratings, no-shows and sign-outs: each event passes and the replica follows to the last seq', () => {
    const clock = hallClock();
    const engine = HallEngine.open(join(mkdtempSync(join(tmpdir(), 'hallq-evschema-')), 'hall.db'), wireConfig, silentLogger, clock());
    let n = 0;
    const run = (cmd: CommandBody) => engine.handle({ ...cmd, id: `c-${++n}` } as Command, clock());
    const day: CommandBody[] = [
      { type: 'SignIn', staffId: 's3', window: 3 },
      { type: 'OpenWindow', window: 4, staffId: 's4' },
      ...Array.from({ length: 4 }, (_, i) => ({ type: 'IssueTicket', serviceId: i % 2 ? 'A' : 'B', delivery: 'none' }) as CommandBody),
      { type: 'CallNext', window: 3 },
      { type: 'Recall', window: 3 },
      { type: 'StartService', window: 3 },
      { type: 'RequestRating', window: 3 },
      { type: 'Rate', window: 3, grade: 'very-dissatisfied', source: 'rating-device' },
      { type: 'CallNext', window: 4 },
      { type: 'NoShow', window: 4 },
      { type: 'CallNext', window: 4 },
      { type: 'Transfer', window: 4, toService: 'A' },
      { type: 'PauseWindow', window: 4, reason: 'break' },
      { type: 'ResumeWindow', window: 4 },
      { type: 'TakeOver', window: 4, staffId: 's5' },
      { type: 'SignOut', staffId: 's3', window: 3 },
      { type: 'CloseWindow', window: 4 },
    ];
    for (const cmd of day) run(cmd);
    const events = engine.eventsAfter(0, 10_000);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['StaffSignedIn', 'StaffSignedOut', 'TicketCalled', 'TicketNoShow', 'TicketTransferred', 'RatingRecorded', 'WindowTakenOver', 'NotificationDue']) expect(types).toContain(t);
    for (const e of events) expect(eventSchema.safeParse(JSON.parse(JSON.stringify(e))).success, e.type).toBe(true);

    const logs: LogRecord[] = [];
    const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: wireConfig.id, agentId: 'kiosk-1' }, recordingLogger(logs));
    const t = topics(wireConfig.id);
    for (const e of events) link.handleMessage(t.events, Buffer.from(JSON.stringify(e)));
    expect(link.replica.seq).toBe(engine.state.seq);
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    engine.close();
  });
});
