// The tryout: after the roll ran out mid-ticket and was changed, the kiosk took ~3.9 s before it would
// issue again: the agent read the printer's status only every 5 s (printerPollMs) and the page heard of
// it only at its 2 s snapshot. Now the driver reads it every recoveryPollMs (250 ms) while the printer
// says it cannot print, and the kiosk's stream sends a snapshot on the printer's health change. The real
// driver and the printer emulator on a socat pty, the kiosk flow and its HTTP listener: the ordinary poll
// and the stream's timed snapshot are both set to 10 minutes here, so only those two can end the wait.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import type { PrinterHealth } from '../../drivers/printer/driver.js';
import { openPtyPrinter, type PtyPrinter } from '../faults/pty-printer.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';

const TEN_MINUTES = 600_000;

/** Resolves with the first snapshot of the kiosk's event stream that satisfies `pred`. */
function snapshotWhen(base: string, pred: (info: { canPrint: boolean }) => boolean): { seen: Promise<{ canPrint: boolean }>; close(): void } {
  let req: http.ClientRequest | undefined;
  const seen = new Promise<{ canPrint: boolean }>((resolve, reject) => {
    let buffer = '';
    req = http.get(`${base}/kiosk/api/stream`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          const info = data ? (JSON.parse(data) as { canPrint: boolean }) : undefined;
          if (info && pred(info)) resolve(info);
        }
      });
    });
    req.on('error', reject);
  });
  return { seen, close: () => req?.destroy() };
}

const healthIs = (pty: PtyPrinter, want: PrinterHealth) =>
  new Promise<void>((resolve) => {
    if (pty.printer.health === want) return resolve();
    const off = pty.printer.onHealth((h) => {
      if (h !== want) return;
      off();
      resolve();
    });
  });

describe('a roll changed after paper out mid-ticket: the kiosk issues again at once', () => {
  let pty: PtyPrinter;
  let rig: KioskRig;

  beforeEach(async () => {
    pty = await openPtyPrinter({ statusTimeoutMs: 2000, confirmPollMs: 50, pollIntervalMs: TEN_MINUTES });
    pty.printer.startPolling();
    rig = await startKioskRig({ smsEnabled: true, printer: pty.printer, snapshotEveryMs: TEN_MINUTES });
  }, 30_000);

  afterEach(async () => {
    await rig?.stop();
    await pty?.close();
  });

  const issue = async () => {
    const res = await fetch(`${rig.base}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'A' }) });
    return { status: res.status, body: (await res.json()) as { ok?: boolean; printed?: boolean; error?: { code: string } } };
  };

  it('the driver sees the new roll by its recovery poll, the page by the health change, and the next ticket prints', async () => {
    const out = snapshotWhen(rig.base, (i) => !i.canPrint);
    const back = snapshotWhen(rig.base, (i) => i.canPrint);
    try {
      await back.seen;
      // The roll ends a few lines into the ticket: the number is voided, the printer is out.
      pty.emulator.set({ rollMm: 15 });
      const lost = await issue();
      expect(lost.body.error?.code).toBe('printer-unavailable');
      expect(pty.printer.problem).toBe('paper-out');
      await out.seen;
      // A refusal while out: before any byte is sent.
      expect(isHallqError(await pty.printer.print({ blocks: [{ type: 'text', text: 'x' }, { type: 'cut' }] }).catch((e: unknown) => e), 'PAPER_OUT')).toBe(true);

      const next = snapshotWhen(rig.base, (i) => i.canPrint);
      const ok = healthIs(pty, 'ok');
      pty.emulator.set({ paper: 'ok', rollMm: undefined });
      await ok;
      await next.seen;
      next.close();
      const again = await issue();
      expect(again).toMatchObject({ status: 200, body: { ok: true, printed: true } });
      expect(pty.emulator.tickets).toHaveLength(1);
    } finally {
      out.close();
      back.close();
    }
  }, 30_000);

  it('a cover opened for the roll (paper in, printer offline): named cover-open, and closing it is seen by the same poll', async () => {
    const open = healthIs(pty, 'offline');
    pty.emulator.set({ coverOpen: true });
    expect(await pty.printer.status()).toEqual({ type: 'known', status: { online: false, paper: 'ok', coverOpen: true } });
    await open;
    expect(pty.printer.problem).toBe('cover-open');
    const shut = healthIs(pty, 'ok');
    pty.emulator.set({ coverOpen: false });
    await shut;
    expect(pty.printer.problem).toBeUndefined();
    expect(await issue()).toMatchObject({ status: 200, body: { ok: true, printed: true } });
  }, 30_000);
});
