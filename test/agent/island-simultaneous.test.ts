import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { electActing, type ElectionStatus } from '../../src/agent/island/election.js';
import { HallIsland, type Decided } from '../../src/agent/island/hall-island.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import type { IslandRole } from '../../src/bus/island-messages.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import type { Command } from '../../src/core/index.js';

/**
 * Two agents that act for the hall at once (README "Island mode"): each elected itself before it saw
 * the other. The election settles on one (a property over every order of the status messages), and the
 * loser drops its own decisions, goes back to the island's start and sends its devices' actions to the
 * winner, so both copies become the winner's.
 */
describe('simultaneous acting agents', () => {
  it('every order of status messages ends with one acting agent that every agent follows (property)', () => {
    const ids = ['agent-a', 'agent-b', 'agent-c', 'agent-d'];
    type Msg = { kind: 'status'; to: string; from: string; status: ElectionStatus } | { kind: 'settle'; agent: string };
    fc.assert(
      fc.property(
        fc.subarray(ids, { minLength: 2 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
        (hall, leadsAtOnce, picks) => {
          // Some agents already claimed to act (each saw nobody in time); the others are still settling.
          const agents = new Map(hall.map((id, i) => [id, { role: (leadsAtOnce[i] ? 'leader' : 'electing') as IslandRole, acting: leadsAtOnce[i] ? id : undefined, seen: new Map<string, ElectionStatus>() }]));
          const queue: Msg[] = [];
          const announce = (from: string) => {
            const a = agents.get(from);
            for (const to of hall) if (to !== from && a) queue.push({ kind: 'status', to, from, status: { online: true, island: 'island', role: a.role } });
          };
          for (const id of hall) {
            announce(id);
            if (agents.get(id)?.role === 'electing') queue.push({ kind: 'settle', agent: id });
          }
          const elect = (id: string) => {
            const a = agents.get(id);
            if (!a) return;
            const winner = electActing({ id, eligible: true, role: a.role }, a.seen, hall) ?? id;
            const role: IslandRole = winner === id ? 'leader' : 'follower';
            if (role === a.role && winner === a.acting) return;
            a.role = role;
            a.acting = winner;
            announce(id);
          };
          // Deliver in an order the picks choose (HallIsland: a status re-elects a leader or follower; a settle elects).
          for (let i = 0; queue.length > 0; i++) {
            // Any pair of agents next, but one publisher's messages reach a subscriber in order (MQTT, QoS 1).
            const picked = queue[(picks[i % picks.length] ?? 0) % queue.length];
            const first = queue.findIndex((x) => x.kind === 'status' && picked?.kind === 'status' ? x.from === picked.from && x.to === picked.to : x === picked);
            const [m] = queue.splice(first, 1);
            if (!m) break;
            if (m.kind === 'settle') {
              elect(m.agent);
              continue;
            }
            const a = agents.get(m.to);
            a?.seen.set(m.from, m.status);
            if (a?.role === 'leader' || a?.role === 'follower') elect(m.to);
          }
          const actings = new Set([...agents.values()].map((a) => a.acting));
          const leaders = [...agents.values()].filter((a) => a.role === 'leader');
          return actings.size === 1 && leaders.length === 1 && [...actings][0] === [...agents.entries()].find(([, a]) => a.role === 'leader')?.[0];
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the loser drops what it decided, goes back to the island start and forwards its own actions to the winner', async () => {
    const line = (window: number) => ({ path: '/dev/x', keypads: [{ window, address: window }] });
    const agents = [agentEntrySchema.parse({ id: 'agent-a', kiosk: {}, devices: { rs485: [line(1)] } }), agentEntrySchema.parse({ id: 'agent-b', kiosk: {}, devices: { rs485: [line(2)] } })];
    const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'agent-b' }, silentLogger);
    link.connected = true;
    const sent: { topic: string; body: unknown }[] = [];
    link.publishIsland = (topic, body) => (sent.push({ topic, body }), true);
    link.setIslandRole = () => undefined;
    let redrawn = 0;
    link.onResync(() => (redrawn += 1));
    const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-simultaneous-')), 'island.db'));
    const day = '2026-11-23';
    // agent-b's own core on its replica: each decision moves the replica one seq and keeps an outbox entry.
    const decide = (cmd: Command, forAgent: string | undefined, leasedNumber: number | undefined): Decided => {
      link.replica.state.seq += 1;
      const entry = { command: cmd as never, at: 1, for: forAgent ?? 'agent-b', ...(leasedNumber === undefined ? {} : { leasedNumber }) };
      store.append(day, { command: cmd, at: 1, ...(leasedNumber === undefined ? {} : { leasedNumber }) });
      return { outcome: { ok: true }, seq: link.replica.seq, events: [{ type: 'CommandNoop', seq: link.replica.seq } as never], entry };
    };
    let next = 7;
    const hall = new HallIsland(link, store, { decide, ownNumber: () => next++, day: () => day }, { agentId: 'agent-b', agents, settleMs: 10, retryMs: 50, answerMs: 200, logger: silentLogger });
    hall.start();
    const put = (topic: string, body: unknown) => link.handleMessage(`hallq/v1/h/${topic}`, Buffer.from(JSON.stringify(body)));
    link.replica.state.seq = 40;
    const leading = new Promise<void>((resolve) => hall.onRole((r) => r === 'leader' && resolve()));
    hall.enter();
    await leading;
    // agent-b acts: its kiosk issues (number 7 of its lease), its keypad calls.
    await hall.run({ id: 'b-issue', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' } as Command);
    await hall.run({ id: 'b-call', type: 'CallNext', window: 2, source: 'caller-keypad' } as Command);
    expect(link.replica.seq).toBe(42);
    expect(store.pending().map((e) => e.command.id)).toEqual(['b-issue', 'b-call']);
    sent.length = 0;
    // agent-a acted in the same instant: the lower id keeps acting.
    put('agent/agent-a/status', { online: true, island: 'island', role: 'leader', acting: 'agent-a' });
    expect([hall.role, hall.acting]).toEqual(['follower', 'agent-a']);
    // Its copy is the island's start again, its own decisions gone from its outbox (the winner's come back mirrored) …
    expect(link.replica.seq).toBe(40);
    expect(redrawn).toBe(1);
    expect(store.pending()).toEqual([]);
    // … it asks the winner for the hall from the start, and sends its devices' actions to it, in order, same ids and number.
    expect(sent.map((m) => [m.topic, m.body])).toEqual([
      ['hallq/v1/h/island/fwd/agent-b', { type: 'sync', to: 'agent-a', after: 40 }],
      ['hallq/v1/h/island/fwd/agent-b', { type: 'command', to: 'agent-a', command: expect.objectContaining({ id: 'b-issue', type: 'IssueTicket' }), leasedNumber: 7 }],
      ['hallq/v1/h/island/fwd/agent-b', { type: 'command', to: 'agent-a', command: expect.objectContaining({ id: 'b-call', type: 'CallNext' }) }],
    ]);
    // Its number stays used: never offered again, whatever the winner decides.
    expect(store.used(day, 'A', 7)).toBe(true);
    hall.stop();
    store.close();
  });
});
