import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { HallIsland, type Decided } from '../../src/agent/island/hall-island.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import type { IslandAnswer } from '../../src/bus/island-messages.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import { emptyState, epochOf, execute, type Command } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * issue 13: the hall's acting agent answers the commands other agents forward to it (island/ans/…) as
 * the server answers its requests (publicOutcome): a detail that echoes the forwarded input keeps the
 * personal-data rule, the hall's own values (a ticket id that exists, the rule's words) are shown as
 * they are. No broker: messages go in through the link's own reader, what goes out is caught.
 */
const R = 'hallq/v1/h';
const NOW = epochOf('2026-11-23', 600, 480);
const line = (window: number) => ({ path: '/dev/x', keypads: [{ window, address: window }] });
const agents = [agentEntrySchema.parse({ id: 'agent-a', kiosk: {}, devices: { rs485: [line(1)] } }), agentEntrySchema.parse({ id: 'agent-b', kiosk: {}, devices: { rs485: [line(2)] } })];

describe('the acting agent answers forwarded commands as the server would', () => {
  it('an echoed ticket id holding a name and a phone is only its kind; an existing ticket is named; the rule is said in full', async () => {
    const state = emptyState();
    execute(state, { id: 'cfg', type: 'Configure', config: allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 2) }, NOW);
    execute(state, { id: 'open-2', type: 'OpenWindow', window: 2, staffId: 's2' }, NOW);
    const issued = execute(state, { id: 'issue-1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, NOW).outcome;
    const ticketId = issued.ok ? String(issued.ticketId) : '';
    const decide = (cmd: Command): Decided => {
      const x = execute(state, cmd, NOW);
      return { outcome: x.outcome, seq: state.seq, events: x.events };
    };

    const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'agent-a' }, silentLogger);
    link.connected = true;
    const answers = new Map<string, Extract<IslandAnswer, { type: 'answer' }>>();
    vi.spyOn(link, 'publishIsland').mockImplementation((topic: string, body: unknown) => {
      if (topic === `${R}/island/ans/agent-a/agent-b`) answers.set((body as { commandId: string }).commandId, body as Extract<IslandAnswer, { type: 'answer' }>);
      return true;
    });
    const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-island-answers-')), 'island.db'));
    const hall = new HallIsland(link, store, { decide, ownNumber: () => undefined, day: () => '2026-11-23' }, { agentId: 'agent-a', agents, settleMs: 10, retryMs: 50, answerMs: 200, logger: silentLogger });
    hall.start();
    const leading = new Promise<void>((resolve) => hall.onRole((r) => r === 'leader' && resolve()));
    hall.enter();
    await leading;
    const forward = (command: Record<string, unknown>) => link.handleMessage(`${R}/island/fwd/agent-b`, Buffer.from(JSON.stringify({ type: 'command', to: 'agent-a', command })));
    try {
      forward({ id: 'f-echo', type: 'CallTicket', window: 2, ticketId: '张三13812345678' });
      forward({ id: 'f-call', type: 'CallTicket', window: 2, ticketId });
      forward({ id: 'f-again', type: 'CallTicket', window: 2, ticketId });
      forward({ id: 'f-forged', type: 'CallNext', window: 1 });
      const echo = answers.get('f-echo');
      expect(JSON.stringify(echo)).not.toContain('13812345678');
      expect(JSON.stringify(echo)).not.toContain('张三');
      expect(echo).toMatchObject({ type: 'answer', outcome: { ok: false, code: 'unknown-ticket', detail: 'text of 13 characters' } });
      expect(answers.get('f-call')).toMatchObject({ outcome: { ok: true, ticketId } });
      expect(answers.get('f-again')?.outcome).toEqual({ ok: false, code: 'bad-ticket-state', message: expect.anything() as unknown, detail: `${ticketId} is called` });
      expect(answers.get('f-forged')?.outcome).toMatchObject({
        ok: false,
        code: 'invalid-command',
        detail: "agent agent-b has no caller keypad of window 1: CallNext comes only from the agent with that window's caller keypad",
      });
    } finally {
      hall.stop();
      store.close();
    }
  });
});
