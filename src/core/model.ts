/** The hall as configured: what the core needs to know, free of any file format. */

export interface Lang {
  zh: string;
  en: string;
}

/** 无差别综合窗口 · 分领域综合窗口 · 专窗 · 出件 */
export type WindowKind = 'general' | 'domain' | 'special' | 'pickup';

export interface TimeRange {
  /** "08:30" */
  from: string;
  to: string;
}

export type WeekdayKey = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
export const weekdayKeys: readonly WeekdayKey[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface HallHours {
  /** Opening ranges per weekday (a lunch break is two ranges). An empty list: closed that weekday. */
  weekly: Record<WeekdayKey, TimeRange[]>;
  /** Issuing stops this many minutes before each range closes. */
  issuingCutoffMinutes: number;
  /** Closed days, YYYY-MM-DD. */
  holidays: string[];
  /** Weekend days worked (调休), YYYY-MM-DD: they follow Monday's hours. */
  workdays: string[];
}

export interface ServiceDef {
  id: string;
  name: Lang;
  /** Number prefix: "A" gives A001…A999. */
  prefix: string;
  dailyQuota: number;
  /** Service-specific issuing hours on open days; absent: the hall's hours. */
  hours?: TimeRange[];
  idRequired: boolean;
  /** Prior for the wait estimate until real service times are seen. */
  avgServiceMinutes: number;
}

export interface WindowDef {
  id: number;
  kind: WindowKind;
  /**
   * Services in preference tiers: tier 0 first; a lower tier when its longest-waiting ticket has waited
   * `policy.tierSlack` mean service times longer per tier of difference (or the tiers above are empty).
   */
  tiers: string[][];
}

export interface StaffDef {
  id: string;
  name: string;
  /** From the config (README "Roles"); absent in logs older than the role: staff. A technician serves at no window. */
  role?: 'staff' | 'manager' | 'technician';
}

export interface Policy {
  /** Recalls allowed per call. */
  recallLimit: number;
  noShow: {
    /** Re-queue a no-show behind this many waiting tickets; null: a no-show is final. */
    requeueAfter: number | null;
    /** How many times one ticket may be re-queued. */
    maxRequeues: number;
  };
  /** When both wait: `normal` normal calls, then `priority` priority calls. normal 0 = strict priority. */
  interleave: { normal: number; priority: number };
  /** A ticket waiting this long is called before tier and class preferences, oldest first. */
  agingMinutes: number;
  /**
   * How much longer, in mean service times (of the window's tier-0 services), a lower tier's longest
   * wait must be, per tier of difference, before the window takes it over its own tier; null: never
   * (strict tiers, aging aside). See the dispatcher.
   */
  tierSlack: number | null;
  /** "Near" fires when the wait position first drops below factor × open eligible windows. */
  nearFactor: number;
  /** Also send a separate "near" when the position is already below the threshold at issue. */
  nearAtIssue: boolean;
  perId: { maxOpenPerService: number; dailyCap: number };
  /**
   * The same rules by the phone a ticket's SMS go to (its keyed hash), for every ticket that carries one,
   * SMS-only or printed: one kiosk user cannot take a service's quota without paper nor flood a phone
   * with texts. Absent (a config recorded before the rule): defaultPolicy's.
   */
  perPhone?: { maxOpenPerService: number; dailyCap: number };
  /** Age from which a citizen's ticket gets the priority class; null: no age rule. */
  priorityAge: number | null;
  appointment: { earlyMinutes: number; lateMinutes: number };
  /** A rating is accepted up to this long after the service ended. */
  ratingTimeoutSeconds: number;
  /**
   * A ticket issued for a print and neither confirmed nor voided this long after its issue is voided by
   * the server's tick (core/print-timeout.ts); its cut, if it comes later the same day, revives it.
   * null: never (it stays issued until the day ends). Absent in a config recorded before the rule: 300.
   */
  printConfirmTimeoutSeconds?: number | null;
  /**
   * Recent service times kept per service for the wait estimate and the tier rule. 100, not 20: queues
   * grow after runs of long cases, so a short memory reads a long queue with a mean that the next,
   * ordinary cases do not keep (at ρ 0.8, 20 samples overestimated waits by 0.06 min, 100 by none measurable).
   */
  serviceTimeSamples: number;
}

export interface HallConfig {
  id: string;
  name: Lang;
  /** Minutes east of UTC (China: 480). */
  utcOffsetMinutes: number;
  hours: HallHours;
  services: ServiceDef[];
  windows: WindowDef[];
  staff: StaffDef[];
  policy: Policy;
  /**
   * Whether the hall server sends SMS (`server.sms.provider` is not `none`). false: no SMS-only ticket
   * (core/decide-ticket.ts refuses delivery `sms` with `sms-off`), no phone kept for notices, and the
   * kiosk page offers neither. Absent (a config recorded before this field, a test hall): as before, on.
   */
  smsEnabled?: boolean;
}

export const defaultPolicy: Policy & Required<Pick<Policy, 'printConfirmTimeoutSeconds' | 'perPhone'>> = {
  recallLimit: 2,
  noShow: { requeueAfter: 3, maxRequeues: 1 },
  interleave: { normal: 2, priority: 1 },
  agingMinutes: 60,
  tierSlack: 0.25,
  nearFactor: 1.5,
  nearAtIssue: false,
  perId: { maxOpenPerService: 1, dailyCap: 5 },
  // Two open per service: a companion's ticket may be texted to the same phone as the citizen's own.
  perPhone: { maxOpenPerService: 2, dailyCap: 5 },
  priorityAge: 70,
  appointment: { earlyMinutes: 30, lateMinutes: 15 },
  ratingTimeoutSeconds: 120,
  printConfirmTimeoutSeconds: 300,
  serviceTimeSamples: 100,
};

/** 非常满意 · 满意 · 基本满意 · 不满意 · 非常不满意 */
export type Grade = 'very-satisfied' | 'satisfied' | 'basic' | 'dissatisfied' | 'very-dissatisfied';
export const grades: readonly Grade[] = ['very-satisfied', 'satisfied', 'basic', 'dissatisfied', 'very-dissatisfied'];
export const gradeNames: Record<Grade, Lang> = {
  'very-satisfied': { zh: '非常满意', en: 'Very satisfied' },
  satisfied: { zh: '满意', en: 'Satisfied' },
  basic: { zh: '基本满意', en: 'Basically satisfied' },
  dissatisfied: { zh: '不满意', en: 'Dissatisfied' },
  'very-dissatisfied': { zh: '非常不满意', en: 'Very dissatisfied' },
};
export function isBadGrade(g: Grade): boolean {
  return g === 'dissatisfied' || g === 'very-dissatisfied';
}
