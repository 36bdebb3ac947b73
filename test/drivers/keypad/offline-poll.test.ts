/**
 * How often an offline keypad is polled, stepped on a virtual clock over the line emulator's wire-time
 * model (no sleeps, no timed assertions): once it is offline, one poll per offline interval and no
 * retries; once it answers again, the normal rate. At 9600 baud the (default, compact) poll is 4 bytes
 * (4.2 ms) and the idle reply 3 bytes (3.1 ms).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../helpers/clock-until.js';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import { KEYPAD_SIDE, KeypadFramer, polledAddress } from '../../../drivers/keypad/codec.js';
import { compactPolls } from '../../../drivers/keypad/compact.js';
import { Keypad, type KeypadEvent } from '../../../drivers/keypad/driver.js';
import { KeypadEmulator } from '../../../drivers/keypad/emulator.js';
import { KEYPAD_POLL_DEFAULTS, keypadPollingSchema } from '../../../drivers/keypad/polling-schemas.js';
import type { EmulatedBusDevice } from '../../../drivers/rs485/bus-device.js';
import { Rs485Bus, type DeviceTimeoutEvent } from '../../../drivers/rs485/bus.js';
import { VirtualClock } from '../../../drivers/rs485/clock.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';
import { devicesSchema } from '../../../src/config/schema.js';
import { loadConfigOrThrow, validateConfig } from '../../../src/config/load.js';

const BAUD = 9600;
const INTERVAL = 200;
const TIMEOUT = 80;
const OFFLINE_INTERVAL = 5000;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** The wire times at which the devices heard a poll (either kind) for one address. */
class PollTap implements EmulatedBusDevice {
  readonly name = 'poll-tap';
  readonly at: number[] = [];
  private readonly framer = new KeypadFramer(KEYPAD_SIDE, compactPolls());
  constructor(
    private readonly address: number,
    private readonly line: () => Rs485LineEmulator,
  ) {}
  hear(chunk: Buffer): Buffer[] {
    for (const out of this.framer.push(chunk)) {
      if (polledAddress(out)?.address === this.address) this.at.push(this.line().lastHeardAt);
    }
    return [];
  }
}

async function rig(address: number) {
  const clock = new VirtualClock();
  const [host, dev] = memoryPair('wire');
  await host.open();
  await dev.open();
  const line = new Rs485LineEmulator(dev, { baudRate: BAUD, clock });
  const tap = new PollTap(address, () => line);
  line.add(tap);
  const emulator = new KeypadEmulator({ address });
  line.add(emulator);
  line.start();
  const bus = new Rs485Bus(host, { baudRate: BAUD, clock, defaultRetries: 2 });
  const keypad = new Keypad({ address, bus, clock, pollIntervalMs: INTERVAL, pollTimeoutMs: TIMEOUT, offlinePollIntervalMs: OFFLINE_INTERVAL });
  const events: KeypadEvent[] = [];
  keypad.on((e) => events.push(e));
  const timeouts: DeviceTimeoutEvent[] = [];
  bus.on('device-timeout', (t) => timeouts.push(t));
  cleanup.push(
    () => line.stop(),
    () => bus.close(),
    () => host.close(),
    () => dev.close(),
  );
  keypad.start();
  return { clock, bus, keypad, emulator, tap, events, timeouts };
}

const count = (xs: number[], from: number, to: number) => xs.filter((t) => t > from && t <= to).length;
const gaps = (xs: number[]) => xs.slice(1).map((t, i) => t - (xs[i] as number));

describe('Keypad poll mode: an offline keypad costs the line one poll per offline interval', () => {
  it('offline: one poll per offline interval, no retries; after it answers, the normal rate again; events as before', async () => {
    const { clock, bus, keypad, emulator, tap, events, timeouts } = await rig(5);
    await until(clock, () => keypad.status === 'online');

    // It stops answering: offline after one poll and its 2 retries, as before.
    emulator.setFault('no-reply');
    await until(clock, () => keypad.status === 'offline');
    const offAt = clock.now();
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]?.attempts).toBe(3);
    const retriesAtOffline = bus.stats.retries;
    const pollsAtOffline = tap.at.length;

    // 30 s offline: one poll every offline interval (+ that poll's own wire time and timeout), never retried.
    await clock.advanceTo(offAt + 30_000);
    const offlinePolls = tap.at.slice(pollsAtOffline);
    expect(offlinePolls.length).toBeGreaterThanOrEqual(5);
    expect(offlinePolls.length).toBeLessThanOrEqual(6);
    for (const g of gaps(offlinePolls)) expect(g).toBeGreaterThanOrEqual(OFFLINE_INTERVAL);
    expect((offlinePolls[0] as number) - offAt).toBeGreaterThanOrEqual(OFFLINE_INTERVAL);
    expect(bus.stats.retries).toBe(retriesAtOffline);
    expect(timeouts.slice(1).every((t) => t.attempts === 1)).toBe(true);
    expect(timeouts).toHaveLength(1 + offlinePolls.length);
    // Still one offline event, no flapping.
    expect(events).toEqual([{ type: 'online' }, { type: 'offline', error: expect.objectContaining({ code: 'DEVICE_TIMEOUT' }) as unknown }]);

    // It answers again: online at its next poll, at most one offline interval (and one exchange) later.
    emulator.setFault('none');
    const healedAt = clock.now();
    await until(clock, () => keypad.status === 'online');
    expect(clock.now() - healedAt).toBeLessThanOrEqual(OFFLINE_INTERVAL + 50);
    const backAt = clock.now();
    const pollsBack = tap.at.length;
    await clock.advanceTo(backAt + 2000);
    // Normal rate: a poll every pause + exchange (200 + 7.3 + 3.6 ms) → 9 or 10 in 2 s.
    expect(count(tap.at, backAt, backAt + 2000)).toBeGreaterThanOrEqual(8);
    for (const g of gaps(tap.at.slice(pollsBack))) expect(g).toBeLessThan(INTERVAL + 30);

    // Keys arrive as before.
    emulator.press('call');
    await until(clock, () => events.some((e) => e.type === 'key'));
    expect(events.map((e) => e.type)).toEqual(['online', 'offline', 'online', 'key']);
    expect(events[3]).toEqual({ type: 'key', key: 'call' });

    // A poll is in flight (a report is followed by a poll at once): stop() waits for it.
    let stopped = false;
    void keypad.stop().then(() => (stopped = true));
    await until(clock, () => stopped);
  });

  it('a keypad dead from the start is asked 1 + retries times once, then once per offline interval', async () => {
    const { clock, keypad, emulator, tap, events, timeouts } = await rig(9);
    emulator.setFault('no-reply');
    await until(clock, () => keypad.status === 'offline');
    const offAt = clock.now();
    expect(tap.at).toHaveLength(3);
    // Poll k after going offline is heard at k × 5000 + (k − 1) × (4.2 + 80 + 3.6) + 4.2 ms: 3 polls by 17.5 s.
    await clock.advanceTo(offAt + 3.5 * OFFLINE_INTERVAL);
    // The old behaviour polled it 3 times every ~0.7 s: ~75 polls here.
    expect(tap.at.length - 3).toBe(3);
    expect(timeouts.map((t) => t.attempts)).toEqual([3, 1, 1, 1]);
    expect(events.map((e) => e.type)).toEqual(['offline']);
    await keypad.stop();
  });

  it('pollNow() (the agent: the line is back after an outage) ends the offline pause: the next poll goes at once', async () => {
    const { clock, keypad, emulator, tap } = await rig(7);
    emulator.setFault('no-reply');
    await until(clock, () => keypad.status === 'offline');
    emulator.setFault('none');
    const t = clock.now();
    const polls = tap.at.length;
    keypad.pollNow();
    await until(clock, () => keypad.status === 'online');
    // One poll, heard after the line's turnaround (3.6 ms) and its 4 bytes (4.2 ms), answered in 3 more
    // (3.1 ms): no offline interval in between.
    expect(tap.at.length).toBe(polls + 1);
    expect((tap.at[polls] as number) - t).toBeLessThan(15);
    expect(clock.now() - t).toBeLessThan(30);
    await clock.advanceTo(clock.now() + 1000);
    let stopped = false;
    void keypad.stop().then(() => (stopped = true));
    await until(clock, () => stopped);
  });

  it('stop() during the offline pause returns at once and ends the loop: no poll after it', async () => {
    const { clock, keypad, emulator, tap } = await rig(11);
    emulator.setFault('no-reply');
    await until(clock, () => keypad.status === 'offline');
    // The loop is in its offline pause: stop() cuts it short, with the clock standing still.
    const t = clock.now();
    await keypad.stop();
    expect(clock.now()).toBe(t);
    const polls = tap.at.length;
    await clock.advanceTo(clock.now() + 3 * OFFLINE_INTERVAL);
    expect(tap.at.length).toBe(polls);
  });
});

describe('keypadPolling in the config', () => {
  it('defaults to 200 / 80 / 5000 ms and compact poll frames on every RS-485 line and takes other values', () => {
    const d = devicesSchema.parse({ rs485: [{ path: '/dev/ttyUSB0' }, { path: '/dev/ttyUSB1', keypadPolling: { offlineIntervalMs: 10_000, frames: 'ff68' } }] });
    expect(d.rs485[0]?.keypadPolling).toEqual({ intervalMs: 200, timeoutMs: 80, offlineIntervalMs: 5000, frames: 'compact' });
    expect(d.rs485[0]?.keypadPolling).toEqual(KEYPAD_POLL_DEFAULTS);
    expect(d.rs485[1]?.keypadPolling).toEqual({ intervalMs: 200, timeoutMs: 80, offlineIntervalMs: 10_000, frames: 'ff68' });
  });

  it('refuses a poll frame kind it does not know, naming the key', () => {
    expect(keypadPollingSchema.safeParse({ frames: 'short' }).success).toBe(false);
    const base = structuredClone(loadConfigOrThrow('config/demo.yaml')) as unknown as Record<string, unknown>;
    const withFrames = (frames: unknown) => ({ ...base, agents: [{ id: 'a1', devices: { rs485: [{ path: '/dev/ttyUSB0', keypadPolling: { frames } }] } }] });
    expect(validateConfig(withFrames('compact')).ok).toBe(true);
    expect(validateConfig(withFrames('ff68')).ok).toBe(true);
    const bad = validateConfig(withFrames('FF68'));
    expect(!bad.ok && bad.issues[0]?.path).toBe('agents[0].devices.rs485[0].keypadPolling.frames');
  });

  it('refuses an unknown key and a timeout shorter than the idle reply on the wire', () => {
    expect(keypadPollingSchema.safeParse({ offlineIntervalMS: 10_000 }).success).toBe(false);
    expect(keypadPollingSchema.safeParse({ timeoutMs: 5 }).success).toBe(false);
  });
});
