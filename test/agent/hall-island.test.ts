import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { HallIsland } from '../../src/agent/island/hall-island.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import type { Command } from '../../src/core/index.js';

/**
 * The forwarding side of the hall island (README "Island mode") without a broker: messages go in
 * through the link's own reader (schemas, topic ids), nothing goes out (no connection), so every
 * forwarded command waits for an answer that only the test gives.
 */
const R = 'hallq/v1/h';
const line = (window: number) => ({ path: '/dev/x', keypads: [{ window, address: window }] });
const agents = [agentEntrySchema.parse({ id: 'agent-a', kiosk: {}, devices: { rs485: [line(1)] } }), agentEntrySchema.parse({ id: 'agent-b', kiosk: {}, devices: { rs485: [line(2)] } })];

async function follower() {
  const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'agent-b' }, silentLogger);
  link.connected = true;
  const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-hall-island-')), 'island.db'));
  const decide = (): never => {
    throw new Error('a follower decides nothing');
  };
  const hall = new HallIsland(link, store, { decide, ownNumber: () => 7, day: () => '2026-11-23' }, { agentId: 'agent-b', agents, settleMs: 30, retryMs: 50, answerMs: 200, logger: silentLogger });
  hall.start();
  const put = (topic: string, body: unknown) => link.handleMessage(`${R}/${topic}`, Buffer.from(JSON.stringify(body)));
  put('agent/agent-a/status', { online: true, island: 'island', role: 'leader' });
  const following = new Promise<void>((resolve) => hall.onRole((r) => r === 'follower' && resolve()));
  hall.enter();
  await following;
  return { hall, store, put };
}

describe('a forwarding agent in the hall island', () => {
  it('follows the sitting acting agent, tells a keypad no when no answer comes in time, and marks a kiosk number used before it is sent', async () => {
    const { hall, store, put } = await follower();
    expect(hall.acting).toBe('agent-a');
    const call = await hall.run({ id: 'k-1', type: 'CallNext', window: 2, source: 'caller-keypad' } as Command);
    expect(call.outcome).toMatchObject({ ok: false, code: 'invalid-command' });
    // A kiosk issue waits for its answer (the kiosk bounds its own wait); its number is on disk already.
    const issue = hall.run({ id: 'i-1', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' } as Command);
    expect(store.used('2026-11-23', 'A', 7)).toBe(true);
    // Answers count only from the acting agent's topic and only on this agent's: the rest are ignored or dropped.
    put('island/ans/agent-c/agent-b', { type: 'answer', commandId: 'i-1', outcome: { ok: true, ticketId: 'forged' }, seq: 9 });
    put('island/ans/agent-a/agent-x', { type: 'answer', commandId: 'i-1', outcome: { ok: true, ticketId: 'forged' }, seq: 9 });
    put('island/ans/agent-a/agent-b', { type: 'answer', commandId: 'i-1', outcome: { ok: true, ticketId: 'forged', extra: 1 }, seq: 'nine' });
    put('island/ans/agent-a/agent-b', { type: 'answer', commandId: 'i-1', outcome: { ok: true, ticketId: '20261123-A007' }, seq: 9 });
    expect(await issue).toEqual({ outcome: { ok: true, ticketId: '20261123-A007' }, seq: 9 });
    hall.stop();
    store.close();
  });

  it('takes over when the acting agent\'s last will says offline', async () => {
    const { hall, store, put } = await follower();
    const leading = new Promise<void>((resolve) => hall.onRole((r, a) => r === 'leader' && a === 'agent-b' && resolve()));
    put('agent/agent-a/status', { online: false });
    await leading;
    hall.stop();
    store.close();
  });
});
