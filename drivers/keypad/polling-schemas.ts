import { z } from 'zod';

/**
 * How a poll-mode keypad is polled on a shared RS-485 line (`agents[].devices.rs485[].keypadPolling`), its
 * defaults and its config schema. Kept apart from driver.ts so the config schema pulls in no driver.
 *
 * - intervalMs: pause after a poll that found nothing (after a report the keypad is polled again at once).
 * - timeoutMs: how long the host waits for the reply, from the poll's last byte on the wire; this is also
 *   how long a silent keypad holds the half-duplex line, so a call can wait that long behind it. The
 *   default 80 ms is the longest reply's own wire time (a keypad with something to report answers with its
 *   FF 68 frame, at most 12 bytes at 9600 baud: 12.5 ms; the compact idle reply is 3 bytes, 3.1 ms) plus a
 *   margin for what delays it on a working keypad: up to 30 ms for the keypad's own answer delay ⚠ (our
 *   poll frames are an extension; no datasheet gives it), 16 ms for a USB-serial adapter's latency timer
 *   (FTDI's default) and 20 ms for the host's event loop. Never shorter than a working keypad's answer: a
 *   reply after the timeout would meet the next frame on the wire.
 * - offlineIntervalMs: once a keypad is offline (a poll failed after its retries), it is polled only this
 *   often and with no retries, so a dead or unplugged keypad holds the line for one poll + timeoutMs every
 *   few seconds instead of (1 + retries) × (poll + timeoutMs) every intervalMs; the first answer puts it
 *   back online and at intervalMs.
 * - frames ⚠: which poll frames the line's keypads implement (both are our extension, drivers/keypad/README.md):
 *   'compact' (default: the 4-byte poll 9C ADDR ~ADDR FF and the 3-byte idle reply 9E ADDR ~ADDR, so a call
 *   waits for at most 4 + 3 bytes + the turnaround behind a poll) or 'ff68' (the 9-byte FF 68 poll and the
 *   10-byte FF 68 idle reply, for keypad firmware that implements only those).
 */
export const POLL_FRAMES = ['compact', 'ff68'] as const;
export type PollFrames = (typeof POLL_FRAMES)[number];

export const KEYPAD_POLL_DEFAULTS = Object.freeze({ intervalMs: 200, timeoutMs: 80, offlineIntervalMs: 5000, frames: 'compact' as PollFrames });

export const keypadPollingSchema = z.strictObject({
  intervalMs: z.number().int().min(10).max(60_000).default(KEYPAD_POLL_DEFAULTS.intervalMs),
  timeoutMs: z.number().int().min(15).max(5_000).default(KEYPAD_POLL_DEFAULTS.timeoutMs),
  offlineIntervalMs: z.number().int().min(200).max(600_000).default(KEYPAD_POLL_DEFAULTS.offlineIntervalMs),
  frames: z.enum(POLL_FRAMES).default(KEYPAD_POLL_DEFAULTS.frames),
});

export type KeypadPolling = z.infer<typeof keypadPollingSchema>;
