import { closest } from '../../drivers/common/did-you-mean.js';
import { HallqError } from '../../drivers/common/error.js';
import { duplicateIssue, repeats, type IdKind } from './id-cascade.js';
import type { ConfigIssue } from './validate.js';
import { z } from 'zod';
import { agentEntrySchema, agentSchema, type AgentEntry, type HallqConfig } from './schema.js';
import { thisAgentIssue, unknownAgentIssue } from './this-agent.js';
import { docField } from './doc-field.js';

const agentEntriesSchema = z.array(agentEntrySchema).default([]);

/** The broker user of the hall server when server.mqtt.username is not set. */
export const DEFAULT_SERVER_USER = 'hallq-server';

/** What the checks of agents read: the agents, this box's settings and the server's broker user. */
export interface AgentParts {
  agents: HallqConfig['agents'];
  agent?: HallqConfig['agent'];
  server: { mqtt: { username?: string | undefined } };
}

export function serverUserOf(c: AgentParts): string {
  return c.server.mqtt.username ?? DEFAULT_SERVER_USER;
}

/** This mini-PC's agent: its entry in `agents` (hardware) merged with `agent` (its own settings). */
export type ThisAgent = AgentEntry & Omit<NonNullable<HallqConfig['agent']>, 'id'>;

/**
 * The agent this box runs: `agent.id` picks the entry of `agents`; without `agent.id`, the only
 * entry. Throws CONFIG_INVALID naming the key when there is none to pick.
 */
export function thisAgent(c: HallqConfig): ThisAgent {
  const issue = thisAgentIssue(c);
  const id = c.agent?.id ?? c.agents[0]?.id;
  const entry = c.agents.find((a) => a.id === id);
  if (issue || !entry) {
    const i = issue ?? { path: 'agent.id', found: 'nothing', expected: 'an agent', foundZh: '空缺', expectedZh: '一个代理' };
    throw new HallqError('CONFIG_INVALID', `${i.path}: found ${i.found}, expected ${i.expected}`, { issues: [i], messageZh: `${i.path}：收到${i.foundZh}，应为${i.expectedZh}` });
  }
  const { id: _id, ...settings } = c.agent ?? agentSchema.parse({});
  return { ...entry, ...settings };
}

/**
 * Cross-key checks of `agents` and `agent`: unique ids, each window's caller and rating keypad on one
 * agent only (the one the server trusts for it), `agent.id` naming an entry, and broker user names
 * bound to agent ids. (Keypads and screens for windows that exist: src/config/cross-check.ts.) An
 * `agent.id` that names no entry and is no typo of one, beside an agent id used twice, is said in the
 * duplicate's line (the entry renamed onto the other's id was most likely this box's).
 * Run on a config the schema refused too, from its `agents`, `agent` and `server.mqtt.username` when
 * those parse (agentPartsOf): a bad port elsewhere hides none of these.
 */
export function checkAgents(c: AgentParts): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ids = c.agents.map((a) => a.id);
  const known = [...new Set(ids)];
  const twice = repeats(ids);
  const unknownOwn = c.agent?.id !== undefined && !known.includes(c.agent.id) ? c.agent.id : undefined;
  const orphan = unknownOwn !== undefined && twice.length > 0 && closest(unknownOwn, known) === undefined;
  const owner = { caller: new Map<number, string>(), rating: new Map<number, string>() };
  const server = serverUserOf(c);
  c.agents.forEach((a, i) => {
    const again = twice.find((r) => r.at === i);
    if (again) issues.push(duplicateIssue(AGENT, again, orphan && unknownOwn !== undefined ? [{ path: 'agent.id', id: unknownOwn }] : []));
    if (a.id === server) issues.push({ path: `agents[${i}].id`, found: JSON.stringify(a.id), expected: `an id other than the server's broker user (${server})`, foundZh: JSON.stringify(a.id), expectedZh: `与服务器的消息代理用户名（${server}）不同的编号` });
    a.devices.rs485.forEach((line, j) => {
      line.keypads.forEach((kp, k) => {
        const at = `agents[${i}].devices.rs485[${j}].keypads[${k}]`;
        for (const role of ['caller', 'rating'] as const) {
          if (kp.role !== role && kp.role !== 'both') continue;
          const before = owner[role].get(kp.window);
          if (before !== undefined) {
            issues.push({ path: at, found: `window ${kp.window}'s ${role} keypad again`, expected: `one ${role} keypad per window (already on agent ${before})`, foundZh: `${kp.window} 号窗口的${role === 'caller' ? '呼叫器' : '评价器'}又出现一次`, expectedZh: `每个窗口只有一个${role === 'caller' ? '呼叫器' : '评价器'}（已在代理 ${before} 上）` });
          }
          owner[role].set(kp.window, a.id);
        }
      });
    });
  });
  if (unknownOwn !== undefined && !orphan) issues.push(unknownAgentIssue(unknownOwn, known));
  const user = c.agent?.mqtt.username;
  const own = c.agent?.id ?? (c.agents.length === 1 ? c.agents[0]?.id : undefined);
  // An agent.id naming no agent is said above; the user name is not compared with an id that may be the typo.
  if (user !== undefined && own !== undefined && unknownOwn === undefined && user !== own) {
    issues.push({ path: 'agent.mqtt.username', found: JSON.stringify(user), expected: `the agent id (${own}): the broker binds each agent's topics to its user name`, foundZh: JSON.stringify(user), expectedZh: `代理编号（${own}）：消息代理按用户名限定每个代理的主题` });
  }
  return issues;
}

/**
 * The parts checkAgents reads, from a document the schema refused elsewhere; undefined when `agents` or
 * `agent` is itself refused (the schema says what is wrong there, and ids it refused are no ids to check).
 */
export function agentPartsOf(doc: unknown): AgentParts | undefined {
  const get = docField;
  const agents = agentEntriesSchema.safeParse(get(doc, 'agents'));
  const agent = agentSchema.optional().safeParse(get(doc, 'agent'));
  const username = z.string().optional().safeParse(get(get(get(doc, 'server'), 'mqtt'), 'username'));
  if (!agents.success || !agent.success || !username.success) return undefined;
  return { agents: agents.data, ...(agent.data ? { agent: agent.data } : {}), server: { mqtt: { username: username.data } } };
}

const AGENT: IdKind = { list: 'agents', key: 'id', what: 'an agent id', whatZh: '代理编号', entry: 'agent', entryZh: '代理' };
