/**
 * The load `node --cpu-prof` profiles for issue 12 ("make a command cheap"): the real engine and
 * MqttServer on Mosquitto, 1,000 waiting tickets, then rounds of 200 issues + 1,000 calls (the
 * queue averages about 600), 16 requests in flight.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench/profile-commands.ts
 *   node scripts/bench/top-functions.mjs /tmp/prof/*.cpuprofile
 *
 * With PROFILE=<file.cpuprofile> the rounds alone are profiled (not the start, the fill and the
 * top-ups, which are all issues): `npx tsx scripts/bench/profile-commands.ts` with that variable set.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fillHall, issue, mixed, startRig, type Rig } from './mqtt-rig.js';

export async function runRound(rig: Rig, inFlight = 16): Promise<number[]> {
  const waiting = rig.engine.state.seq;
  void waiting;
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < 1200) {
      const i = next++;
      const t = performance.now();
      await rig.command(mixed(i));
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return latencies;
}

/** Tops the queue up to `n` waiting tickets (untimed). */
export async function refill(rig: Rig, n: number): Promise<void> {
  const { waitingTickets } = await import('../../src/core/index.js');
  const missing = n - waitingTickets(rig.engine.state).length;
  await Promise.all(Array.from({ length: Math.max(0, missing) }, (_, i) => rig.command(issue(i))));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rig = await startRig();
  await fillHall(rig, 1000);
  const rounds = Number(process.env.ROUNDS ?? 3);
  const out = process.env.PROFILE;
  const session = out ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
  }
  for (let r = 0; r < rounds; r++) {
    await refill(rig, 1000);
    const t = performance.now();
    const cpu = process.cpuUsage();
    if (session) await session.post('Profiler.start');
    const lat = await runRound(rig);
    if (session && out) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(out.replace(/(\.cpuprofile)?$/, `-${r + 1}.cpuprofile`), JSON.stringify(profile));
    }
    const used = process.cpuUsage(cpu);
    const secs = (performance.now() - t) / 1000;
    lat.sort((a, b) => a - b);
    console.log(`round ${r + 1}: ${(1200 / secs).toFixed(0)} commands/s, p50 ${lat[600]?.toFixed(1)} ms, p99 ${lat[1188]?.toFixed(1)} ms, CPU ${((used.user + used.system) / 1000 / 1200).toFixed(3)} ms per command`);
  }
  await rig.stop();
}
