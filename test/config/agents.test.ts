import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { thisAgent } from '../../src/config/agents.js';
import { validateConfig } from '../../src/config/load.js';

const example = () => parse(readFileSync('config/hall.example.yaml', 'utf8')) as Record<string, unknown> & { agent?: Record<string, unknown> & { mqtt: Record<string, unknown> }; agents: { id: string; devices: { rs485: { keypads: { window: number }[] }[] } }[] };

describe('agents in the hall config', () => {
  it('picks this box by agent.id, or the only agent when agent.id is absent', () => {
    const r = validateConfig(example());
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(thisAgent(r.config)).toMatchObject({ id: 'kiosk-1', kiosk: { port: 8081 }, mqtt: { username: 'kiosk-1' } });
    const one = example();
    one.agents = [one.agents[1]!];
    delete one.agent;
    const r1 = validateConfig(one);
    if (!r1.ok) throw new Error(JSON.stringify(r1.issues));
    expect(thisAgent(r1.config).id).toBe('counter-1');
    const two = example();
    delete two.agent;
    const r2 = validateConfig(two);
    if (!r2.ok) throw new Error(JSON.stringify(r2.issues));
    expect(() => thisAgent(r2.config)).toThrow('agent.id: found nothing, expected which of the agents this box is: one of kiosk-1, counter-1');
  });

  it('names the key path of every agent problem', () => {
    const doc = example();
    doc.agent!.id = 'kiosk-7';
    doc.agent!.mqtt.username = 'counter-1';
    doc.agents.push({ ...doc.agents[1]!, id: 'counter-2' });
    doc.agents[0]!.id = 'hallq-server';
    doc.agents[1]!.devices.rs485[0]!.keypads[0]!.window = 99;
    const r = validateConfig(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const at = (path: string) => r.issues.filter((i) => i.path === path).map((i) => i.expected);
    expect(at('agent.id')).toEqual([expect.stringContaining('the id of an agent in agents: hallq-server, counter-1, counter-2')]);
    expect(at('agents[0].id')).toEqual([expect.stringContaining("the server's broker user")]);
    expect(at('agents[1].devices.rs485[0].keypads[0].window')).toEqual(['a window id of windows']);
    // counter-2 repeats counter-1's keypads: each window's caller and rating keypad belongs to one agent.
    expect(at('agents[2].devices.rs485[0].keypads[1]')).toEqual([expect.stringContaining('one caller keypad per window (already on agent counter-1)'), expect.stringContaining('one rating keypad per window')]);
    // agent.id names no agent: the user name is not compared with it (it may be the typo, the user name right).
    expect(at('agent.mqtt.username')).toEqual([]);
    doc.agent!.id = 'counter-1';
    doc.agent!.mqtt.username = 'kiosk-1';
    const named = validateConfig(doc);
    expect(named.ok ? [] : named.issues.filter((i) => i.path === 'agent.mqtt.username').map((i) => i.expected)).toEqual([expect.stringContaining('the agent id (counter-1)')]);
  });
});
