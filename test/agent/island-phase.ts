import type { IslandPhase } from '../../src/agent/island/island-mode.js';
import type { RunningAgent } from '../../src/agent/main.js';

/** Resolves when `agent`'s island mode is in phase `want` (at once if it already is); throws when island mode is off. */
export function phaseIs(agent: RunningAgent, want: IslandPhase): Promise<void> {
  const island = agent.island;
  if (!island) throw new Error('island mode is off');
  if (island.phase === want) return Promise.resolve();
  return new Promise((resolve) => {
    const off = island.onPhase((p) => {
      if (p !== want) return;
      off();
      resolve();
    });
  });
}
