/**
 * The core alone (no MQTT, no store): CPU per command of the commands bench's load, by type (CPU
 * time of this process, so a shared machine inflates it less than wall time would).
 *   npx tsx scripts/bench/core-commands.ts
 */
import { emptyState, epochOf, execute, waitingTickets, type Command } from '../../src/core/index.js';
import { benchConfig, issue, mixed } from './mqtt-rig.js';

const state = emptyState();
const base = epochOf('2026-11-23', 600, 480);
let now = base;
let n = 0;
const run = (c: Record<string, unknown>) => execute(state, { ...c, id: `c${++n}` } as Command, now);
run({ type: 'Configure', config: benchConfig, source: 'system' });
for (const w of benchConfig.windows) run({ type: 'OpenWindow', window: w.id, staffId: `s${w.id}` });
const times = { issue: [] as number[], call: [] as number[] };
const rounds = Number(process.env.ROUNDS ?? 4);
for (let r = 0; r < rounds; r++) {
  let i = 0;
  while (waitingTickets(state).length < 1000) run(issue(i++));
  for (let k = 0; k < 1200; k++) {
    now += 50;
    const c = mixed(k);
    const t = process.cpuUsage();
    run(c);
    const d = process.cpuUsage(t);
    (c.type === 'IssueTicket' ? times.issue : times.call).push((d.user + d.system) / 1000);
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const skip = (xs: number[]) => xs.slice(Math.floor(xs.length / rounds)); // first round warms up
console.log(`core only, ${rounds - 1} rounds after one warm-up: issue ${(mean(skip(times.issue)) * 1000).toFixed(0)} µs, call ${(mean(skip(times.call)) * 1000).toFixed(0)} µs, mixed ${(((mean(skip(times.issue)) * 200 + mean(skip(times.call)) * 1000) / 1200) * 1000).toFixed(0)} µs per command; ${waitingTickets(state).length} waiting at the end`);
