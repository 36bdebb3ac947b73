import type { Command, HallConfig, HallEvent } from '../core/index.js';

/** What a hall manager asks the simulator: "with these arrivals and these windows, how long do people wait?" */
export interface ServiceTimeSpec {
  dist: 'exponential' | 'lognormal' | 'fixed';
  meanMinutes: number;
  /** Coefficient of variation, for lognormal. */
  cv?: number;
}

export interface WindowShift {
  window: number;
  /** "08:30" */
  from: string;
  to: string;
}

export interface SimSpec {
  config: HallConfig;
  /** First simulated day, YYYY-MM-DD; days that the hall is closed are skipped. */
  startDay: string;
  days: number;
  seed: number;
  /** Poisson arrivals per hour for each service: one rate for the whole day, or 24 hourly rates (local hours). */
  arrivalsPerHour: Record<string, number | number[]>;
  serviceTime: Record<string, ServiceTimeSpec>;
  /** Window shifts; absent: every window opens with the hall and closes with it. */
  shifts?: WindowShift[];
  /** Share of arrivals that get the priority class (green channel, elderly). */
  priorityShare: number;
  /** Share of called citizens who do not come. */
  noShowRate: number;
  /** How long staff wait for a called citizen before the no-show key. */
  noShowWaitMinutes: number;
  /** Arrivals in the first minutes of each day are left out of the figures (the hall starts empty). */
  warmupMinutes: number;
  /** Keep a per-ticket trace in the report (tests and analysis). */
  trace?: boolean;
  /** Every command the core ran and the events it decided, in order (the start-time bench writes them to a log). */
  onCommand?: (cmd: Command, events: readonly HallEvent[]) => void;
  /** After each simulated day: how many are done of how many (a progress bar). */
  onDay?: (done: number, total: number) => void;
  /** With the trace: each ticket's wait position and estimated wait at issue (costs a dry run per arrival). */
  estimates?: boolean;
}
