/**
 * A printer whose status replies are slow (the emulator's `status slow`: real-time status answered
 * after 2 s) or stop after the ticket's bytes. The rule: a print is voided only when the device says
 * it failed or nothing was sent. A confirmation that does not come in time makes the driver ask the
 * status again; an answer ok confirms the ticket, no answer at all keeps it (confirmation
 * 'unconfirmed', health 'unconfirmed') — never a voided number on paper in a citizen's hand.
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
    { type: 'text', text: 'A023', align: 'center', width: 4, height: 4, bold: true },
    { type: 'text', text: '前面还有 5 人', align: 'left' },
    { type: 'feed', lines: 4 },
    { type: 'cut', partial: true },
  ],
};

// The agent's status timeout is 1 s; 500 ms here so that 2 s replies are surely late.
const pty = usePtyPrinter({ statusTimeoutMs: 500, confirmPollMs: 50, confirmTimeoutMs: 2000 });
/** Silent after the ticket's bytes: every wait short, re-asked twice. */
const silentAfterBytes = { statusTimeoutMs: 300, confirmPollMs: 50, confirmTimeoutMs: 500, reaskTimeoutsMs: [300, 300] };

/** From the first answered paper status on (the check before the bytes), the emulator's replies take `mode`. */
function afterFirstStatus(mode: 'slow' | 'none'): void {
  const off = pty.emulator.onStatusRequest((n, answered) => {
    if (n !== 4 || answered === undefined) return;
    off();
    pty.emulator.set({ statusReply: mode });
  });
}

describe('slow status replies (driver and emulator over a pty)', () => {
  it('status slow only after the bytes: the ticket is cut and print() resolves confirmed by the device', async () => {
    afterFirstStatus('slow');
    const r = await pty.printer.print(ticket);
    expect(r.confirmation).toBe('device');
    expect(pty.emulator.tickets).toHaveLength(1);
    expect(pty.printer.health).toBe('ok');
  }, 30_000);

  it('status slow from the start: the check before the bytes is asked again, the ticket is printed and confirmed', async () => {
    pty.emulator.set({ statusReply: 'slow' });
    const r = await pty.printer.print(ticket);
    expect(r.confirmation).toBe('device');
    expect(pty.emulator.tickets).toHaveLength(1);
  }, 30_000);

  it('no status reply at all after the bytes: print() resolves unconfirmed (not rejected), health unconfirmed', async () => {
    const p = await pty.reopen(silentAfterBytes);
    afterFirstStatus('none');
    const r = await p.print(ticket);
    expect(r.confirmation).toBe('unconfirmed');
    expect(p.health).toBe('unconfirmed');
  }, 30_000);

  it('a printer that never answers before the bytes: DEVICE_TIMEOUT, nothing printed', async () => {
    const p = await pty.reopen({ statusTimeoutMs: 300, reaskTimeoutsMs: [300] });
    pty.emulator.set({ statusReply: 'none' });
    const err: unknown = await p.print(ticket).catch((e: unknown) => e);
    expect(isHallqError(err, 'DEVICE_TIMEOUT')).toBe(true);
    expect(pty.emulator.tickets).toEqual([]);
  }, 30_000);

  it('paper ending mid-ticket still rejects with PAPER_OUT while replies are slow', async () => {
    pty.emulator.set({ rollMm: 10 });
    afterFirstStatus('slow');
    const err: unknown = await pty.printer.print(ticket).catch((e: unknown) => e);
    expect(isHallqError(err, 'PAPER_OUT')).toBe(true);
    expect(pty.emulator.tickets).toEqual([]);
  }, 30_000);
});

describe('slow status at the kiosk: the printed ticket waits, it is not voided', () => {
  const hall = useKioskHall();

  it('status slow after the bytes: the kiosk answers printed, the server has the ticket waiting', async () => {
    const kiosk = new KioskFlow(hall.link, pty.printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock: hall.clock });
    afterFirstStatus('slow');
    const r = await kiosk.issue({ serviceId: 'A' });
    expect(r).toMatchObject({ ok: true, printed: true });
    expect(pty.emulator.tickets).toHaveLength(1);
    const t = r.ok ? hall.server.engine.state.tickets[r.ticketId] : undefined;
    expect(t?.status).toBe('waiting');
  }, 30_000);

  it('no status reply after the bytes: the ticket is kept (waiting), the printer marked unconfirmed', async () => {
    const p = await pty.reopen(silentAfterBytes);
    const kiosk = new KioskFlow(hall.link, p, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock: hall.clock });
    afterFirstStatus('none');
    const r = await kiosk.issue({ serviceId: 'A' });
    expect(r).toMatchObject({ ok: true, printed: true });
    const t = r.ok ? hall.server.engine.state.tickets[r.ticketId] : undefined;
    expect(t?.status).toBe('waiting');
    expect(p.health).toBe('unconfirmed');
    expect(kiosk.canPrint()).toBe(true);
  }, 30_000);
});
