// The printer's mechanical model: a known ticket's length and time against a hand computation, and
// the emulator holding the cut until the mechanism is done (order, not time).
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import { normalizeBlock, type PrintBlock, type PrintDocument } from '../../../drivers/printer/document.js';
import { EscPosPrinter } from '../../../drivers/printer/driver.js';
import { EscPosEmulator } from '../../../drivers/printer/emulator.js';
import { DEFAULT_MECHANICS, blockDots, qrVersion, ticketMechanics } from '../../../drivers/printer/mechanics.js';

const doc: PrintDocument = {
  blocks: [
    { type: 'text', text: '北京市政务服务中心', align: 'center' }, // 9 × 24 = 216 dots wide: 1 line of 30
    { type: 'text', text: 'A012', width: 2, height: 2 }, // 4 × 12 × 2 = 96 wide; max(30, 48) = 48
    { type: 'text', text: '前面还有 12 人' }, // 5 CJK × 24 + 4 ASCII × 12 = 168 wide: 30
    { type: 'text', text: 'x'.repeat(60) }, // 720 dots > 576: 2 lines = 60
    { type: 'qr', data: 'https://hall.test/t/0123456789abcdef', moduleSize: 6, errorLevel: 'M' }, // 36 bytes, M: version 3 = 29 modules × 6 = 174
    { type: 'barcode', data: 'A012', height: 80, hri: 'below' }, // 80 + 30 = 110
    { type: 'feed', lines: 4 }, // 120
    { type: 'cut' },
  ],
};
const decoded = doc.blocks.filter((b): b is Exclude<PrintBlock, { type: 'cut' }> => b.type !== 'cut').map(normalizeBlock);

/** True when a chunk holds only 3-byte status questions (DLE EOT n, GS r n), as the emulator reads a ticket's start. */
function onlyStatusQuestions(chunk: Buffer): boolean {
  if (chunk.length === 0 || chunk.length % 3 !== 0) return false;
  for (let i = 0; i < chunk.length; i += 3) {
    const question = (chunk[i] === 0x10 && chunk[i + 1] === 0x04) || (chunk[i] === 0x1d && chunk[i + 1] === 0x72);
    if (!question) return false;
  }
  return true;
}

describe('printer mechanics (203 dpi, 150 mm/s)', () => {
  it('measures a known ticket as computed by hand: 572 dots = 71.57 mm = 477.14 ms', () => {
    expect(decoded.map((b) => blockDots(b))).toEqual([30, 48, 30, 60, 174, 110, 120]);
    const m = ticketMechanics({ blocks: decoded });
    expect(m.dots).toBe(572);
    expect(m.mm).toBeCloseTo((572 * 25.4) / 203, 9); // 71.570 mm
    expect(m.ms).toBeCloseTo(((572 * 25.4) / 203 / 150) * 1000, 9); // 477.136 ms
    expect(m.ms).toBeCloseTo(477.136, 3);
  });

  it('scales with speed and adds the cutter time', () => {
    const slow = ticketMechanics({ blocks: decoded }, { ...DEFAULT_MECHANICS, speedMmPerS: 75, cutMs: 300 });
    expect(slow.ms).toBeCloseTo(((572 * 25.4) / 203 / 75) * 1000 + 300, 9);
  });

  it('picks the smallest QR version holding the data, per error level', () => {
    expect(qrVersion(14, 'M')).toBe(1);
    expect(qrVersion(15, 'M')).toBe(2);
    expect(qrVersion(17, 'L')).toBe(1);
    expect(qrVersion(7, 'H')).toBe(1);
    expect(qrVersion(8, 'H')).toBe(2);
    expect(qrVersion(666, 'M')).toBe(20);
    expect(qrVersion(667, 'M')).toBe(21);
    expect(qrVersion(2331, 'M')).toBe(40);
    expect(qrVersion(2953, 'L')).toBe(40);
  });

  it('double height doubles a line; double width wraps a long line sooner', () => {
    const line = (text: string, width: number, height: number) => blockDots(normalizeBlock({ type: 'text', text, width, height }));
    expect(line('A', 1, 1)).toBe(30);
    expect(line('A', 1, 2)).toBe(48);
    expect(line('A', 1, 4)).toBe(96);
    expect(line('x'.repeat(48), 1, 1)).toBe(30); // exactly 576 dots: one line
    expect(line('x'.repeat(48), 2, 1)).toBe(60);
    expect(line('', 1, 1)).toBe(30); // an empty line still feeds
  });
});

describe('emulator: the cut waits for the mechanism', () => {
  it('a ticket whose bytes have all arrived is still printing, not cut, until its mechanical time has passed; print() confirms only after the cut', async () => {
    const [host, device] = memoryPair('printer');
    await host.open();
    await device.open();
    // 50 mm/s: the 71.6 mm ticket needs about 1.4 s, during which the driver reads real-time status.
    const emulator = new EscPosEmulator({ mechanics: { speedMmPerS: 50 } });
    emulator.attach(device);
    const printer = new EscPosPrinter(host, { statusTimeoutMs: 2000, confirmPollMs: 100 });
    await printer.open();
    try {
      expect(emulator.printing).toBe(false);
      // DLE EOT is answered in real time while the paper is still moving and nothing is cut yet.
      const whilePrinting: boolean[] = [];
      emulator.onStatusRequest(() => whilePrinting.push(emulator.printing && emulator.tickets.length === 0));
      await printer.print(doc);
      expect(whilePrinting).toContain(true);
      // The print is confirmed only once the ticket is out.
      expect(emulator.tickets).toHaveLength(1);
      expect(emulator.printing).toBe(false);
    } finally {
      await printer.close();
      await emulator.close();
      await device.close();
    }
  });

  it("the next ticket's paper starts moving at its own first byte, not at the previous ticket's confirmation (GS r)", async () => {
    const [host, device] = memoryPair('printer');
    await host.open();
    await device.open();
    const emulator = new EscPosEmulator();
    emulator.attach(device);
    const printer = new EscPosPrinter(host, { statusTimeoutMs: 2000 });
    await printer.open();
    try {
      await printer.print(doc); // ends with GS r 1, the confirmation
      // Slow status replies put ~600 ms between that GS r and the next ticket's bytes (two DLE EOT asks first).
      emulator.set({ statusReply: 'slow', slowReplyMs: 300 });
      let firstByteAt: number | undefined;
      device.onData((chunk) => {
        // The ticket's first byte is in the first chunk that is not only status questions (DLE EOT n, GS r n):
        // a chunk may start with a DLE EOT and carry the ticket's bytes after it (writes that meet on the link).
        if (firstByteAt === undefined && !onlyStatusQuestions(chunk)) firstByteAt = performance.now();
      });
      const cut = emulator.nextTicket().then(() => performance.now());
      await printer.print(doc);
      const cutAt = await cut;
      // A lower bound the model guarantees under any load (timers never fire early by more than their 1 ms grain).
      expect(cutAt - (firstByteAt ?? Infinity)).toBeGreaterThanOrEqual(ticketMechanics({ blocks: decoded }).ms - 2);
    } finally {
      await printer.close();
      await emulator.close();
      await device.close();
    }
  });

  it('with mechanics off, the ticket is emitted at its cut command', async () => {
    const [host, device] = memoryPair('printer');
    await host.open();
    await device.open();
    const emulator = new EscPosEmulator({ mechanics: false });
    emulator.attach(device);
    const printer = new EscPosPrinter(host, { statusTimeoutMs: 2000 });
    await printer.open();
    const next = emulator.nextTicket();
    await printer.print(doc);
    expect((await next).blocks).toEqual(decoded);
    expect(emulator.printing).toBe(false);
    await printer.close();
    await emulator.close();
    await device.close();
  });
});
