import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of background threads: the lowest CPU priority there is (nice(2): -20 … 19). */
export const BACKGROUND_NICE = 19;

/**
 * Lowers the CPU priority of the calling thread only, to `nice` (default BACKGROUND_NICE), so work that
 * no one waits for (the snapshot worker) runs on what the event loop, the broker and the agents leave.
 *
 * Linux only: under NPTL the nice value is a per-thread attribute and setpriority(2) with PRIO_PROCESS
 * and a thread id sets that thread's alone (setpriority(2), NOTES/BUGS; sched(7)); the id is read from
 * /proc/thread-self (proc(5)). Raising the value needs no privilege. Returns the nice value now set, or
 * undefined where it could not be done (another OS, no /proc): never throws, the thread runs on as it was.
 */
export function lowerThreadPriority(nice = BACKGROUND_NICE): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // "<pid>/task/<tid>": the link /proc/thread-self resolves to, for the thread that reads it.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    setPriority(tid, nice);
    return nice;
  } catch {
    return undefined;
  }
}
