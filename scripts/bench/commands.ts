/**
 * Issue 12, "make a command cheap": commands/s and p50/p99 end to end over MQTT (real Mosquitto,
 * the real engine with durable appends, synchronous=FULL), each round against baselines measured
 * interleaved in the same run:
 *  - the same path with a no-op command (a CallNext to a window the hall does not have: parsed,
 *    validated, batched and decided like any command, refused without touching the log);
 *  - the raw fsync rate of the same disk (write + fsync of 300 bytes), against the durable path with
 *    one command in flight (no group commit possible) and with 16 in flight (group commit).
 * Load: 1,000 waiting tickets topped up before each round, then 200 issues + 1,000 calls mixed.
 *
 *   npx tsx scripts/bench/commands.ts
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitingTickets } from '../../src/core/index.js';
import { quantile } from '../../src/sim/stats.js';
import { fillHall, issue, mixed, startRig, type Rig } from './mqtt-rig.js';

interface Round {
  /** CPU of this process (server and the bench's client) per command, ms: robust when the machine is shared. */
  cpuMs: number;
  perSec: number;
  p50: number;
  p99: number;
}

async function round(rig: Rig, n: number, inFlight: number, body: (i: number) => Record<string, unknown>): Promise<Round> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      const res = (await rig.command(body(i))) as { status: string };
      if (res.status !== 'ok') throw new Error(`bench command failed: ${JSON.stringify(res)}`);
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / n, perSec: n / secs, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
}

async function refill(rig: Rig, n: number): Promise<void> {
  const missing = n - waitingTickets(rig.engine.state).length;
  await Promise.all(Array.from({ length: Math.max(0, missing) }, (_, i) => rig.command(issue(i))));
}

function fsyncPerSec(n = 150): number {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-fsync-'));
  try {
    const fd = openSync(join(dir, 'raw.bin'), 'w');
    const payload = 'x'.repeat(300);
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      writeSync(fd, payload);
      fsyncSync(fd);
    }
    const secs = (performance.now() - t) / 1000;
    closeSync(fd);
    return n / secs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${(s[0] ?? NaN).toFixed(2)}, median ${quantile(s, 0.5).toFixed(2)}`;
};

export async function benchCommands(say: (s: string) => void = console.log, reps = 3): Promise<void> {
  const rig = await startRig();
  // Count commits to report the mean group size.
  const log = rig.engine.log;
  const appendBatch = log.appendBatch.bind(log);
  let commits = 0;
  log.appendBatch = (batch) => {
    commits += 1;
    appendBatch(batch);
  };
  try {
    await fillHall(rig, 1000);
    const r = { durable: [] as Round[], noop: [] as Round[], single: [] as Round[], fsync: [] as number[], group: [] as number[] };
    for (let k = 0; k < reps; k++) {
      await refill(rig, 1000);
      const c0 = commits;
      r.durable.push(await round(rig, 1200, 16, mixed));
      r.group.push(1200 / Math.max(1, commits - c0));
      r.noop.push(await round(rig, 1200, 16, () => ({ type: 'CallNext', window: 99 })));
      r.fsync.push(fsyncPerSec());
      await refill(rig, 1000);
      r.single.push(await round(rig, 40, 1, mixed));
    }
    const med = (xs: number[]) => quantile(xs, 0.5);
    const d = r.durable;
    say(`commands over MQTT (Mosquitto, durable appends, ~600 waiting, 200 issues + 1,000 calls, 16 in flight), ${reps} rounds: median ${med(d.map((x) => x.perSec)).toFixed(0)} commands/s, p50 ${med(d.map((x) => x.p50)).toFixed(1)} ms, p99 ${med(d.map((x) => x.p99)).toFixed(1)} ms; mean commit group ${med(r.group).toFixed(1)} commands; CPU ${med(d.map((x) => x.cpuMs)).toFixed(2)} ms per command (→ ${(1000 / med(d.map((x) => x.cpuMs))).toFixed(0)} commands/s per core)`);
    say(`  vs the no-op command on the same path (median ${med(r.noop.map((x) => x.perSec)).toFixed(0)}/s, p99 ${med(r.noop.map((x) => x.p99)).toFixed(1)} ms, CPU ${med(r.noop.map((x) => x.cpuMs)).toFixed(2)} ms): CPU ratio ${stats(d.map((x, i) => x.cpuMs / (r.noop[i]?.cpuMs ?? NaN)))}; rate ratio ${stats(d.map((x, i) => x.perSec / (r.noop[i]?.perSec ?? NaN)))}; p99 ratio ${stats(d.map((x, i) => x.p99 / (r.noop[i]?.p99 ?? NaN)))}`);
    say(`  vs raw write+fsync (median ${med(r.fsync).toFixed(0)}/s): with group commit ${stats(d.map((x, i) => x.perSec / (r.fsync[i] ?? NaN)))}; one in flight, no group commit (median ${med(r.single.map((x) => x.perSec)).toFixed(0)}/s, p99 ${med(r.single.map((x) => x.p99)).toFixed(1)} ms) ${stats(r.single.map((x, i) => x.perSec / (r.fsync[i] ?? NaN)))}`);
  } finally {
    await rig.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCommands();
