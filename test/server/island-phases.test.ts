import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { IslandReturn } from '../../src/server/island-return.js';

/** What admin lists of each agent in island mode (GET /api/island `agents`), from its retained status. */
describe("the server's view of the agents' island phases", () => {
  const ret = new IslandReturn(null as never, null as never, () => 1_000, silentLogger);
  const put = (agent: string, body: unknown) => ret.agentStatus(`hallq/v1/h/agent/${agent}/status`, Buffer.from(JSON.stringify(body)));

  it('keeps the role and the acting agent an islanded agent reports, and only well-formed ones', () => {
    put('agent-a', { online: true, island: 'island', role: 'leader', acting: 'agent-a' });
    put('agent-b', { online: true, island: 'island', role: 'follower', acting: 'agent-a' });
    put('agent-c', { online: true, island: 'island', role: 'king', acting: 'Agent A; drop table' });
    put('agent-d', { online: true, role: 'leader', acting: 'agent-a' });
    put('agent-e', { online: false, island: 'island', role: 'leader' });
    expect(Object.fromEntries(ret.phases)).toEqual({
      'agent-a': { phase: 'island', at: 1_000, role: 'leader', acting: 'agent-a' },
      'agent-b': { phase: 'island', at: 1_000, role: 'follower', acting: 'agent-a' },
      'agent-c': { phase: 'island', at: 1_000 },
      // Outside an island (online) or dead (its last will), a role means nothing.
      'agent-d': { phase: 'online', at: 1_000 },
      'agent-e': { phase: 'offline', at: 1_000 },
    });
  });
});
