/**
 * Call → LED frame fully on the wire, on one RS-485 line at 9600 baud with 40 BX screens and 40 polled
 * keypads, over a real pty pair (socat), versus one frame's wire time (n bytes × 10 / 9600 s).
 *
 * The host side is the agent's: Rs485Bus (with the line's baud rate) + BxScreen + Keypad in poll mode with
 * the agent's defaults (`keypadPolling`: poll every 200 ms, 80 ms poll timeout, an offline keypad every 5 s
 * without retries, compact poll frames): 40 keypads keep the line saturated with polls. The floor it prints
 * is computed from those frames' sizes: a call waits at most for the poll exchange already on the wire
 * (poll + idle reply + the bus's 3.5-character turnaround), so p99 cannot go below
 * (call frame + that exchange) / call frame by scheduling. A call is `screen.show(…, { urgent: true })` then the keypad display write, as the agent's display
 * flow does. The end is the wire time at which the frame's last byte arrived at the emulated screen
 * (Rs485LineEmulator.lastHeardAt), not when the pty delivered it. The baseline, interleaved run by run, is
 * the same calls on the same line with the keypads stopped (an idle bus).
 *
 * The dead-keypad variant, interleaved too, is the same calls with 2 of the 40 keypads not answering
 * (their emulators' fault `no-reply`, as an unplugged keypad), measured once the driver has reported
 * both offline: what a silent keypad's polls cost the calls. It also counts the calls over 1.5× (those
 * that waited for a silent poll on the wire; 40 calls a run make its p99 the second-slowest call), the
 * polls the dead keypads got during the calls and any answering keypad the driver took for offline (a
 * too-short timeout).
 *
 * Run alone: npx tsx scripts/bench/bus-latency.ts [--frames=ff68]   (the FF 68 poll frames instead of the default, to compare)
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openSerialPtyPair } from '../../drivers/common/pty-pair.js';
import { Keypad } from '../../drivers/keypad/driver.js';
import { KEYPAD_SIDE, KeypadFramer, encodeIdle, encodePoll, polledAddress } from '../../drivers/keypad/codec.js';
import { compactPolls, encodeCompactIdle, encodeCompactPoll } from '../../drivers/keypad/compact.js';
import { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { KEYPAD_POLL_DEFAULTS, POLL_FRAMES, type PollFrames } from '../../drivers/keypad/polling-schemas.js';
import type { EmulatedBusDevice } from '../../drivers/rs485/bus-device.js';
import { BxScreenEmulator } from '../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../drivers/led-screen/bx-screen.js';
import { layoutScreen } from '../../drivers/led-screen/layout.js';
import { Rs485Bus } from '../../drivers/rs485/bus.js';
import { byteTimeMs } from '../../drivers/rs485/clock.js';
import { Rs485LineEmulator } from '../../drivers/rs485/line-emulator.js';

const BAUD = 9600;
const N = 40;
/** The dead-keypad variant's silent keypads (2 of the 40). */
const DEAD = [7, 23];
/** The agent's keypad poll settings: each line's `keypadPolling` defaults (drivers/keypad/polling-schemas.ts). */
const KEYPAD_POLL = {
  pollIntervalMs: KEYPAD_POLL_DEFAULTS.intervalMs,
  pollTimeoutMs: KEYPAD_POLL_DEFAULTS.timeoutMs,
  offlinePollIntervalMs: KEYPAD_POLL_DEFAULTS.offlineIntervalMs,
  pollFrames: KEYPAD_POLL_DEFAULTS.frames,
};
/** Bytes of one poll exchange (poll + idle reply) with each kind of poll frames, from the encoders themselves. */
const EXCHANGE_BYTES = {
  compact: { poll: encodeCompactPoll(1).length, reply: encodeCompactIdle(1).length },
  ff68: { poll: encodePoll(1).length, reply: encodeIdle(1).length },
};
/** The bus's default turnaround at a known baud rate, in characters (drivers/rs485/bus.ts). */
const TURNAROUND_CHARS = 3.5;

/** Counts the polls (either kind) the host sends to some addresses (heard on the line, as a keypad would). */
class PollCounter implements EmulatedBusDevice {
  readonly name = 'poll-counter';
  count = 0;
  private readonly framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
  constructor(private readonly addresses: readonly number[]) {}
  hear(chunk: Buffer): Buffer[] {
    for (const out of this.framer.push(chunk)) {
      const poll = polledAddress(out);
      if (poll && this.addresses.includes(poll.address)) this.count++;
    }
    return [];
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}
const median = (xs: number[]) => quantile(xs, 0.5);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** One call's figures: latency to the frame's last byte on the wire, and that frame's own wire time. */
interface Sample {
  latencyMs: number;
  frameMs: number;
}

export async function benchBusLatency(say: (s: string) => void = console.log, opts: { runs?: number; callsPerRun?: number; idleCallsPerRun?: number; frames?: PollFrames } = {}): Promise<void> {
  const frames = opts.frames ?? KEYPAD_POLL.pollFrames;
  const runs = opts.runs ?? 4;
  const callsPerRun = opts.callsPerRun ?? 40;
  const idleCalls = opts.idleCallsPerRun ?? 10;
  const b = byteTimeMs(BAUD);
  const pair = await openSerialPtyPair(BAUD);
  const line = new Rs485LineEmulator(pair.device, { baudRate: BAUD });
  const bus = new Rs485Bus(pair.host, { baudRate: BAUD, defaultTimeoutMs: 300, defaultRetries: 2 });
  const screenEmus = new Map<number, BxScreenEmulator>();
  const screens = new Map<number, BxScreen>();
  const keypadEmus = new Map<number, KeypadEmulator>();
  let keypads: Keypad[] = [];
  for (let a = 1; a <= N; a++) {
    const emu = new BxScreenEmulator({ address: a });
    screenEmus.set(a, emu);
    line.add(emu);
    const kemu = new KeypadEmulator({ address: a });
    keypadEmus.set(a, kemu);
    line.add(kemu);
    screens.set(a, new BxScreen(bus, { address: a }));
  }
  const deadPolls = new PollCounter(DEAD);
  line.add(deadPolls);
  line.start();
  let ticket = 0;
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };

  const call = async (): Promise<Sample> => {
    const window = 1 + Math.floor(rand() * N);
    const content = { window, ticket: `A${String(100 + (ticket++ % 900))}`, paused: false };
    const screen = screens.get(window) as BxScreen;
    const emu = screenEmus.get(window) as BxScreenEmulator;
    const frameMs = screen.frameFor(layoutScreen(content)).length * b;
    const shown = new Promise<number>((resolve) => {
      const off = emu.onChange(() => {
        off();
        resolve(line.lastHeardAt);
      });
    });
    const t0 = performance.now();
    const written = screen.show(content, { urgent: true });
    void keypads[window - 1]?.showTicket(3, content.ticket).catch(() => undefined);
    const at = await shown;
    await written;
    return { latencyMs: at - t0, frameMs };
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const loaded: Sample[][] = [];
  const idle: Sample[][] = [];
  const dead: Sample[][] = [];
  /** Polls the dead keypads got while the calls ran, and how long the calls ran (ms). */
  let deadPollCount = 0;
  let deadCallsMs = 0;
  /** Answering keypads the driver reported offline during the dead-keypad runs. */
  let falseOffline = 0;
  /** Bus attempts retried (a poll unanswered or damaged) and exchanges completed while all keypads answered. */
  let loadedRetries = 0;
  let loadedExchanges = 0;
  const startKeypads = () => {
    keypads = Array.from({ length: N }, (_, i) => new Keypad({ address: i + 1, bus, ...KEYPAD_POLL, pollFrames: frames }));
    for (const k of keypads) k.start();
  };
  const calls = async (): Promise<Sample[]> => {
    const run: Sample[] = [];
    for (let i = 0; i < callsPerRun; i++) {
      run.push(await call());
      await pause(40 + rand() * 120); // calls land at random points of the poll cycle
    }
    return run;
  };
  try {
    // Every screen shown once first, so later calls change text (the change gate skips repeats).
    await Promise.all([...screens.entries()].map(([w, s]) => s.show({ window: w, paused: false }, { urgent: false })));
    for (let r = 0; r < runs; r++) {
      startKeypads();
      await pause(600); // let the polls fill the line
      const stats0 = { ...bus.stats };
      loaded.push(await calls());
      loadedRetries += bus.stats.retries - stats0.retries;
      loadedExchanges += bus.stats.exchanges - stats0.exchanges;
      await Promise.all(keypads.map((k) => k.stop()));
      keypads = [];
      const base: Sample[] = [];
      for (let i = 0; i < idleCalls; i++) {
        base.push(await call());
        await pause(20);
      }
      idle.push(base);
      // Two keypads dead: measured once the driver has said both are offline (the steady state of a hall
      // with an unplugged keypad), the polls to them counted while the calls run.
      for (const a of DEAD) keypadEmus.get(a)?.setFault('no-reply');
      startKeypads();
      const offline = DEAD.map((a) => new Promise<void>((resolve) => keypads[a - 1]?.on((e) => e.type === 'offline' && resolve())));
      const offs = keypads.map((k, i) => (DEAD.includes(i + 1) ? () => {} : k.on((e) => e.type === 'offline' && falseOffline++)));
      await Promise.all(offline);
      await pause(600);
      const polls0 = deadPolls.count;
      const t0 = performance.now();
      dead.push(await calls());
      deadCallsMs += performance.now() - t0;
      deadPollCount += deadPolls.count - polls0;
      for (const off of offs) off();
      await Promise.all(keypads.map((k) => k.stop()));
      keypads = [];
      for (const a of DEAD) keypadEmus.get(a)?.setFault('none');
    }
  } finally {
    await Promise.all(keypads.map((k) => k.stop()));
    line.stop();
    bus.close();
    await pair.close();
  }

  const ratio = (s: Sample) => s.latencyMs / s.frameMs;
  const perRun = (runs: Sample[][]) =>
    runs.map((run) => ({
      p50: quantile(run.map((s) => s.latencyMs), 0.5),
      p99: quantile(run.map((s) => s.latencyMs), 0.99),
      r50: quantile(run.map(ratio), 0.5),
      r99: quantile(run.map(ratio), 0.99),
    }));
  const per = perRun(loaded);
  const all = loaded.flat();
  const base = idle.flat();
  const frame84 = 84 * b;
  const ex = EXCHANGE_BYTES[frames];
  const exchangeMs = (ex.poll + ex.reply + TURNAROUND_CHARS) * b;
  const floorOf = (k: keyof typeof EXCHANGE_BYTES) => (84 + EXCHANGE_BYTES[k].poll + EXCHANGE_BYTES[k].reply + TURNAROUND_CHARS) / 84;
  say(
    `floor by scheduling: a call waits at most for the poll exchange on the wire, with ${frames} poll frames ${ex.poll}-byte poll + ${ex.reply}-byte idle reply + ${TURNAROUND_CHARS} characters of turnaround = ${f1(exchangeMs)} ms at ${BAUD} baud: ` +
      `(${f1(frame84)} + ${f1(exchangeMs)}) / ${f1(frame84)} = ${f2(floorOf(frames))}× (compact frames ${f2(floorOf('compact'))}×, FF 68 frames ${EXCHANGE_BYTES.ff68.poll} + ${EXCHANGE_BYTES.ff68.reply} bytes ${f2(floorOf('ff68'))}×)`,
  );
  say(
    `call → LED frame fully on the wire, ${N} BX screens + ${N} polled keypads at ${BAUD} baud over a pty (socat), ${runs} runs × ${callsPerRun} calls: ` +
      `p50 ${f1(median(per.map((p) => p.p50)))} ms (min ${f1(Math.min(...per.map((p) => p.p50)))}), p99 ${f1(median(per.map((p) => p.p99)))} ms (min ${f1(Math.min(...per.map((p) => p.p99)))}), max ${f1(Math.max(...all.map((s) => s.latencyMs)))} ms; ` +
      `vs the call's own frame wire time (84 bytes = ${f1(frame84)} ms): p50 ${f2(median(per.map((p) => p.r50)))}×, p99 ${f2(median(per.map((p) => p.r99)))}× (min ${f2(Math.min(...per.map((p) => p.r99)))}×, pooled ${f2(quantile(all.map(ratio), 0.99))}×; goal ≤ 1.2×); ` +
      `idle-bus baseline (keypads stopped, interleaved): p50 ${f2(quantile(base.map(ratio), 0.5))}×, max ${f2(Math.max(...base.map(ratio)))}×; ` +
      `attempts retried while the calls ran (a poll or a screen write unanswered or damaged): ${loadedRetries} in ${loadedExchanges} exchanges`,
  );
  const perDead = perRun(dead);
  const allDead = dead.flat();
  say(
    `the same with ${DEAD.length} of the ${N} keypads dead (no reply; measured once the driver reported them offline), interleaved, ${runs} runs × ${callsPerRun} calls: ` +
      `p50 ${f1(median(perDead.map((p) => p.p50)))} ms, p99 ${f1(median(perDead.map((p) => p.p99)))} ms (min ${f1(Math.min(...perDead.map((p) => p.p99)))}), max ${f1(Math.max(...allDead.map((s) => s.latencyMs)))} ms; ` +
      `vs the call's own frame wire time: p50 ${f2(median(perDead.map((p) => p.r50)))}×, p99 ${f2(median(perDead.map((p) => p.r99)))}× (min ${f2(Math.min(...perDead.map((p) => p.r99)))}×, pooled ${f2(quantile(allDead.map(ratio), 0.99))}×, max ${f2(Math.max(...allDead.map(ratio)))}×; goal ≤ 1.2×); ` +
      `calls over 1.5× (waited for a silent poll): ${allDead.filter((x) => ratio(x) > 1.5).length} of ${allDead.length} (all keypads answering: ${all.filter((x) => ratio(x) > 1.5).length} of ${all.length}); ` +
      `polls to the dead keypads while the calls ran: ${deadPollCount} in ${f1(deadCallsMs / 1000)} s (${f2(deadPollCount / (deadCallsMs / 1000) / DEAD.length)} per keypad per s); answering keypads reported offline: ${falseOffline}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = process.argv.find((a) => a.startsWith('--frames='))?.slice('--frames='.length);
  if (arg !== undefined && !(POLL_FRAMES as readonly string[]).includes(arg)) throw new Error(`--frames: one of ${POLL_FRAMES.join(', ')}`);
  await benchBusLatency(console.log, arg === undefined ? {} : { frames: arg as PollFrames });
}
