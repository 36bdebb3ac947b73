/**
 * issue 13: `kill -9` of `hallq demo` left its socat processes (the ptys of its emulated devices)
 * running. Each socat now ends with the demo however the demo ends: it is killed when a pipe from the
 * demo reaches its end, which the kernel closes when the demo dies, SIGKILL included.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnHallq, within } from '../helpers/hallq-process.js';

/** The processes below `root` (children, their children…), as pid → command name, from /proc. */
function descendants(root: number): Map<number, string> {
  const parent = new Map<number, { ppid: number; comm: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after its last ')'.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      parent.set(Number(name), { ppid, comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone meanwhile
    }
  }
  const out = new Map<number, string>();
  const walk = (p: number) => {
    for (const [pid, v] of parent) {
      if (v.ppid === p && !out.has(pid)) {
        out.set(pid, v.comm);
        walk(pid);
      }
    }
  };
  walk(root);
  return out;
}

/** Resolves when process `pid` (not a child of this one) is gone: `tail --pid` ends then, the event to wait for. */
const gone = (pid: number) => new Promise<void>((resolve) => spawn('tail', [`--pid=${pid}`, '-f', '/dev/null'], { stdio: 'ignore' }).once('exit', () => resolve()));

describe('hallq demo killed with SIGKILL', () => {
  it('leaves no socat running', async () => {
    const demo = spawnHallq(['demo', '--seed', '1']);
    let socats: number[] = [];
    try {
      await within(demo.says('hall server   http://127.0.0.1:'), 90_000, 'the demo banner');
      socats = [...descendants(demo.child.pid!)].filter(([, comm]) => comm === 'socat').map(([pid]) => pid);
      expect(socats.length).toBeGreaterThan(0);
      await demo.kill();
      await within(Promise.all(socats.map(gone)), 20_000, `socat ${socats.join(', ')} gone after the demo's SIGKILL`);
    } finally {
      await demo.kill();
      // What this test started and the demo did not take with it (the old code's leftovers), by pid.
      for (const pid of socats) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  }, 150_000);
});
