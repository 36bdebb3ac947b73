import type { IslandRole } from '../../bus/island-messages.js';

/** What the election reads of one agent: its retained status (its last will says online:false). */
export interface ElectionStatus {
  online: boolean;
  island?: 'online' | 'island' | 'returning';
  role?: IslandRole;
}

/**
 * The hall's acting agent in island mode with the broker up (README "Island mode", the election rule),
 * the same on every agent because every agent reads the same retained statuses:
 * 1. the candidates are the hall's agents (hall config) that are in island mode, online by their
 *    retained status (a dead agent's last will says offline) and not running alone (`role: alone`:
 *    it decided without the others during the episode, so its replica went its own way); this agent
 *    counts itself by what it knows of itself (`me`), not by its status as the broker last carried it;
 * 2. a candidate that already acts for the hall (`role: leader`) keeps acting while it is alive (the
 *    lowest id of them if two ever do), so an agent that goes island later never takes over;
 * 3. otherwise the lowest agent id (string order) among the candidates.
 * Undefined when there is no candidate.
 */
export function electActing(
  me: { id: string; eligible: boolean; role: IslandRole | undefined },
  statuses: ReadonlyMap<string, ElectionStatus>,
  hallAgents: readonly string[],
): string | undefined {
  const candidate = (id: string): ElectionStatus | undefined => {
    if (id === me.id) return me.eligible ? { online: true, island: 'island', ...(me.role ? { role: me.role } : {}) } : undefined;
    const s = statuses.get(id);
    return s?.online === true && s.island === 'island' && s.role !== 'alone' ? s : undefined;
  };
  const ids = [...new Set(hallAgents)].filter((id) => candidate(id) !== undefined).sort();
  return ids.find((id) => candidate(id)?.role === 'leader') ?? ids[0];
}
