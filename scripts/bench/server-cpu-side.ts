/**
 * The two processes of scripts/bench/server-cpu.ts besides itself: one checkout's server (bundled from
 * that checkout's sources as the production build bundles them) and the load's client.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { silentLogger } from '../../drivers/common/logger.js';
import { Random } from '../../src/sim/random.js';
import { quantile } from '../../src/sim/stats.js';
import type * as Core from '../../src/core/index.js';
import type * as Engine from '../../src/server/engine.js';
import type * as Server from '../../src/server/mqtt-server.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { connectLoadClient } from './mqtt-load-client.js';
import { benchConfig, issue, mixed } from './mqtt-rig.js';

export type Msg = Record<string, unknown> & { kind: string };

/** The open loop's offered rate (commands/s): issue 12's goal, ≥ 1,200 mixed commands/s with p99 ≤ 10 ms. */
export const OPEN_RATE = 1200;

/** The server side's parts, from the checkout measured. */
export interface SideModules {
  core: Pick<typeof Core, 'epochOf' | 'waitingTickets'>;
  HallEngine: typeof Engine.HallEngine;
  MqttServer: typeof Server.MqttServer;
}

const reply = (m: Msg) => process.send?.(m);
/** The next message from the parent. */
const nextMessage = () => new Promise<Msg>((res) => process.once('message', (m: Msg) => res(m)));

/**
 * The load's client: sends what the side asks for and says when all are answered, with the p50 and p99
 * of the answers' latencies (ms). Closed (`fill`, `mixed`, `noop`): 16 in flight, each sent when one is
 * answered. Open (`open-mixed`, `open-noop`): sent at Poisson arrival times of `rate` per second
 * (seeded), whatever is in flight, each timed from its arrival time, not from when the client got round
 * to sending it (a late send is the system's delay, not a pause of the measurement).
 */
export async function clientMain(url: string): Promise<void> {
  const { command } = await connectLoadClient(url, benchConfig.id, `bench-load-${process.pid}`);
  reply({ kind: 'ready' });
  for (;;) {
    const m = await nextMessage();
    const n = Number(m.n);
    const kind = String(m.kind).replace(/^open-/, '');
    // The no-op: a CallNext to a window the hall does not have (parsed, decided, refused, nothing appended), as in commands.ts.
    const body = kind === 'fill' ? issue : kind === 'noop' ? () => ({ type: 'CallNext', window: 99 }) : mixed;
    const lat: number[] = [];
    // Each command's arrival as a wall-clock time (ms since the epoch, sub-ms: the server's process reads the same clock), beside its latency.
    const sent: number[] = [];
    const send = async (i: number, t0: number) => {
      const res = (await command(body(i))) as { status: string };
      if (kind !== 'noop' && res.status !== 'ok') throw new Error(`bench command failed: ${JSON.stringify(res)}`);
      lat.push(performance.now() - t0);
      sent.push(performance.timeOrigin + t0);
    };
    const t0 = performance.now();
    if (String(m.kind).startsWith('open-')) await openLoop(n, Number(m.rate), Number(m.seed), send);
    else {
      let next = 0;
      const worker = async () => {
        while (next < n) await send(next++, performance.now());
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    }
    reply({ kind: 'done', p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), lat: lat.map((x) => Math.round(x * 100) / 100), sent, perSec: n / ((performance.now() - t0) / 1000) });
  }
}

/** Sends `n` commands at Poisson arrival times of `rate` per second; resolves when all are answered. */
async function openLoop(n: number, rate: number, seed: number, send: (i: number, arrival: number) => Promise<void>): Promise<void> {
  const random = new Random(seed);
  const start = performance.now();
  const arrivals: number[] = [];
  let at = start;
  for (let i = 0; i < n; i++) arrivals.push((at += random.exponential(1000 / rate)));
  const answered: Promise<void>[] = [];
  let i = 0;
  while (i < n) {
    // Every arrival that is due goes now; then sleep until the next one (timers are ~1 ms coarse).
    const now = performance.now();
    while (i < n && (arrivals[i] ?? Infinity) <= now) {
      answered.push(send(i, arrivals[i] ?? now));
      i++;
    }
    if (i < n) await new Promise((r) => setTimeout(r, Math.max(0, (arrivals[i] ?? now) - performance.now())));
  }
  await Promise.all(answered);
}

/**
 * With PROFILE_OPEN=<dir>: a CPU profile of the open loop's rounds alone (node:inspector, sampling every
 * 100 µs), written there when the round ends (summarise with scripts/bench/top-functions.mjs).
 */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** One checkout's server (its engine and MqttServer on its own broker and log), measuring its own process per round. */
export async function sideMain(mods: SideModules, startClient: (url: string) => { send(m: Msg): void; once(e: 'message', f: (m: Msg) => void): void; kill(): void }): Promise<void> {
  const { core, HallEngine, MqttServer } = mods;
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'hallq-server-cpu-'));
  const base = core.epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  // Each round is a day of its own (a hall issues 999 numbers a day per service; a round takes ~2,200):
  // the clock moves a day on, the first command rolls the day over and the windows open again.
  let days = 0;
  const clock = () => base + days * 86_400_000 + (Date.now() - start);
  const engine = HallEngine.open(join(dir, 'hall.db'), benchConfig, silentLogger, clock());
  // Each snapshot, timed (ms) and where it was written: by the snapshot worker off the event loop, or (a
  // checkout without one) in the event loop after a batch's append, where every command in flight waits for
  // it; the open loop's p99 is read beside them, and the commands that arrived while one was being written
  // (from the request to the row committed, as wall-clock times the load's process reads alike) apart.
  const snapshotMs: number[] = [];
  const snapshotWhere: string[] = [];
  const snapshotSpans: [number, number][] = [];
  const wallNow = () => performance.timeOrigin + performance.now();
  if ('onSnapshotSaved' in engine && typeof engine.onSnapshotSaved === 'function') {
    engine.onSnapshotSaved((s: { where: string; ms: number }) => {
      snapshotMs.push(s.ms);
      snapshotWhere.push(s.where);
      snapshotSpans.push([wallNow() - s.ms, wallNow()]);
    });
  } else {
    const log = (engine as { log: { saveSnapshot(seq: number, state: unknown): number } }).log;
    const save = log.saveSnapshot.bind(log);
    log.saveSnapshot = (seq, state) => {
      const t0 = performance.now();
      const bytes = save(seq, state);
      snapshotMs.push(performance.now() - t0);
      snapshotSpans.push([performance.timeOrigin + t0, wallNow()]);
      snapshotWhere.push('log');
      return bytes;
    };
  }
  const server = new MqttServer(engine, { url: broker.url, hall: benchConfig.id, clock, authorize: (_client, request) => ({ ok: true, request }) }, silentLogger);
  await server.start();
  const openWindows = () => {
    for (const w of benchConfig.windows) server.run({ id: `open-${days}-${w.id}`, type: 'OpenWindow', window: w.id, staffId: `s${w.id}` } as Core.Command);
  };
  openWindows();
  const load = startClient(broker.url);
  const ask = (m: Msg) =>
    new Promise<Msg>((res) => {
      load.once('message', res);
      load.send(m);
    });
  await new Promise((r) => load.once('message', r));
  const refill = async () => {
    const missing = 1000 - core.waitingTickets(engine.state).length;
    if (missing > 0) await ask({ kind: 'fill', n: missing });
  };
  await refill();
  reply({ kind: 'ready' });
  for (;;) {
    const m = await nextMessage();
    if (m.kind === 'stop') break;
    days += 1;
    openWindows();
    await refill();
    const measure = async (kind: 'mixed' | 'noop' | 'open-mixed' | 'open-noop') => {
      snapshotMs.length = 0;
      snapshotSpans.length = 0;
      snapshotWhere.length = 0;
      // What held the event loop meanwhile: its longest stall and the longest GC pause (ms).
      const delay = monitorEventLoopDelay({ resolution: 1 });
      let gcMaxMs = 0;
      // Pause count and total by kind: minor (scavenges of the young generation) and major (mark-compact).
      const gcTotals = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
      const gc = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gcMaxMs = Math.max(gcMaxMs, e.duration);
          const kind = (e as { detail?: { kind?: number } }).detail?.kind;
          if (kind === constants.NODE_PERFORMANCE_GC_MINOR) (gcTotals.minor += 1), (gcTotals.minorMs += e.duration);
          else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) (gcTotals.major += 1), (gcTotals.majorMs += e.duration);
        }
      });
      gc.observe({ entryTypes: ['gc'] });
      delay.enable();
      // How busy the event loop was (its utilisation, 0–1), and the share of the time in durable appends
      // (HallEngine.appends, where the checkout has it: the transactions and the fsync each waits for).
      const appendsOf = () => ('appends' in engine ? (engine as { appends: { transactions: number; commands: number; seconds: number } }).appends : undefined);
      const a0 = { ...(appendsOf() ?? { transactions: 0, commands: 0, seconds: 0 }) };
      const elu0 = performance.eventLoopUtilization();
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const profiling = kind === 'open-mixed' && process.env.PROFILE_OPEN ? await startProfile() : undefined;
      const r = await ask({ kind, n: 1200, rate: OPEN_RATE, seed: Number(m.round ?? 0) + 1 });
      if (profiling) await profiling(join(String(process.env.PROFILE_OPEN), `open-${process.pid}-${String(m.round ?? 0)}.cpuprofile`));
      const cpu = process.cpuUsage(cpu0);
      const loopBusy = performance.eventLoopUtilization(elu0).utilization;
      const wallS = (performance.now() - t0) / 1000;
      const a1 = appendsOf();
      const appends = a1 === undefined ? undefined : { share: (a1.seconds - a0.seconds) / wallS, perSec: (a1.transactions - a0.transactions) / wallS, commandsEach: (a1.commands - a0.commands) / Math.max(1, a1.transactions - a0.transactions) };
      delay.disable();
      gc.disconnect();
      const loopMaxMs = delay.max / 1e6;
      // The latencies of the commands that arrived while a snapshot was being written (the rest are `lat` less these).
      const sent = (r.sent as number[] | undefined) ?? [];
      const lat = r.lat as number[];
      const duringSnapshots = lat.filter((_, i) => snapshotSpans.some(([from, to]) => (sent[i] ?? NaN) >= from && (sent[i] ?? NaN) <= to));
      return { cpuUs: (cpu.user + cpu.system) / 1200, perSec: 1200 / ((performance.now() - t0) / 1000), p50: Number(r.p50), p99: Number(r.p99), lat, duringSnapshots, snapshotMs: [...snapshotMs], snapshotWhere: [...snapshotWhere], loopMaxMs, gcMaxMs, gcTotals, loopBusy, appends };
    };
    // The load, then the no-op baseline right after it on the same process and state; then the same
    // offered at the goal's rate (open loop), the queue topped up again first.
    const load1 = await measure('mixed');
    const noop = await measure('noop');
    await refill();
    const open = await measure('open-mixed');
    const openNoop = await measure('open-noop');
    reply({ kind: 'round', ...load1, noop, open, openNoop });
  }
  load.kill();
  await server.stop();
  engine.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
