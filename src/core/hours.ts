import { weekdayKeys, type HallConfig, type ServiceDef } from './model.js';
import type { RejectionCode } from './rejections.js';
import { localTime, parseHm } from './time.js';

/**
 * Whether a ticket for `service` may be issued at `now`: hall days, opening ranges, issuing cutoff.
 * Also asked by an island before it decides its own issue (README "Island mode"): the core lets a leased
 * issue through without the hours, since its replay may run later than the island's time.
 */
export function issuingRefusal(config: HallConfig, service: ServiceDef, now: number): RejectionCode | undefined {
  const lt = localTime(now, config.utcOffsetMinutes);
  const hours = config.hours;
  if (hours.holidays.includes(lt.day)) return 'hall-closed';
  const weekday = hours.workdays.includes(lt.day) ? 'mon' : weekdayKeys[lt.weekday];
  const hallRanges = weekday ? hours.weekly[weekday] : [];
  if (hallRanges.length === 0) return 'hall-closed';
  const ranges = service.hours ?? hallRanges;
  const range = ranges.find((r) => lt.minute >= parseHm(r.from) && lt.minute < parseHm(r.to));
  if (!range) return 'outside-hours';
  if (lt.minute >= parseHm(range.to) - hours.issuingCutoffMinutes) return 'issuing-stopped';
  return undefined;
}
