import { closest } from '../../drivers/common/did-you-mean.js';
import type { ConfigIssue } from './validate.js';
import type { HallqConfig } from './schema.js';

// Apart from the agent checks (agents.ts, which build zod schemas): the daemon asks this of its config
// without importing them statically (issue 12).

/** Why this config names no agent for this box (`hallq agent`), or undefined when it does. */
export function thisAgentIssue(c: HallqConfig): ConfigIssue | undefined {
  const id = c.agent?.id;
  if (id === undefined && c.agents.length === 1) return undefined;
  if (id === undefined && c.agents.length === 0) return { path: 'agents', found: 'no agent', expected: "this mini-PC's entry (id, devices, kiosk)", foundZh: '没有代理', expectedZh: '本机的条目（id、devices、kiosk）' };
  if (id === undefined) return { path: 'agent.id', found: 'nothing', expected: `which of the agents this box is: one of ${c.agents.map((a) => a.id).join(', ')}`, foundZh: '空缺', expectedZh: `本机是 agents 中的哪一个：${c.agents.map((a) => a.id).join('、')} 之一` };
  return c.agents.some((a) => a.id === id) ? undefined : unknownAgentIssue(id, c.agents.map((a) => a.id));
}

/** `agent.id` naming no entry of `agents`: the ids there are, and the one it is a typo of. */
export function unknownAgentIssue(id: string, ids: readonly string[]): ConfigIssue {
  const found = JSON.stringify(id);
  if (ids.length === 0) return { path: 'agent.id', found, expected: 'the id of an agent in agents, but agents is empty', foundZh: found, expectedZh: 'agents 中某个代理的编号，但 agents 是空的' };
  const guess = closest(id, ids);
  return {
    path: 'agent.id',
    found,
    expected: `the id of an agent in agents: ${ids.join(', ')}${guess === undefined ? '' : ` (did you mean ${guess}?)`}`,
    foundZh: found,
    expectedZh: `agents 中某个代理的编号：${ids.join('、')}${guess === undefined ? '' : `（是不是 "${guess}"？）`}`,
  };
}
