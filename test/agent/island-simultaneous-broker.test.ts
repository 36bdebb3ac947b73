import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { HallIsland, type Decided, type LocalCore } from '../../src/agent/island/hall-island.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import type { Command, HallEvent } from '../../src/core/index.js';
import { startShippedMosquitto, type ShippedBroker } from '../helpers/shipped-mosquitto.js';

/**
 * Two agents that act for the hall in the same instant, over the shipped Mosquitto with the hall's
 * ACL (README "Island mode"): both settle before either status arrives, each decides one of its own
 * devices' actions, then they see each other; agent-b (the higher id) adopts agent-a's copy and sends
 * its action to agent-a, so both replicas and both outboxes end equal. The core here is a stand-in
 * that records each command as one event (the real core is island-hall.test.ts's).
 */
const HALL = 'h';
const ids = ['agent-a', 'agent-b'] as const;
const line = (window: number) => ({ path: '/dev/x', keypads: [{ window, address: window }] });
const agents = [agentEntrySchema.parse({ id: 'agent-a', kiosk: {}, devices: { rs485: [line(1)] } }), agentEntrySchema.parse({ id: 'agent-b', kiosk: {}, devices: { rs485: [line(2)] } })];

describe('two agents acting at once, over Mosquitto', () => {
  let broker: ShippedBroker;
  const links = new Map<string, AgentLink>();
  const stores = new Map<string, IslandStore>();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-simultaneous-'));
    const passwords = new Map(ids.map((u) => [u, `pw-${u}-${Math.random().toString(36).slice(2)}`] as const));
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, [...passwords].map(([u, p]) => `${u}:${hashPassword(p)}`).join('\n') + '\n', { mode: 0o600 });
    const acl = join(dir, 'acl');
    writeFileSync(acl, mosquittoAcl(hallAcl(HALL, 'hallq-server'), [...ids]), { mode: 0o600 });
    broker = await startShippedMosquitto(dir, { passwd, acl });
    for (const id of ids) {
      const link = new AgentLink({ url: broker.url, hall: HALL, agentId: id, username: id, password: passwords.get(id) ?? '', requestTimeoutMs: 500 }, silentLogger);
      await link.start();
      links.set(id, link);
      stores.set(id, IslandStore.open(join(dir, `island-${id}.db`)));
    }
  }, 60_000);

  afterAll(async () => {
    for (const l of links.values()) await l.stop();
    for (const s of stores.values()) s.close();
    await broker?.stop();
  });

  it("the higher id gives up its copy for the winner's: equal replicas and outboxes during the island", async () => {
    const halls = new Map<string, HallIsland>();
    for (const id of ids) {
      const link = links.get(id) as AgentLink;
      const store = stores.get(id) as IslandStore;
      // The stand-in core: each command is one event on the replica, kept in the outbox.
      const decide: LocalCore['decide'] = (cmd: Command, forAgent): Decided => {
        const e = { type: 'CommandNoop', seq: link.replica.seq + 1, at: Date.now(), commandId: cmd.id, outcome: { ok: true } } as unknown as HallEvent;
        link.replica.receive(e);
        store.append('2026-12-01', { command: cmd, at: e.at, ...(forAgent && forAgent !== id ? { for: forAgent } : {}) });
        return { outcome: { ok: true }, seq: link.replica.seq, events: [e], entry: { command: cmd as never, at: e.at, for: forAgent ?? id } };
      };
      link.setIslandPhase('island');
      halls.set(id, new HallIsland(link, store, { decide, ownNumber: () => undefined, day: () => '2026-12-01' }, { agentId: id, agents, settleMs: 0, retryMs: 200, answerMs: 5000, logger: silentLogger }));
    }
    const a = halls.get('agent-a') as HallIsland;
    const b = halls.get('agent-b') as HallIsland;
    // Each acts the moment it has a role: a call at its own window. Usually both elect themselves in
    // the same instant; on a loaded machine agent-a's status can reach agent-b first, and agent-b then
    // follows from the start (its call is forwarded all the same): the outcome must be the same.
    const firstLead = (h: HallIsland, window: number) =>
      new Promise<void>((resolve) => {
        const off = h.onRole((r) => {
          if (r !== 'leader' && r !== 'follower') return;
          off();
          void h.run({ id: `call-${window}`, type: 'CallNext', window, source: 'caller-keypad' } as Command);
          resolve();
        });
      });
    const led = Promise.all([firstLead(a, 1), firstLead(b, 2)]);
    const bFollows = new Promise<void>((resolve) => b.onRole((r, acting) => r === 'follower' && acting === 'agent-a' && resolve()));
    for (const h of halls.values()) h.start();
    // Both in the same instant: neither status can arrive before both settle (settleMs 0).
    a.enter();
    b.enter();
    await led;
    await bFollows;
    expect([a.role, a.acting]).toEqual(['leader', 'agent-a']);
    // agent-b's call reaches agent-a as a forward; agent-b's replica follows agent-a's from the start.
    const la = links.get('agent-a') as AgentLink;
    const lb = links.get('agent-b') as AgentLink;
    // agent-b's replica takes the winner's decisions live (its listeners hear them): both, in the winner's order.
    await new Promise<void>((resolve) => {
      const off = lb.onEvent(() => lb.replica.seq >= 2 && (off(), resolve()));
      if (lb.replica.seq >= 2) resolve();
    });
    expect(lb.replica.state).toEqual(la.replica.state);
    expect(la.replica.state.commands['call-2']).toBeDefined();
    // Both outboxes hold the hall's two decisions, in the winner's order (agent-b's as the mirror).
    const order = (id: string) => (stores.get(id) as IslandStore).pending().map((e) => e.command.id);
    expect(order('agent-a')).toEqual(['call-1', 'call-2']);
    expect(order('agent-b')).toEqual(['call-1', 'call-2']);
    for (const h of halls.values()) h.stop();
  }, 60_000);
});
