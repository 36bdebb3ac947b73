import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { IslandMode } from '../../src/agent/island/island-mode.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import { islandBatchSchema, type IslandAnswer } from '../../src/bus/island-messages.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import { emptyState, epochOf, execute, freeLeased } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * issue 13, on the island path: the hall's acting agent (the real IslandMode core on its replica)
 * records on a forwarded kiosk ticket the agent whose forwarding topic it came on, and takes its
 * PrintConfirmed / PrintFailed only from that agent. What it keeps and publishes (the outbox entry,
 * replayed to the server at the return) stays in the wire form: no kioskAgent, the topic says who.
 */
const R = 'hallq/v1/h';
const NOW = epochOf('2026-11-23', 600, 480);
const line = (window: number) => ({ path: '/dev/x', keypads: [{ window, address: window }] });
const agents = ['agent-a', 'agent-b', 'agent-c'].map((id, i) => agentEntrySchema.parse({ id, kiosk: {}, devices: { rs485: [line(i + 1)] } }));

describe('island: a print is settled only by the agent whose kiosk issued the ticket', () => {
  it('the acting agent refuses another agent\'s word on a forwarded ticket, takes the issuer\'s; entries stay in the wire form', async () => {
    const state = emptyState();
    execute(state, { id: 'cfg', type: 'Configure', config: allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 3) }, NOW);
    execute(state, { id: 'lease-b', type: 'LeaseNumbers', agentId: 'agent-b', serviceId: 'A', count: 5 }, NOW);
    const leased = freeLeased(state, 'agent-b', 'A')[0];

    const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'agent-a' }, silentLogger);
    link.connected = true;
    link.rewind(state);
    const answers = new Map<string, Extract<IslandAnswer, { type: 'answer' }>>();
    const batches: unknown[] = [];
    vi.spyOn(link, 'publishIsland').mockImplementation((topic: string, body: unknown) => {
      if (topic.startsWith(`${R}/island/ans/agent-a/`)) answers.set((body as { commandId: string }).commandId, body as Extract<IslandAnswer, { type: 'answer' }>);
      if (topic === `${R}/island/ev/agent-a`) batches.push(body);
      return true;
    });
    const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-island-print-')), 'island.db'));
    const island = new IslandMode(link, store, { agentId: 'agent-a', afterSeconds: 1, clock: () => NOW, logger: silentLogger, hallAgents: agents });
    const hall = island.hall;
    if (!hall) throw new Error('no hall island');
    hall.start();
    const leading = new Promise<void>((resolve) => hall.onRole((r) => r === 'leader' && resolve()));
    hall.enter();
    await leading;
    const forward = (from: string, command: Record<string, unknown>, leasedNumber?: number) =>
      link.handleMessage(`${R}/island/fwd/${from}`, Buffer.from(JSON.stringify({ type: 'command', to: 'agent-a', command, ...(leasedNumber === undefined ? {} : { leasedNumber }) })));
    try {
      forward('agent-b', { id: 'b-issue', type: 'IssueTicket', serviceId: 'A', delivery: 'print' }, leased);
      const issued = answers.get('b-issue')?.outcome;
      const t = issued?.ok ? String(issued.ticketId) : '';
      expect(link.replica.state.tickets[t]).toMatchObject({ status: 'issued', kioskAgent: 'agent-b' });

      forward('agent-c', { id: 'c-confirm', type: 'PrintConfirmed', ticketId: t });
      forward('agent-c', { id: 'c-fail', type: 'PrintFailed', ticketId: t, reason: 'jam' });
      for (const id of ['c-confirm', 'c-fail']) expect(answers.get(id)?.outcome).toMatchObject({ ok: false, code: 'print-other-kiosk', detail: `${t} was issued by agent agent-b` });
      expect(link.replica.state.tickets[t]?.status).toBe('issued');

      forward('agent-b', { id: 'b-confirm', type: 'PrintConfirmed', ticketId: t });
      expect(answers.get('b-confirm')?.outcome).toEqual({ ok: true, ticketId: t });
      expect(link.replica.state.tickets[t]?.status).toBe('waiting');

      // The outbox and the published batches: the issue and the confirmation, for agent-b, without kioskAgent.
      const kept = store.pending().map((e) => ({ type: e.command.type, for: e.for, command: e.command }));
      expect(kept.map((e) => [e.type, e.for])).toEqual([
        ['IssueTicket', 'agent-b'],
        ['PrintConfirmed', 'agent-b'],
      ]);
      for (const e of kept) expect(e.command).not.toHaveProperty('kioskAgent');
      expect(batches).toHaveLength(2);
      for (const b of batches) expect(islandBatchSchema.safeParse(b).success).toBe(true);
    } finally {
      hall.stop();
      store.close();
    }
  });
});
