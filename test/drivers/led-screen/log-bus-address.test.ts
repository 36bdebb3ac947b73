/**
 * A screen's log lines name its RS-485 bus address readably (`busAddress`): the log's scrub withholds any
 * key named like personal data (`address`: a card holder's home address), so a failing screen was logged
 * with `"address":"[redacted]"` and the technician could not tell which screen of the line it was. The real
 * bus on a socat pty, the emulator behind the line emulator, the daemons' own logger.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import { BxScreenEmulator } from '../../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';
import { createLogger, REDACTED } from '../../../src/log/logger.js';
import { openPtyPair } from '../../helpers/pty.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('screen log lines', () => {
  it("a BX screen that does not answer is logged with its bus address, not a redaction", async () => {
    const pty = await openPtyPair();
    const dev = new SerialTransport({ path: pty.device, baudRate: 9600 });
    const host = new SerialTransport({ path: pty.host, baudRate: 9600 });
    await dev.open();
    await host.open();
    const line = new Rs485LineEmulator(dev, { baudRate: 9600 });
    const emulator = new BxScreenEmulator({ address: 7 });
    line.add(emulator);
    line.start();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
    const bus = new Rs485Bus(host, { baudRate: 9600, defaultTimeoutMs: 150, defaultRetries: 0, logger });
    const screen = new BxScreen(bus, { address: 7, timeoutMs: 150, retries: 0, upkeep: { offlineAfter: 1, retry: { initialMs: 60_000, maxMs: 60_000 }, probeMs: 60_000 } }, logger);
    cleanups.push(
      () => pty.close(),
      () => dev.close(),
      () => host.close(),
      () => line.stop(),
      () => bus.close(),
      () => screen.stop(),
    );
    emulator.setFault({ type: 'no-reply' });
    const err = await screen.show({ window: 7, ticket: 'A013', paused: false }, { urgent: true }).then(
      () => undefined,
      (e: unknown) => e as Error & { details?: Record<string, unknown> },
    );
    expect(err?.details?.['busAddress']).toBe(7);
    const said = lines.filter((l) => l['screen'] === 'bx');
    expect(said.length).toBeGreaterThan(0);
    for (const l of said) expect(l['busAddress']).toBe(7);
    expect(JSON.stringify(lines)).not.toContain(REDACTED);
  });
});
