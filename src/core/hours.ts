import { weekdayKeys, type HallConfig, type ServiceDef } from './model.js';
import type { RejectionCode } from './rejections.js';
import { localTime, parseHm } from './time.js';

/** Whether a ticket for `service` may be issued at `now`: hall days, opening ranges, issuing cutoff. */
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

/**
 * An island's own issue (README "Island mode"): refused outside the service's hours as online, decided
 * on the island at its time. The core lets a leased issue through without them (its replay on the
 * server may run later than the island's time, and must not refuse a ticket already on paper), so the
 * island asks before it decides (the tryout: a lease taken at 15:52 let a 09:00–12:00 service issue at 15:54).
 */
export function islandIssueRefusal(config: HallConfig, service: ServiceDef | undefined, now: number): RejectionCode | undefined {
  return service ? issuingRefusal(config, service, now) : undefined;
}
