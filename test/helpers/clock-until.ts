import type { VirtualClock } from '../../drivers/rs485/clock.js';

/** Steps a VirtualClock timer by timer until `cond` holds; throws when nothing is left to happen and it still does not. */
export async function until(clock: VirtualClock, cond: () => boolean): Promise<void> {
  await clock.settle();
  while (!cond()) {
    const due = clock.nextDue;
    if (due === undefined) throw new Error('nothing left to happen');
    await clock.advanceTo(due);
  }
}
