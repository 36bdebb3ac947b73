import { defaultPolicy, type HallConfig, type Lang, type TimeRange } from '../../src/core/index.js';

const allDay: TimeRange[] = [{ from: '00:00', to: '24:00' }];

/**
 * The small hall the wire tests, the fuzzers and the benches share: open all day every day (no
 * rollover or cutoff in a run), services A 社保 and B 医保 of 5 minutes, `windows` general windows
 * serving both, a staff member s<n> per window.
 */
export function allDayHall(id: string, name: Lang, windows: number): HallConfig {
  return {
    id,
    name,
    utcOffsetMinutes: 480,
    hours: { weekly: { sun: allDay, mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay }, issuingCutoffMinutes: 0, holidays: [], workdays: [] },
    services: [
      { id: 'A', name: { zh: '社保', en: 'Social' }, prefix: 'A', dailyQuota: 999, idRequired: false, avgServiceMinutes: 5 },
      { id: 'B', name: { zh: '医保', en: 'Medical' }, prefix: 'B', dailyQuota: 999, idRequired: false, avgServiceMinutes: 5 },
    ],
    windows: Array.from({ length: windows }, (_, i) => ({ id: i + 1, kind: 'general' as const, tiers: [['A', 'B']] })),
    staff: Array.from({ length: windows }, (_, i) => ({ id: `s${i + 1}`, name: `Staff ${i + 1}` })),
    policy: defaultPolicy,
  };
}
