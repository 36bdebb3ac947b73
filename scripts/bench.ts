/**
 * `npm run bench`: hallq's speed and queue quality, each as a ratio against a baseline measured in
 * the same run, interleaved where it is measured (the disk's fsync, a no-op command) or computed on the
 * same citizens (a queue per window), or theory (Erlang C); repeated, with the min and the median of
 * the ratios printed. Each part runs alone too (scripts/bench/*.ts, see each file's header for its
 * knobs; `BENCH_REPEATS=N` lowers the repeats of scripts/bench/basics.ts).
 */
import { benchAppend, benchAppendMonth, benchCommand, benchErlang, benchPooling } from './bench/basics.js';
import { benchBusLatency } from './bench/bus-latency.js';
import { benchStartup } from './bench/startup.js';
import { benchTouchToCut } from './bench/touch-to-cut.js';

const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};

benchAppend(say);
benchAppendMonth(say); // issue 12: a commit's p50 and p99 on a month's log vs the raw fsync
benchCommand(say);
await (await import('./bench/commands.js')).benchCommands(say); // issue 12: commands/s and p50/p99 over MQTT vs a no-op command and the raw fsync rate
await (await import('./bench/server-cpu.js')).benchServerCpu(say); // issue 12: the server's own CPU per command as shipped (bundled), vs a no-op command
await (await import('./bench/live-stream.js')).benchLiveStream(say); // issue 12: live stream CPU per event, 100 pages vs one
benchErlang(say);
benchPooling(say);
// Device timing (issue 12), each in its own file under scripts/bench/.
await benchBusLatency(say);
// Start time and RSS of `hallq server` from the build vs bare Node (scripts/bench/startup.ts; needs `npm run build`).
await benchStartup(say);
await benchTouchToCut(say);
(await import('./bench/queue-rules.js')).benchQueueRules(say); // issue 12: estimate, tiers, strict priority, Erlang C over seeds
await (await import('./bench/reports.js')).benchReports(say); // issue 11: a year of reports vs a full log scan
// Many halls, one city (issue 14): events/s and lag at 10 / 100 / 1,000 simulated halls vs the broker's own delivery (scripts/bench/city.ts).
await (await import('./bench/city.js')).benchCity(say);
