import type { Logger } from '../../drivers/common/logger.js';
import { localTime, type HallState } from '../core/index.js';

/**
 * Watches for the clock (or `hall.utcOffsetMinutes`) being behind the hall's day: the core keeps the
 * hall in its day then (days only move forward, core/execute.ts), so numbers go on and nothing expires,
 * and a new day starts only when the clock reaches the next one. Warns once when that begins and
 * says when it ends, so a technician sees a wrong RTC, an NTP step or an offset typo in the journal.
 * Call with the state and the time at every tick.
 */
export function clockBehindWatch(logger: Logger): (state: HallState, now: number) => void {
  let behind = false;
  return (state, now) => {
    if (!state.config || state.day === '') return;
    const clockDay = localTime(now, state.config.utcOffsetMinutes).day;
    if (clockDay < state.day && !behind) {
      behind = true;
      logger.warn({ hallDay: state.day, clockDay, utcOffsetMinutes: state.config.utcOffsetMinutes }, "the clock is behind the hall's day (set back, or hall.utcOffsetMinutes changed): the hall stays in its day, numbers go on; check the clock (timedatectl) and the offset");
    } else if (clockDay >= state.day && behind) {
      behind = false;
      logger.info({ hallDay: state.day, clockDay }, "the clock has reached the hall's day again");
    }
  };
}
