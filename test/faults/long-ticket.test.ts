/**
 * A long ticket takes the mechanism its time (150 mm/s): the driver's confirmation wait is the document's
 * print time by the mechanics model plus confirmTimeoutMs, so a wait that runs out (then a re-ask answered
 * ok) can never report a ticket printed before its paper was cut. And a confirmation that comes after the
 * wait ran out belongs to that ticket, never to the next. Driver and emulator over a real pty (socat).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeBlock, type PrintBlock, type PrintDocument } from '../../drivers/printer/document.js';
import type { EscPosPrinterOptions } from '../../drivers/printer/driver.js';
import type { EscPosEmulatorOptions } from '../../drivers/printer/emulator.js';
import { ticketMechanics } from '../../drivers/printer/mechanics.js';
import { openPtyPrinter, type PtyPrinter } from './pty-printer.js';

/** 80 lines of 3.75 mm and a 4-line feed: 315 mm, 2.1 s at 150 mm/s. */
const lines: PrintBlock[] = Array.from({ length: 80 }, (_, i) => ({ type: 'text', text: `办理事项 ${i + 1}` }));
const long: PrintDocument = { blocks: [...lines, { type: 'feed', lines: 4 }, { type: 'cut', partial: true }] };
const short: PrintDocument = { blocks: [{ type: 'text', text: 'A024', width: 4, height: 4 }, { type: 'cut', partial: true }] };

let open: PtyPrinter | undefined;

afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** The emulator (its mechanics per test) and the driver over a pty, closed after the test. */
async function rig(emulator: EscPosEmulatorOptions, options: EscPosPrinterOptions): Promise<PtyPrinter> {
  open = await openPtyPrinter({ statusTimeoutMs: 500, confirmPollMs: 50, ...options }, emulator);
  return open;
}

describe('a long ticket is confirmed only once it can have been cut', () => {
  beforeEach(() => {
    // The document is as long as the comment says, by the model the emulator prints with.
    const ms = ticketMechanics({ blocks: long.blocks.flatMap((b) => (b.type === 'cut' ? [] : [normalizeBlock(b)])) }).ms;
    expect(ms).toBeGreaterThan(2000);
  });

  it('confirmTimeoutMs shorter than the print time: print() resolves confirmed by the device, after the cut', async () => {
    const { printer: p, emulator } = await rig({}, { confirmTimeoutMs: 300 });
    expect(p.printTimeMs(long)).toBeGreaterThan(2000);
    const r = await p.print(long);
    expect(r.confirmation).toBe('device');
    // The cut came first: the ticket is in the emulator's hands when the driver says printed.
    expect(emulator.tickets).toHaveLength(1);
  }, 30_000);

  it('a printer slower than the model: the long ticket’s confirmation, come after its wait, does not confirm the next ticket', async () => {
    // The emulator prints at 50 mm/s (the long ticket: 6.3 s), the driver models 150 (2.1 s) + 3 s: its
    // wait runs out mid-print and a re-ask answered ok takes it as printed (what a wrong model costs).
    const { printer: p, emulator } = await rig({ mechanics: { speedMmPerS: 50 } }, { confirmTimeoutMs: 3000, reaskTimeoutsMs: [500] });
    expect(await p.print(long)).toMatchObject({ confirmation: 'device' });
    // The next ticket's wait (3.1 s) spans the long ticket's cut and its late GS r answer; that answer is
    // the long ticket's, so the short one is confirmed by its own, after its own cut.
    const second = await p.print(short);
    expect(second.confirmation).toBe('device');
    expect(emulator.tickets).toHaveLength(2);
  }, 30_000);

  it('given the printer’s speed (mechanics), the driver waits for the slow printer’s own cut', async () => {
    const { printer: p, emulator } = await rig({ mechanics: { speedMmPerS: 50 } }, { confirmTimeoutMs: 300, mechanics: { speedMmPerS: 50 } });
    expect(await p.print(long)).toMatchObject({ confirmation: 'device' });
    expect(emulator.tickets).toHaveLength(1);
  }, 30_000);
});
