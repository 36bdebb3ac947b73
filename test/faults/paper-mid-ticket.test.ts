/**
 * issue 10, fault 2: the roll ends in the middle of a ticket. The real driver and the emulator over a
 * real pty pair (socat): the driver confirms each ticket by the device after the bytes, so a ticket
 * the printer never finished is not reported printed, the kiosk voids its number, and the printer's
 * health says out of paper.
 */
import { describe, expect, it } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import { silentLogger } from '../../drivers/common/logger.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { useKioskHall } from './kiosk-hall.js';
import { usePtyPrinter } from './pty-printer.js';

const ticket: PrintDocument = {
  blocks: [
    { type: 'text', text: '不动产登记', align: 'center', width: 2, height: 2, bold: true },
    { type: 'text', text: 'A023', align: 'center', width: 4, height: 4, bold: true },
    { type: 'text', text: '前面还有 5 人', align: 'left' },
    { type: 'qr', data: 'https://hall.example/s/abcdefghijklmnopqrstuvwx', moduleSize: 6, errorLevel: 'M', align: 'center' },
    { type: 'feed', lines: 4 },
    { type: 'cut', partial: true },
  ],
};

const pty = usePtyPrinter({ statusTimeoutMs: 2000, confirmPollMs: 50 });

describe('fault 2: the roll ends during a ticket (driver and emulator over a pty)', () => {
  it('print() rejects with PAPER_OUT, the ticket is lost, health goes out, although the status before the bytes was ok', async () => {
    // Paper for 10 mm: the status before printing says paper present; the roll ends a few lines in.
    pty.emulator.set({ rollMm: 10 });
    expect(await pty.printer.status()).toEqual({ type: 'known', status: { online: true, paper: 'ok' } });
    const lost = new Promise((resolve) => pty.emulator.onLost(resolve));
    const err: unknown = await pty.printer.print(ticket).catch((e: unknown) => e);
    expect(isHallqError(err, 'PAPER_OUT')).toBe(true);
    expect(await lost).toMatchObject({ reason: 'paper-out' });
    expect(pty.emulator.tickets).toEqual([]);
    expect(pty.printer.health).toBe('out');
    // And the next one is refused before any byte is sent.
    expect(isHallqError(await pty.printer.print(ticket).catch((e: unknown) => e), 'PAPER_OUT')).toBe(true);
  });

  it('a roll long enough for one ticket prints it (confirmed), then the next ends mid-ticket', async () => {
    pty.emulator.set({ rollMm: 120 });
    const first = await pty.printer.print(ticket);
    expect(first.bytes).toBeGreaterThan(0);
    expect(pty.emulator.tickets).toHaveLength(1);
    const err: unknown = await pty.printer.print(ticket).catch((e: unknown) => e);
    expect(isHallqError(err, 'PAPER_OUT')).toBe(true);
    expect(pty.emulator.tickets).toHaveLength(1);
    expect(pty.emulator.lost).toHaveLength(1);
  });

  it('a jammed cutter: the ticket is not cut, print() rejects with DEVICE_OFFLINE', async () => {
    pty.emulator.set({ cutterJam: true });
    const err: unknown = await pty.printer.print(ticket).catch((e: unknown) => e);
    expect(isHallqError(err, 'DEVICE_OFFLINE')).toBe(true);
    expect(pty.emulator.lost).toMatchObject([{ reason: 'cutter-jam' }]);
  });
});

describe('fault 2 at the kiosk: a ticket the printer did not finish voids its number', () => {
  const hall = useKioskHall();

  it('the kiosk answers printer-unavailable, the server voids the ticket (no ghost waits), the printer health is out', async () => {
    const kiosk = new KioskFlow(hall.link, pty.printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock: hall.clock });
    const good = await kiosk.issue({ serviceId: 'A' });
    expect(good).toMatchObject({ ok: true, printed: true });
    pty.emulator.set({ rollMm: 15 });
    const r = await kiosk.issue({ serviceId: 'A' });
    expect(r).toMatchObject({ ok: false, code: 'printer-unavailable' });
    const tickets = Object.values(hall.server.engine.state.tickets);
    expect(tickets.map((t) => t.status).sort()).toEqual(['voided', 'waiting']);
    expect(pty.emulator.tickets).toHaveLength(1);
    expect(pty.printer.health).toBe('out');
    expect(kiosk.canPrint()).toBe(false);
  }, 30_000);
});
