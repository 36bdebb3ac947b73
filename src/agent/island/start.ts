import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../../drivers/common/logger.js';
import type { AgentEntry, IslandConfig } from '../../config/schema.js';
import type { AgentLink } from '../link.js';
import { IslandMode } from './island-mode.js';
import { IslandStore } from './store.js';

/**
 * Island mode on this agent when `island` is configured: its store opened and the watch started. With
 * `hallAgents` (the hall config's agents), the agents elect one to act for the hall while the broker is up.
 */
export function startIsland(link: AgentLink, island: IslandConfig, agentId: string, logger: Logger, clock?: () => number, hallAgents?: readonly AgentEntry[]): { mode: IslandMode; stop(): void } {
  mkdirSync(dirname(island.outbox), { recursive: true });
  const store = IslandStore.open(island.outbox);
  const mode = new IslandMode(link, store, { agentId, afterSeconds: island.afterSeconds, logger, ...(clock ? { clock } : {}), ...(hallAgents ? { hallAgents } : {}) });
  mode.start();
  return {
    mode,
    stop: () => {
      mode.stop();
      store.close();
    },
  };
}
