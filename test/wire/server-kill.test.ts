import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentLink } from '../../src/agent/link.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { startAgent } from './rig.js';
import { cliAuth, killHard, startServerProcess, writeConfig } from './server-process.js';

/** The server as a real child process (`hallq server`), killed with SIGKILL in the middle of issuing. */
describe('the server killed with SIGKILL mid-scenario', () => {
  let broker: Broker;
  let server: ChildProcess | undefined;
  let agents: AgentLink[] = [];
  let config: string;
  let httpPort: number;
  beforeAll(async () => {
    broker = await startMosquitto();
    httpPort = await freePort();
    config = writeConfig(mkdtempSync(join(tmpdir(), 'hallq-kill-')), broker.url, httpPort);
    server = await startServerProcess(config);
    agents = [await startAgent(broker.url, 'kiosk-1'), await startAgent(broker.url, 'kiosk-2')];
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    if (server && server.exitCode === null) await killHard(server);
    await broker?.stop();
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
    await killHard(server!);
    server = await startServerProcess(config);
    await issuing;

    const state = (await (await fetch(`http://127.0.0.1:${httpPort}/api/state`, { headers: cliAuth(config) })).json()) as { seq: number; tickets: Record<string, { number: string }> };
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
