import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { Keypad } from '../../drivers/keypad/driver.js';
import type { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { attachCaller } from '../../src/agent/flows/caller.js';
import type { AgentLink, SentCommand } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { startKeypadOnPty } from '../helpers/keypad-pty.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';

/**
 * The caller flow with a real keypad driver and the keypad emulator on a pty (window 7 of caller-1):
 * the rating keypad is lit only for a rating request the hall accepted.
 */
describe('rating request on the keypad', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let link: AgentLink;
  const closers: (() => unknown)[] = [];
  let keypad: Keypad;
  let emulator: KeypadEmulator;
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), hallClock());
    link = await startAgent(broker.url, 'caller-1');
    const onPty = await startKeypadOnPty(7);
    ({ keypad, emulator } = onPty);
    closers.push(() => onPty.stop());
  });
  afterAll(async () => {
    for (const c of closers) await c();
    await link.stop();
    await server.stop();
    await broker.close();
  });

  /** The next RequestRating the flow sends for window 7, and its answer. */
  const nextRequest = () =>
    new Promise<SentCommand>((resolve) => {
      const off = link.onSent((s) => {
        if (s.command.type === 'RequestRating') {
          off();
          resolve(s);
        }
      });
    });

  it('a refused request leaves the keypad alone, so a second request right after it is sent and answered', async () => {
    const startRating = vi.spyOn(keypad, 'startRating');
    const off = attachCaller(link, 7, keypad, () => undefined, silentLogger);
    try {
      // Window 7 is closed and has served nobody: nothing to rate (said as the window being closed).
      let sent = nextRequest();
      emulator.press('rating-request');
      expect((await (await sent).answer).outcome).toMatchObject({ ok: false, code: 'window-closed' });
      sent = nextRequest();
      emulator.press('rating-request');
      expect((await (await sent).answer).outcome).toMatchObject({ ok: false, code: 'window-closed' });
      expect(startRating).not.toHaveBeenCalled();
    } finally {
      off();
      startRating.mockRestore();
    }
  });

  it('an accepted request starts rating, and the grade becomes the rating', async () => {
    const startRating = vi.spyOn(keypad, 'startRating');
    const off = attachCaller(link, 7, keypad, (n) => (n === '7' ? 's7' : undefined), silentLogger);
    try {
      expect((await link.send({ type: 'IssueTicket', serviceId: 'B', delivery: 'none' })).ok).toBe(true);
      expect((await link.send({ type: 'OpenWindow', window: 7, staffId: 's7', source: 'caller-keypad' })).ok).toBe(true);
      expect((await link.send({ type: 'CallNext', window: 7, source: 'caller-keypad' })).ok).toBe(true);
      const sent = nextRequest();
      const started = new Promise<void>((resolve) => startRating.mockImplementation(async function (this: Keypad) {
        resolve();
        return Keypad.prototype.startRating.call(keypad);
      }));
      emulator.press('rating-request');
      expect((await (await sent).answer).outcome.ok).toBe(true);
      await started;
      expect(startRating).toHaveBeenCalledTimes(1);
      const rated = new Promise<SentCommand>((resolve) => {
        const offSent = link.onSent((s) => {
          if (s.command.type === 'Rate') {
            offSent();
            resolve(s);
          }
        });
      });
      expect(emulator.giveGrade(2)).toBe(true);
      const rate = await rated;
      expect(rate.command).toMatchObject({ type: 'Rate', window: 7, grade: 'satisfied' });
      expect((await rate.answer).outcome.ok).toBe(true);
    } finally {
      off();
      startRating.mockRestore();
    }
  });
});
