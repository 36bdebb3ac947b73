/**
 * A screen's log lines name its RS-485 bus address readably (`busAddress`): the log's scrub withholds any
 * key named like personal data (`address`: a card holder's home address), so a failing screen was logged
 * with `"address":"[redacted]"` and the technician could not tell which screen of the line it was. The real
 * bus on a socat pty, the emulator behind the line emulator, the daemons' own logger.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../../src/log/logger.js';
import { screenOnLine } from '../../helpers/screen-line.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('screen log lines', () => {
  it("a BX screen that does not answer is logged with its bus address, not a redaction", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
    const upkeep = { offlineAfter: 1, retry: { initialMs: 60_000, maxMs: 60_000 }, probeMs: 60_000 };
    const { screen, emulator } = await screenOnLine('bx', 7, { logger, bus: { timeoutMs: 150, retries: 0 }, screen: { timeoutMs: 150, retries: 0, upkeep } }, cleanups);
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
