import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { attachCaller } from '../../src/agent/flows/caller.js';
import type { AgentLink, SentCommand } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { startKeypadOnPty, type KeypadOnPty } from '../helpers/keypad-pty.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';

/**
 * A caller keypad pressed while the server is away (the tryout of the fifteenth session: each press was
 * held and run when the server came back, 54 s later, and a second press finished the citizen the first
 * had called in 0 s). Now each press is withdrawn after its answer time and the keypad beeps no; nothing
 * is sent again when the server returns; a press carries the ticket the keypad showed (CallNext `after`).
 */
describe('a keypad press the server does not answer', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let link: AgentLink;
  let onPty: KeypadOnPty;
  const db = tempDb();
  const clock = hallClock();
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, db, clock);
    link = await startAgent(broker.url, 'caller-1');
    onPty = await startKeypadOnPty(7);
  });
  afterAll(async () => {
    await onPty.stop();
    await link.stop();
    await server.stop();
    await broker.close();
  });

  /** The next command the flow sends, and its answer (settled either way). */
  const nextSent = () =>
    new Promise<SentCommand>((resolve) => {
      const off = link.onSent((s) => {
        off();
        resolve(s);
      });
    });

  it('is withdrawn and beeped no, is not run when the server returns, and the next press calls the next citizen', async () => {
    const { keypad, emulator } = onPty;
    const beep = vi.spyOn(keypad, 'beep');
    const off = attachCaller(link, 7, keypad, () => undefined, silentLogger, undefined, { answerMs: 1500 });
    try {
      server.mqtt.run({ id: 'open-7', type: 'OpenWindow', window: 7, staffId: 's7' });
      const [a, b] = ['i1', 'i2'].map((id) => {
        const o = server.mqtt.run({ id, type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
        if (!o.ok) throw new Error(`not issued: ${o.code}`);
        return o.ticketId;
      });
      await link.reach(server.engine.state.seq);
      // Online: a press calls A, and said it was made on an empty window.
      let sent = nextSent();
      emulator.press('call');
      const first = await sent;
      expect(first.command).toMatchObject({ type: 'CallNext', window: 7, after: null });
      expect((await first.answer).outcome).toMatchObject({ ok: true, ticketId: a });
      await link.reach(server.engine.state.seq);

      // The server goes away (the broker stays): two presses, each made on A, each withdrawn and beeped.
      await server.stop();
      const presses: SentCommand[] = [];
      for (let i = 0; i < 2; i++) {
        sent = nextSent();
        emulator.press('call');
        presses.push(await sent);
      }
      for (const p of presses) {
        expect(p.command).toMatchObject({ type: 'CallNext', after: a });
        await expect(p.answer).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
      }
      await vi.waitFor(() => expect(beep).toHaveBeenCalledTimes(2));
      // Nothing left to send again.
      expect(link.oldestWaitMs()).toBe(0);

      // The server returns on the same log: neither press is in it, A is still at the window.
      server = await startServer(broker.url, db, clock);
      for (const p of presses) expect(server.engine.log.commandOutcome(p.command.id)).toBeUndefined();
      expect(server.engine.state.tickets[a ?? '']?.status).toBe('called');
      // The next press (once the link has the server's state again) finishes A and calls B: nobody skipped.
      await link.catchUp();
      sent = nextSent();
      emulator.press('call');
      const next = await sent;
      expect(next.command).toMatchObject({ after: a });
      expect((await next.answer).outcome).toMatchObject({ ok: true, ticketId: b });
      expect(server.engine.state.tickets[a ?? '']?.status).toBe('done');
      for (const p of presses) expect(server.engine.log.commandOutcome(p.command.id)).toBeUndefined();
    } finally {
      off();
    }
  });
});
