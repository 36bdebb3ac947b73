import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentLink } from '../../src/agent/link.js';
import { ProcessHall } from '../faults/daemon-process.js';
import { startAgent } from './rig.js';

/** The server as a real child process (`hallq server`), killed with SIGKILL in the middle of issuing. */
describe('the server killed with SIGKILL mid-scenario', () => {
  let hall: ProcessHall;
  let agents: AgentLink[] = [];
  beforeAll(async () => {
    hall = await ProcessHall.open('kill');
    await hall.startServer();
    agents = [await startAgent(hall.broker.url, 'kiosk-1'), await startAgent(hall.broker.url, 'kiosk-2')];
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await hall?.close();
  });

  it('loses and renumbers no acknowledged ticket; agents resume on their own', async () => {
    const acked = new Map<string, string>(); // command id → ticket id
    let killedAt = -1;
    let thirdDone: () => void = () => {};
    const third = new Promise<void>((resolve) => (thirdDone = resolve));
    const issuing = (async () => {
      const all: Promise<void>[] = [];
      for (let i = 0; i < 80; i++) {
        const id = `kill-issue-${i}`;
        const agent = agents[i % 2]!;
        all.push(
          agent.send({ id, type: 'IssueTicket', serviceId: 'A', delivery: 'none' }).then((o) => {
            expect(o.ok).toBe(true);
            if (o.ok && o.ticketId) acked.set(id, o.ticketId);
            if (acked.size === 25) thirdDone();
          }),
        );
        if (i % 8 === 7) await Promise.all(all.slice(-8));
      }
      await Promise.all(all);
    })();
    // Kill once about a third has been acknowledged, while requests are in flight.
    await third;
    const before = new Map(acked);
    killedAt = before.size;
    await hall.restartServer();
    await issuing;

    const state = await hall.state();
    // Every ticket acknowledged before the kill is still there with its number.
    for (const [, ticketId] of before) expect(state.tickets[ticketId]).toBeDefined();
    // Each command id made exactly one ticket: none lost, none twice.
    expect(acked.size).toBe(80);
    expect(new Set(acked.values()).size).toBe(80);
    expect(Object.keys(state.tickets)).toHaveLength(80);
    expect(killedAt).toBeGreaterThanOrEqual(25);
    for (const a of agents) {
      await a.reach(state.seq);
      expect(Object.keys(a.replica.state.tickets).sort()).toEqual(Object.keys(state.tickets).sort());
      expect(a.replica.seq).toBe(state.seq);
    }
  });
});
