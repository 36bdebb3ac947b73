/**
 * A USB-RS485 adapter that hears its own transmission (an "echoing" adapter, which the keypad README's
 * receiver rules allow for) and hands the host what it received after its latency timer (FTDI's default is
 * 16 ms; drivers/keypad/README.md counts it in the poll timeout). The host's ack of a keypad's report is the
 * report echoed (the source protocol's acknowledgement), so the adapter's echo of that ack is byte for byte
 * the report. Stepped on a virtual clock over the line emulator: no sleeps, no timed assertions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../helpers/clock-until.js';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { Keypad, type KeypadEvent } from '../../../drivers/keypad/driver.js';
import { KeypadEmulator } from '../../../drivers/keypad/emulator.js';
import type { PollFrames } from '../../../drivers/keypad/polling-schemas.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import { VirtualClock, byteTimeMs } from '../../../drivers/rs485/clock.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';

const BAUD = 9600;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/**
 * The host's end of the line through an echoing adapter: every byte on the wire, the host's own and the
 * devices', reaches the host in wire order, `latencyMs` after it was on the wire.
 */
function echoingAdapter(t: Transport, clock: VirtualClock, latencyMs: number): Transport {
  const listeners = new Set<(c: Buffer) => void>();
  let txBusyUntil = 0;
  const deliver = (bytes: Buffer, onWireAt: number): void => {
    clock.timer(() => {
      for (const l of listeners) l(bytes);
    }, onWireAt + latencyMs - clock.now());
  };
  t.onData((c) => deliver(c, clock.now()));
  return {
    description: t.description,
    get isOpen() {
      return t.isOpen;
    },
    open: () => t.open(),
    close: () => t.close(),
    onClose: (fn) => t.onClose(fn),
    onData(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    write(bytes) {
      const copy = Buffer.from(bytes);
      txBusyUntil = Math.max(clock.now(), txBusyUntil) + copy.length * byteTimeMs(BAUD);
      deliver(copy, txBusyUntil);
      return t.write(bytes);
    },
  };
}

/** One keypad at address 5 on a line whose host adapter echoes with `latencyMs`; the agent's timing (poll mode). */
async function rig(frames: PollFrames, latencyMs: number | undefined, mode: 'poll' | 'push' = 'poll', localEcho = true) {
  const clock = new VirtualClock();
  const [hostEnd, dev] = memoryPair('wire');
  await hostEnd.open();
  await dev.open();
  const line = new Rs485LineEmulator(dev, { baudRate: BAUD, clock });
  const emulator = new KeypadEmulator({ address: 5, mode, resendMs: 300 });
  line.add(emulator);
  line.start();
  // The line set as the README says for such an adapter (`rs485[].localEcho: true`); latencyMs undefined: an adapter that does not echo.
  const host = latencyMs === undefined ? hostEnd : echoingAdapter(hostEnd, clock, latencyMs);
  const bus = new Rs485Bus(host, { baudRate: BAUD, clock, defaultRetries: 2, defaultTimeoutMs: 300, localEcho });
  const keypad = new Keypad({ address: 5, bus, clock, mode, pollFrames: frames, pollIntervalMs: 200, pollTimeoutMs: 80, offlinePollIntervalMs: 5000 });
  const events: KeypadEvent[] = [];
  keypad.on((e) => events.push(e));
  keypad.start();
  cleanup.push(
    async () => {
      emulator.stop();
      void keypad.stop();
      await clock.advance(1000);
    },
    () => line.stop(),
    () => bus.close(),
    () => hostEnd.close(),
    () => dev.close(),
  );
  if (mode === 'poll') await until(clock, () => keypad.status === 'online');
  return { clock, emulator, events };
}

const keys = (es: KeypadEvent[]): number => es.filter((e) => e.type === 'key').length;

describe('an echoing adapter', () => {
  it('whose echo comes back within the turnaround (3.6 ms), without localEcho: one press, one key', async () => {
    for (const frames of ['compact', 'ff68'] as const) {
      const r = await rig(frames, 2, 'poll', false);
      r.emulator.press('call');
      await until(r.clock, () => keys(r.events) > 0);
      await r.clock.advance(2000);
      expect(keys(r.events), frames).toBe(1);
      expect(r.emulator.pending).toBe(0);
    }
  });

  it('with a 16 ms latency timer and localEcho set: one press is one key (a repeat at most), not a stream of keys', async () => {
    for (const frames of ['compact', 'ff68'] as const) {
      const r = await rig(frames, 16);
      r.emulator.press('call');
      await until(r.clock, () => keys(r.events) > 0);
      await r.clock.advance(2000);
      // Seen without localEcho: the echo of the ack arrives after the bus has polled again at once (the
      // turnaround is 3.6 ms), and is the report byte for byte: taken as a new report, acked, echoed, … —
      // dozens of 'call' keys in 2 s (each one a CallNext in the agent), for any latency above the turnaround.
      expect(keys(r.events), frames).toBeLessThanOrEqual(2);
    }
  });

  it('push mode (one keypad alone on its line), localEcho set: one press is one key (a repeat at most), whatever the latency', async () => {
    for (const latencyMs of [0, 16]) {
      const r = await rig('compact', latencyMs, 'push');
      r.emulator.press('call');
      await until(r.clock, () => keys(r.events) > 0);
      await r.clock.advance(2000);
      // Seen without localEcho: the push listener hears every byte on the line, the adapter's echo of the
      // host's own ack too, which is the key frame itself: 143 'call' keys in 2 s with no latency, 76 with 16 ms.
      expect(keys(r.events), `latency ${latencyMs} ms`).toBeLessThanOrEqual(2);
    }
  });

  it('localEcho set on an adapter that does not echo: the bus gives up the expectation at the first reply, and keys arrive once', async () => {
    for (const frames of ['compact', 'ff68'] as const) {
      const r = await rig(frames, undefined);
      for (const key of ['call', 'recall', 'call'] as const) {
        const before = keys(r.events);
        r.emulator.press(key);
        await until(r.clock, () => keys(r.events) > before);
      }
      await r.clock.advance(2000);
      expect(keys(r.events), frames).toBe(3);
      expect(r.emulator.pending).toBe(0);
    }
  });

  it('localEcho with an echo: two presses of the same key are two keys (the echo of the first ack is not taken for the second)', async () => {
    const r = await rig('compact', 16);
    r.emulator.press('call');
    await until(r.clock, () => keys(r.events) > 0);
    r.emulator.press('call');
    await until(r.clock, () => keys(r.events) > 1);
    await r.clock.advance(2000);
    expect(keys(r.events)).toBe(2);
    expect(r.emulator.pending).toBe(0);
  });
});
