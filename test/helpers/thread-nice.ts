import { readdirSync, readFileSync } from 'node:fs';

/**
 * The nice value of each thread of this process, by thread id (Linux: field 19 of /proc/self/task/<tid>/stat,
 * proc(5); read after the command name, which may hold spaces and parentheses).
 */
export function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}
