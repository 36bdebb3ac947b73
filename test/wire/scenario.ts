import { expect } from 'vitest';
import mqtt from 'mqtt';
import type { AgentLink } from '../../src/agent/link.js';
import type { HallEvent } from '../../src/core/index.js';
import { topics } from '../../src/bus/topics.js';
import { postCommand, wireConfig, type ServerRig } from './rig.js';

/**
 * The whole-hall scenario over a broker: two agents and the HTTP API issue 200 tickets, 10 windows
 * call and complete them; replays and redeliveries change nothing; every replica ends equal to the server.
 */
export async function hallScenario(brokerUrl: string, server: () => ServerRig, agents: AgentLink[], mid?: () => Promise<void>): Promise<void> {
  const [a1, a2] = agents as [AgentLink, AgentLink];
  // Each window's commands come from the agent with its caller keypad (rig.ts: even windows on a1, odd on a2).
  for (let w = 1; w <= 10; w++) {
    const o = await (w % 2 === 0 ? a1 : a2).send({ type: 'OpenWindow', window: w, staffId: `s${w}` });
    expect(o.ok).toBe(true);
  }
  const issued: string[] = [];
  const issue = async (i: number): Promise<void> => {
    const command = { id: `issue-${i}`, type: 'IssueTicket' as const, serviceId: i % 3 === 0 ? 'B' : 'A', delivery: 'none' as const };
    let ticketId: string | undefined;
    if (i % 3 === 2) {
      const r = await postCommand(server().baseUrl, command);
      expect(r.status).toBe(200);
      ticketId = r.body.outcome?.ticketId;
    } else {
      const o = await (i % 3 === 0 ? a1 : a2).send(command);
      ticketId = o.ok ? o.ticketId : undefined;
    }
    expect(ticketId).toBeDefined();
    issued[i] = ticketId ?? '';
  };
  for (let i = 0; i < 100; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => issue(i + k)));
  if (mid) await mid();
  for (let i = 100; i < 200; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => issue(i + k)));

  // Replayed requests: the same command ids again, through the other fronts, give the first answers.
  const seqBefore = server().engine.state.seq;
  for (const i of [0, 1, 2, 50, 199]) {
    const again = await a2.send({ id: `issue-${i}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    expect(again.ok && again.ticketId).toBe(issued[i]);
    const viaHttp = await postCommand(server().baseUrl, { id: `issue-${i}`, type: 'IssueTicket', serviceId: 'B', delivery: 'none' });
    expect(viaHttp.body.outcome?.ticketId).toBe(issued[i]);
  }
  expect(server().engine.state.seq).toBe(seqBefore);

  // A QoS 1 redelivery: an event published again reaches the agents and changes nothing.
  const raw = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
  const old = server().engine.eventsAfter(5, 1)[0] as HallEvent;
  await raw.publishAsync(topics(wireConfig.id).events, JSON.stringify(old), { qos: 1 });
  await raw.endAsync();

  // Ten windows call and complete until the queue is empty (call-next completes the previous citizen).
  await Promise.all(
    Array.from({ length: 10 }, async (_, k) => {
      const w = k + 1;
      const link = w % 2 === 0 ? a1 : a2;
      for (;;) {
        const o = await link.send({ type: 'CallNext', window: w });
        expect(o.ok).toBe(true);
        if (!o.ok || !o.ticketId) break;
      }
    }),
  );

  const state = server().engine.state;
  const tickets = Object.values(state.tickets);
  expect(tickets).toHaveLength(200);
  expect(tickets.every((t) => t.status === 'done')).toBe(true);
  const numbers = server().engine.eventsAfter(0, 100_000).flatMap((e) => (e.type === 'TicketIssued' ? [e.ticket.id] : []));
  expect(numbers).toHaveLength(200);
  expect(new Set(numbers).size).toBe(200);
  expect(new Set(issued)).toEqual(new Set(numbers));
  for (const a of agents) {
    await a.reach(state.seq);
    expect(a.replica.state).toEqual(JSON.parse(JSON.stringify(state)));
  }
}
