/**
 * Keys are delivered at least once, in order, over a shared line with mixed faults (no reply, bad
 * checksum, garbled, slow within and beyond the poll timeout), with both poll frame kinds; keys pressed
 * while a poll is on its way (after the host wrote it, before the keypad heard it) and just after the
 * keypad answered one. A line whose keypads implement the other kind shows them offline and loses no key.
 * Stepped on a virtual clock over the line emulator's wire-time model: no sleeps, no timed assertions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../helpers/clock-until.js';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { KEYPAD_SIDE, KeypadFramer, polledAddress, type SimpleKey } from '../../../drivers/keypad/codec.js';
import { compactPolls, encodeCompactPoll } from '../../../drivers/keypad/compact.js';
import { Keypad, type KeypadEvent } from '../../../drivers/keypad/driver.js';
import { KeypadEmulator, type KeypadFault } from '../../../drivers/keypad/emulator.js';
import type { PollFrames } from '../../../drivers/keypad/polling-schemas.js';
import type { EmulatedBusDevice } from '../../../drivers/rs485/bus-device.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import { VirtualClock } from '../../../drivers/rs485/clock.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';
import { seededRandom } from '../../store/fixtures/seeded-random.js';

const BAUD = 9600;
const ADDRESSES = [5, 6, 7];
const KEYS: SimpleKey[] = ['call', 'recall', 'pause', 'transfer', 'cancel', 'one-metre-line'];

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});


/** Calls `onPoll(address)` for every poll (either kind) the line carries, after the keypads have heard it. */
class PollTap implements EmulatedBusDevice {
  readonly name = 'poll-tap';
  private readonly framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
  constructor(private readonly onPoll: (address: number) => void) {}
  hear(chunk: Buffer): Buffer[] {
    for (const out of this.framer.push(chunk)) {
      const p = polledAddress(out);
      if (p) this.onPoll(p.address);
    }
    return [];
  }
}

/** The host's end of the line, telling `onWrite` each frame the bus writes (before the keypads hear it). */
function tapWrites(t: Transport, onWrite: (bytes: Uint8Array) => void): Transport {
  const write = t.write.bind(t);
  t.write = (bytes: Uint8Array) => {
    onWrite(bytes);
    return write(bytes);
  };
  return t;
}

async function rig(frames: PollFrames, firmware: 'any' | PollFrames, random: () => number) {
  const clock = new VirtualClock();
  const [hostEnd, dev] = memoryPair('wire');
  await hostEnd.open();
  await dev.open();
  const line = new Rs485LineEmulator(dev, { baudRate: BAUD, clock });
  const emulators = new Map(ADDRESSES.map((a) => [a, new KeypadEmulator({ address: a, pollFrames: firmware })]));
  for (const e of emulators.values()) line.add(e);
  const pressed = new Map<number, SimpleKey[]>(ADDRESSES.map((a) => [a, []]));
  const press = (address: number): void => {
    const key = KEYS[Math.floor(random() * KEYS.length)] as SimpleKey;
    pressed.get(address)?.push(key);
    emulators.get(address)?.press(key);
  };
  let pressInFlight = 0.15;
  let pressAfterAnswer = 0.15;
  // Just after the keypad answered a poll (its reply is already chosen).
  line.add(new PollTap((a) => emulators.has(a) && random() < pressAfterAnswer && press(a)));
  const host = tapWrites(hostEnd, (bytes) => {
    // A poll written by the host, not yet heard by the keypad.
    for (const a of ADDRESSES) {
      const poll = frames === 'compact' ? encodeCompactPoll(a) : undefined;
      const isPoll = poll ? Buffer.from(bytes).equals(poll) : bytes.length === 9 && bytes[0] === 0xff && bytes[5] === a && bytes[6] === 0x20;
      if (isPoll && random() < pressInFlight) press(a);
    }
  });
  line.start();
  // The agent's bus: 3 attempts per poll; the agent's keypad timing (200 / 80 / 5000 ms).
  const bus = new Rs485Bus(host, { baudRate: BAUD, clock, defaultRetries: 2, defaultTimeoutMs: 300 });
  const events = new Map<number, KeypadEvent[]>(ADDRESSES.map((a) => [a, []]));
  const keypads = ADDRESSES.map((a) => {
    const k = new Keypad({ address: a, bus, clock, pollFrames: frames, pollIntervalMs: 200, pollTimeoutMs: 80, offlinePollIntervalMs: 5000 });
    k.on((e) => events.get(a)?.push(e));
    k.start();
    return k;
  });
  cleanup.push(
    async () => {
      for (const k of keypads) void k.stop();
      await clock.advance(6000);
    },
    () => line.stop(),
    () => bus.close(),
    () => host.close(),
    () => dev.close(),
  );
  return {
    clock,
    bus,
    emulators,
    keypads,
    events,
    pressed,
    press,
    setPressRates(inFlight: number, afterAnswer: number) {
      pressInFlight = inFlight;
      pressAfterAnswer = afterAnswer;
    },
  };
}

/** Is `xs` a subsequence of `ys` (every element, in order, gaps allowed)? */
function isSubsequence<T>(xs: T[], ys: T[]): boolean {
  let j = 0;
  for (const y of ys) if (j < xs.length && y === xs[j]) j++;
  return j === xs.length;
}

const keysOf = (es: KeypadEvent[]): string[] => es.flatMap((e) => (e.type === 'key' ? [e.key] : []));
const statesOf = (es: KeypadEvent[]): string[] => es.flatMap((e) => (e.type === 'online' || e.type === 'offline' ? [e.type] : []));

describe('⚠ keypad polling: at-least-once under mixed faults', () => {
  for (const frames of ['compact', 'ff68'] as const) {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      it(`${frames}, seed ${seed}: every key pressed arrives, in order (repeats allowed); offline and online alternate`, async () => {
        const random = seededRandom(seed * 7919 + (frames === 'compact' ? 0 : 1));
        const r = await rig(frames, 'any', random);
        const faults: KeypadFault[] = ['none', 'no-reply', 'bad-checksum', 'garbled', 'slow'];
        for (let step = 0; step < 60; step++) {
          for (const [a, e] of r.emulators) {
            const roll = random();
            if (roll < 0.3) r.press(a);
            else if (roll < 0.55) {
              const fault = faults[Math.floor(random() * faults.length)] as KeypadFault;
              // Slow: within the timeout, just beyond it (the late reply lands in the retry's window) or far beyond.
              const delayMs = [30, 70, 90, 120, 200, 400][Math.floor(random() * 6)] as number;
              e.setFault(fault, { times: 1 + Math.floor(random() * 6), delayMs });
            }
          }
          await r.clock.advance(50 + Math.floor(random() * 700));
        }
        // Heal; wait for every keypad to have nothing left to report and to be online.
        r.setPressRates(0, 0);
        for (const e of r.emulators.values()) e.setFault('none');
        await until(r.clock, () => [...r.emulators.values()].every((e) => e.pending === 0) && r.keypads.every((k) => k.status === 'online'));
        // Late replies still on their way are drained too.
        await r.clock.advance(2000);
        for (const a of ADDRESSES) {
          const pressed = r.pressed.get(a) ?? [];
          const got = keysOf(r.events.get(a) ?? []);
          expect(pressed.length).toBeGreaterThan(0);
          expect(isSubsequence(pressed, got), `keypad ${a}: pressed ${pressed.join(',')} / got ${got.join(',')}`).toBe(true);
          const states = statesOf(r.events.get(a) ?? []);
          for (let i = 1; i < states.length; i++) expect(states[i], `keypad ${a}: ${states.join(',')}`).not.toBe(states[i - 1]);
          expect(states.at(-1)).toBe('online');
        }
      });
    }
  }

  for (const [frames, firmware] of [
    ['compact', 'ff68'],
    ['ff68', 'compact'],
  ] as const) {
    it(`a line set to ${frames} whose keypads implement only ${firmware}: offline (DEVICE_TIMEOUT), no key taken, every key still waiting on the keypad`, async () => {
      const r = await rig(frames, firmware, seededRandom(42));
      for (const a of ADDRESSES) r.press(a);
      await until(r.clock, () => r.keypads.every((k) => k.status === 'offline'));
      await r.clock.advance(20_000);
      for (const a of ADDRESSES) {
        const es = r.events.get(a) ?? [];
        expect(es.map((e) => e.type)).toEqual(['offline']);
        expect(es[0]?.type === 'offline' && es[0].error.code).toBe('DEVICE_TIMEOUT');
        expect(r.emulators.get(a)?.pending).toBe(r.pressed.get(a)?.length);
      }
    });
  }
});
