import { localTime } from '../core/time.js';

/**
 * Times the CLI prints are hall times (hall.utcOffsetMinutes), as on tickets, screens and reports,
 * never the machine's zone (often UTC on a server), and say which: `UTC+08:00`.
 */
export function utcOffsetText(utcOffsetMinutes: number): string {
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `2026-12-01 23:57` (or with seconds, `2026-12-01 23:57:08`) in hall time. */
export function hallDateTime(epochMs: number, utcOffsetMinutes: number, seconds = false): string {
  return new Date(epochMs + utcOffsetMinutes * 60_000).toISOString().replace('T', ' ').slice(0, seconds ? 19 : 16);
}

/** Today's date (YYYY-MM-DD) in the hall. */
export function hallToday(epochMs: number, utcOffsetMinutes: number): string {
  return localTime(epochMs, utcOffsetMinutes).day;
}
