import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../../drivers/common/logger.js';
import type { AgentEntry, IslandConfig } from '../../config/schema.js';
import type { AgentLink } from '../link.js';
import { contactKey, IslandContacts } from './contacts.js';
import { IslandMode } from './island-mode.js';
import { IslandStore } from './store.js';

/**
 * Island mode on this agent when `island` is configured: its store opened (its outbox's size readable
 * while the agent waits for the server at its start), the watch started by `start()` once the agent
 * caught up with the server or joined the island another agent runs (IslandMode.joinRunning). With
 * `hallAgents` (the hall config's agents), the agents elect one to act for the hall while the broker is up.
 */
export function openIsland(
  link: AgentLink,
  island: IslandConfig,
  agentId: string,
  logger: Logger,
  clock?: () => number,
  hallAgents?: readonly AgentEntry[],
): { mode: IslandMode; contacts: IslandContacts; pending(): number; start(): void; stop(): void } {
  mkdirSync(dirname(island.outbox), { recursive: true });
  const store = IslandStore.open(island.outbox);
  let contacts: IslandContacts;
  try {
    contacts = new IslandContacts(store, contactKey(island.outbox, logger), link, logger);
  } catch (e) {
    store.close();
    throw e;
  }
  const mode = new IslandMode(link, store, { agentId, afterSeconds: island.afterSeconds, logger, contacts, ...(clock ? { clock } : {}), ...(hallAgents ? { hallAgents } : {}) });
  return {
    mode,
    contacts,
    pending: () => store.pending().length,
    start: () => {
      mode.start();
      contacts.start();
    },
    stop: () => {
      // Also before start(): island mode listens from the agent's start (IslandMode.listen).
      mode.stop();
      contacts.stop();
      store.close();
    },
  };
}
