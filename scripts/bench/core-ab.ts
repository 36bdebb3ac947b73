/**
 * The core of this checkout against the core of another (e.g. the commit before a change), paired:
 * the same commands of the commands bench's load run on one state per version, alternating command by
 * command, so a shared machine's load hits both alike. Prints CPU time per issue and per call, each
 * version's and their ratio per round (min and median), and checks that both emit the same events.
 *
 *   npx tsx scripts/bench/core-ab.ts /path/to/other/checkout
 */
import { isDeepStrictEqual } from 'node:util';
import { resolve } from 'node:path';
import type * as Core from '../../src/core/index.js';
import { quantile } from '../../src/sim/stats.js';
import { benchConfig, issue, mixed } from './mqtt-rig.js';

const other = process.argv[2];
if (!other) throw new Error('usage: core-ab.ts <other checkout>');
const mine = (await import('../../src/core/index.js')) as typeof Core;
const theirs = (await import(resolve(other, 'src/core/index.ts'))) as typeof Core;

interface Side {
  core: typeof Core;
  state: Core.HallState;
  issue: number;
  call: number;
}
const sides: Side[] = [mine, theirs].map((core) => ({ core, state: core.emptyState(), issue: 0, call: 0 }));
let now = mine.epochOf('2026-11-23', 600, 480);
let n = 0;
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** Runs one command on both (order alternating), returns nothing; throws when their events differ. */
const run = (c: Record<string, unknown>, timed: boolean) => {
  const cmd = { ...c, id: `c${++n}` } as Core.Command;
  const order = n % 2 === 0 ? sides : [...sides].reverse();
  const events = new Map<Side, Core.HallEvent[]>();
  for (const s of order) {
    const t = cpu();
    events.set(s, s.core.execute(s.state, cmd, now).events);
    if (timed) s[c.type === 'IssueTicket' ? 'issue' : 'call'] += cpu() - t;
  }
  if (!isDeepStrictEqual(events.get(sides[0] as Side), events.get(sides[1] as Side))) throw new Error(`the two cores differ on command ${n} (${String(c.type)})`);
};
run({ type: 'Configure', config: benchConfig, source: 'system' }, false);
for (const w of benchConfig.windows) run({ type: 'OpenWindow', window: w.id, staffId: `s${w.id}` }, false);
const rounds = Number(process.env.ROUNDS ?? 4);
const ratios = { issue: [] as number[], call: [] as number[] };
const per = { mine: { issue: [] as number[], call: [] as number[] }, theirs: { issue: [] as number[], call: [] as number[] } };
for (let r = 0; r < rounds; r++) {
  let i = 0;
  while (mine.waitingTickets((sides[0] as Side).state).length < 1000) run(issue(i++), false);
  for (const s of sides) s.issue = s.call = 0;
  for (let k = 0; k < 1200; k++) {
    now += 50;
    run(mixed(k), true);
  }
  if (r === 0) continue; // warm-up
  const [a, b] = sides as [Side, Side];
  ratios.issue.push(a.issue / b.issue);
  ratios.call.push(a.call / b.call);
  per.mine.issue.push(a.issue / 200);
  per.mine.call.push(a.call / 1000);
  per.theirs.issue.push(b.issue / 200);
  per.theirs.call.push(b.call / 1000);
}
const med = (xs: number[]) => quantile(xs, 0.5);
const mm = (xs: number[]) => `min ${Math.min(...xs).toFixed(2)}, median ${med(xs).toFixed(2)}`;
console.log(`core, this checkout vs ${other}, ${rounds - 1} rounds of 200 issues + 1,000 calls from 1,000 waiting, paired command by command, same events from both:`);
console.log(`  issue: ${med(per.mine.issue).toFixed(0)} µs vs ${med(per.theirs.issue).toFixed(0)} µs CPU (medians), ratio ${mm(ratios.issue)}`);
console.log(`  call:  ${med(per.mine.call).toFixed(0)} µs vs ${med(per.theirs.call).toFixed(0)} µs CPU (medians), ratio ${mm(ratios.call)}`);
