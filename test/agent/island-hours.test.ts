import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { IslandMode } from '../../src/agent/island/island-mode.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import { emptyState, epochOf, execute, type HallConfig } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * The island's own call of the hours check (the eighteenth session's tryout: a lease taken at 15:52 let
 * a 09:00–12:00 service issue at 15:54). A lone agent's IslandMode on a real replica, its lease taken
 * within the hours; the clock is the island's.
 */
const morningOnly = (): HallConfig => {
  const c = allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 2);
  return { ...c, services: c.services.map((s) => (s.id === 'A' ? { ...s, hours: [{ from: '09:00', to: '12:00' }] } : s)) };
};

function island(at: number) {
  const state = emptyState();
  const leasedAt = epochOf('2026-11-23', 9 * 60, 480);
  execute(state, { id: 'cfg', type: 'Configure', config: morningOnly() }, leasedAt);
  for (const serviceId of ['A', 'B']) execute(state, { id: `lease-${serviceId}`, type: 'LeaseNumbers', agentId: 'agent-a', serviceId, count: 5 }, leasedAt);
  const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'agent-a' }, silentLogger);
  link.connected = true;
  link.rewind(state);
  const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-island-hours-')), 'island.db'));
  return { link, store, mode: new IslandMode(link, store, { agentId: 'agent-a', afterSeconds: 1, clock: () => at, logger: silentLogger }) };
}

describe("an island's issue outside the service's hours", () => {
  it('is refused, with nothing kept for the return; within the hours the leased number is issued', async () => {
    const late = island(epochOf('2026-11-23', 15 * 60 + 54, 480));
    try {
      await expect(late.mode.run({ id: 'late', type: 'IssueTicket', serviceId: 'A', delivery: 'none' })).resolves.toMatchObject({ outcome: { ok: false, code: 'outside-hours' } });
      expect(late.store.pending()).toEqual([]);
      expect(Object.keys(late.link.replica.state.tickets)).toEqual([]);
      // B, open all day, still issues on the same island at the same time: only A's hours refused.
      await expect(late.mode.run({ id: 'other', type: 'IssueTicket', serviceId: 'B', delivery: 'none' })).resolves.toMatchObject({ outcome: { ok: true } });
      expect(late.store.pending().map((e) => e.command.type)).toEqual(['IssueTicket']);
    } finally {
      late.store.close();
    }
    const inHours = island(epochOf('2026-11-23', 10 * 60, 480));
    try {
      await expect(inHours.mode.run({ id: 'early', type: 'IssueTicket', serviceId: 'A', delivery: 'none' })).resolves.toMatchObject({ outcome: { ok: true } });
      expect(inHours.store.pending().map((e) => e.command.type)).toEqual(['IssueTicket']);
    } finally {
      inHours.store.close();
    }
  });
});
