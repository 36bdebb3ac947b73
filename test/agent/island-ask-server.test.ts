import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { IslandMode } from '../../src/agent/island/island-mode.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import type { Request, Response } from '../../src/bus/messages.js';
import { emptyState, epochOf, execute } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * The server's retained status is sent only when it changes (no heartbeat on it any more), so an agent
 * that went island because a request waited too long, while the server's status stayed online, is not
 * told by a periodic status that the server answers again: it asks, every 3 s, one question at a time,
 * and returns at the answer. With the server's status offline (its last will) it waits for the status.
 * Fake timers drive the island's check; the clock is the faked Date.
 */
const NOW = epochOf('2026-11-23', 600, 480);

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function rig() {
  vi.useFakeTimers({ now: NOW });
  const state = emptyState();
  execute(state, { id: 'cfg', type: 'Configure', config: allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 2) }, NOW);
  const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'agent-a' }, silentLogger);
  link.connected = true;
  link.rewind(state);
  const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-island-ask-')), 'island.db'));
  const island = new IslandMode(link, store, { agentId: 'agent-a', afterSeconds: 1, clock: () => Date.now(), logger: silentLogger });
  // A request that has waited far beyond afterSeconds: the island's reason to start.
  vi.spyOn(link, 'unansweredMs').mockReturnValue(60_000);
  const asked: { req: Request; answer: (r: Response) => void }[] = [];
  vi.spyOn(link, 'request').mockImplementation((req: Request) => new Promise<Response>((answer) => asked.push({ req, answer })));
  const returned = vi.spyOn(island, 'returnToServer').mockResolvedValue(undefined);
  return { link, store, island, asked, returned };
}

describe('island mode with the server status online: the agent asks the server whether it answers', () => {
  it('asks 3 s after entering, one question at a time, and returns at the answer', async () => {
    const { store, island, asked, returned } = rig();
    try {
      island.start();
      vi.advanceTimersByTime(200);
      expect(island.phase).toBe('island');
      vi.advanceTimersByTime(2000);
      expect(asked).toHaveLength(0);
      vi.advanceTimersByTime(1000);
      expect(asked).toHaveLength(1);
      expect(asked[0]?.req).toMatchObject({ type: 'events', after: 0, limit: 1 });
      // Unanswered (the link repeats it by itself): no second question.
      vi.advanceTimersByTime(10_000);
      expect(asked).toHaveLength(1);
      expect(returned).not.toHaveBeenCalled();
      asked[0]?.answer({ id: asked[0].req.id, status: 'ok', data: { events: [] } } as unknown as Response);
      await vi.waitFor(() => expect(returned).toHaveBeenCalledTimes(1));
    } finally {
      island.stop();
      store.close();
    }
  });

  it("asks nothing while the server's status says offline (its last will): that status's return is the server's", async () => {
    const { link, store, island, asked } = rig();
    try {
      island.start();
      link.handleMessage('hallq/v1/h/server/status', Buffer.from(JSON.stringify({ online: false })));
      vi.advanceTimersByTime(200);
      expect(island.phase).toBe('island');
      vi.advanceTimersByTime(10_000);
      expect(asked).toHaveLength(0);
    } finally {
      island.stop();
      store.close();
    }
  });
});
