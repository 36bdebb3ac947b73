/**
 * A real-time status reply (DLE EOT n: one byte, no tag) that comes after its wait ran out must not be
 * taken as the answer to the next question: the stale "paper out" from before a roll change, or the stale
 * "ok" from before the roll ended. The fault: the emulator delays the replies to one question past the
 * driver's wait (a printer answers in order, so the replies to the next question come behind them), and
 * the paper changes between the two questions. Driver and emulator over a real pty (socat).
 */
import { describe, expect, it } from 'vitest';
import type { PrintDocument } from '../../drivers/printer/document.js';
import type { PaperState } from '../../drivers/printer/status.js';
import { usePtyPrinter } from './pty-printer.js';

const ticket: PrintDocument = {
  blocks: [
    { type: 'text', text: 'A023', align: 'center', width: 4, height: 4, bold: true },
    { type: 'feed', lines: 2 },
    { type: 'cut', partial: true },
  ],
};

// Each test reopens the driver with the waits it needs.
const pty = usePtyPrinter({});

/**
 * The replies to the first paper-status question are held `slowMs` (the paper then `before`); once the
 * emulator has taken that question, the paper becomes `after` and replies are prompt again (queued behind
 * the held ones, as a printer's are).
 */
function oneLateReply(before: PaperState, after: PaperState, slowMs: number): void {
  const { emulator, device } = pty.emulated;
  emulator.set({ paper: before, statusReply: 'slow', slowReplyMs: slowMs });
  // Registered after the emulator's own listener: the emulator has answered the chunk when this runs.
  const off = device.onData((chunk) => {
    if (!chunk.includes(Buffer.of(0x10, 0x04, 0x04))) return;
    off();
    emulator.set({ paper: after, statusReply: 'normal' });
  });
}

describe('a status reply that missed its wait is not the next question’s answer (driver and emulator over a pty)', () => {
  it.each([
    ['out', 'ok'],
    ['ok', 'out'],
  ] as const)('paper %s, the reply late, then paper %s: the next status() says the paper as it is now', async (before, after) => {
    const p = await pty.reopen({ statusTimeoutMs: 1000 });
    oneLateReply(before, after, 1500);
    // The first question's wait (1 s) runs out before its replies (1.5 s) ...
    expect(await p.status()).toEqual({ type: 'unknown', reason: 'no-reply' });
    // ... which then arrive while the second question waits, followed by the second's own replies.
    expect(await p.status()).toEqual({ type: 'known', status: { online: true, paper: after } });
    expect(p.health).toBe(after);
  }, 30_000);

  it('print(): the check before the bytes was late with "paper out", the roll was changed; the re-ask reads paper ok and the ticket prints, confirmed', async () => {
    const p = await pty.reopen({ statusTimeoutMs: 500, reaskTimeoutsMs: [3000], confirmPollMs: 50 });
    oneLateReply('out', 'ok', 1500);
    const r = await p.print(ticket);
    expect(r.confirmation).toBe('device');
    expect(r.checked).toEqual({ type: 'known', status: { online: true, paper: 'ok' } });
    expect(pty.emulator.tickets).toHaveLength(1);
  }, 30_000);

  it('a reply owed past lateReplyMs is given up: the printer that swallowed one reply is read right again', async () => {
    const p = await pty.reopen({ statusTimeoutMs: 300, lateReplyMs: 300 });
    pty.emulator.set({ statusReply: 'none' });
    expect(await p.status()).toEqual({ type: 'unknown', reason: 'no-reply' });
    pty.emulator.set({ statusReply: 'normal', paper: 'near-end' });
    // The owed replies expired with the second question's start at the latest: its own replies are read.
    expect(await p.status()).toEqual({ type: 'known', status: { online: true, paper: 'near-end' } });
  }, 30_000);
});
