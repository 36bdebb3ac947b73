import { afterEach, describe, expect, it } from 'vitest';
import { Keypad, type KeypadEvent, type KeypadOptions } from '../../../drivers/keypad/driver.js';
import { KeypadEmulator, type KeypadEmulatorEvent } from '../../../drivers/keypad/emulator.js';
import { Rs485Bus, type DeviceTimeoutEvent } from '../../../drivers/rs485/bus.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';
import { openSerialPtyPair } from '../../../drivers/common/pty-pair.js';

const BAUD = 9600;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A real pty line at 9600 baud: the host's bus and keypads on one end, the line emulator and keypad emulators on the other. */
async function rig(addresses: number[], options: Partial<KeypadOptions> = {}, mode: 'poll' | 'push' = 'poll') {
  const { host, device: dev, close } = await openSerialPtyPair(BAUD);
  cleanup.push(close);
  const line = new Rs485LineEmulator(dev, { baudRate: BAUD });
  line.start();
  const bus = new Rs485Bus(host, { turnaroundMs: 2 });
  cleanup.push(() => line.stop(), () => bus.close());
  const emulators = addresses.map((address) => {
    const e = new KeypadEmulator({ address, mode, resendMs: 500 });
    line.add(e);
    cleanup.push(() => e.stop());
    return e;
  });
  const keypads = addresses.map((address) => {
    const k = new Keypad({ address, bus, mode, pollIntervalMs: 15, pollTimeoutMs: 200, pollRetries: 1, offlinePollIntervalMs: 100, ...options });
    k.start();
    cleanup.push(() => k.stop());
    return k;
  });
  return { bus, line, emulators, keypads: keypads };
}

function next<T extends KeypadEvent['type']>(k: Keypad, type: T): Promise<Extract<KeypadEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = k.on((e) => {
      if (e.type === type) {
        off();
        resolve(e as Extract<KeypadEvent, { type: T }>);
      }
    });
  });
}
function collect(k: Keypad, n: number, filter: (e: KeypadEvent) => boolean = (e) => e.type !== 'online'): Promise<KeypadEvent[]> {
  const got: KeypadEvent[] = [];
  return new Promise((resolve) => {
    const off = k.on((e) => {
      if (!filter(e)) return;
      got.push(e);
      if (got.length === n) {
        off();
        resolve(got);
      }
    });
  });
}
function emulatorEvent<T extends KeypadEmulatorEvent['type']>(e: KeypadEmulator, type: T): Promise<Extract<KeypadEmulatorEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = e.on((ev) => {
      if (ev.type === type) {
        off();
        resolve(ev as Extract<KeypadEmulatorEvent, { type: T }>);
      }
    });
  });
}

describe('Keypad ↔ KeypadEmulator over a real pty (poll mode, shared line)', () => {
  it('keys pressed on one keypad reach the host as typed events, in order, and only from that address', async () => {
    const { emulators, keypads } = await rig([1, 2]);
    const [e1, e2] = emulators as [KeypadEmulator, KeypadEmulator];
    const [k1, k2] = keypads as [Keypad, Keypad];
    const fromOne: KeypadEvent[] = [];
    k1.on((e) => e.type === 'key' && fromOne.push(e));
    const events = collect(k2, 4);
    let acks = 0;
    const allAcked = new Promise<void>((resolve) => e2.on((ev) => ev.type === 'acked' && ++acks === 4 && resolve()));
    e2.press('call');
    e2.press('no-show');
    e2.press('cancel');
    e2.press('transfer');
    expect(await events).toEqual([
      { type: 'key', key: 'call' },
      { type: 'key', key: 'no-show' },
      { type: 'key', key: 'cancel' },
      { type: 'key', key: 'transfer' },
    ]);
    expect(fromOne).toEqual([]);
    // Each report was acknowledged by echo, so nothing is left to report twice.
    await allAcked;
    expect(e2.pending).toBe(0);
    expect(e1.pending).toBe(0);
    expect(k2.status).toBe('online');
  });

  it('showTicket, beep and startRating change what the emulator shows', async () => {
    const { emulators, keypads } = await rig([3]);
    const [e] = emulators as [KeypadEmulator];
    const [k] = keypads as [Keypad];
    const shown = emulatorEvent(e, 'display');
    await k.showTicket(5, 'A012');
    expect((await shown).display).toEqual({ waiting: '005', ticket: '012' });
    const beeped = emulatorEvent(e, 'beep');
    await k.beep();
    expect((await beeped).count).toBe(1);
    const rating = emulatorEvent(e, 'rating-mode');
    await k.startRating();
    expect(await rating).toEqual({ type: 'rating-mode', on: true });
  });

  it('a grade given on the emulator arrives mapped through the configured table', async () => {
    const gradeTable = { 0x21: 1, 0x22: 3, 0x23: 5 } as const;
    const { emulators, keypads } = await rig([4], { gradeTable });
    const [e] = emulators as [KeypadEmulator];
    const [k] = keypads as [Keypad];
    expect(e.giveGrade(0x23)).toBe(false); // not before the host starts rating
    const on = emulatorEvent(e, 'rating-mode');
    await k.startRating();
    await on;
    const rated = next(k, 'rating');
    expect(e.giveGrade(0x23)).toBe(true);
    expect(await rated).toEqual({ type: 'rating', grade: 5, label: '非常不满意', raw: 0x23 });
    // A byte the table does not know is reported, never guessed.
    const again = emulatorEvent(e, 'rating-mode');
    await k.startRating();
    await again;
    const odd = next(k, 'unrecognised');
    e.giveGrade(0x30);
    expect((await odd).data).toEqual(Buffer.from([0x30]));
  });

  it('⚠ login: digits then enter arrive as one staff number', async () => {
    const { emulators, keypads } = await rig([5]);
    const login = next(keypads[0] as Keypad, 'login');
    (emulators[0] as KeypadEmulator).typeLogin('1024');
    expect(await login).toEqual({ type: 'login', staffNumber: '1024' });
  });
});

// Each fault with either kind of poll frames (⚠ ours): the compact idle reply is damaged as the FF 68 one is.
describe.each(['compact', 'ff68'] as const)('Keypad faults over a real pty (%s polls)', (pollFrames) => {
  it('no reply: offline with DEVICE_TIMEOUT and a bus device-timeout event, then polled without retries; back online when healed', async () => {
    const { bus, emulators, keypads } = await rig([6], { pollFrames });
    const [e] = emulators as [KeypadEmulator];
    const [k] = keypads as [Keypad];
    await next(k, 'online');
    const timeouts: DeviceTimeoutEvent[] = [];
    bus.on('device-timeout', (t) => timeouts.push(t));
    const offline = next(k, 'offline');
    e.setFault('no-reply');
    const err = (await offline).error;
    expect(err.code).toBe('DEVICE_TIMEOUT');
    expect(timeouts[0]?.key).toBe('keypad@6:poll');
    expect(timeouts[0]?.attempts).toBe(2);
    // Offline, it is asked again without retries (each attempt holds the line for the whole timeout).
    const secondTimeout = new Promise<DeviceTimeoutEvent>((resolve) => bus.on('device-timeout', (t) => resolve(t)));
    expect((await secondTimeout).attempts).toBe(1);
    const online = next(k, 'online');
    e.setFault('none');
    await online;
    expect(bus.stats.timeouts).toBeGreaterThanOrEqual(1);
  });

  it('bad checksum: offline with DEVICE_CHECKSUM', async () => {
    const { bus, emulators, keypads } = await rig([7], { pollFrames });
    const [k] = keypads as [Keypad];
    await next(k, 'online');
    const offline = next(k, 'offline');
    (emulators[0] as KeypadEmulator).setFault('bad-checksum');
    expect((await offline).error.code).toBe('DEVICE_CHECKSUM');
    expect(bus.stats.invalidReplies).toBeGreaterThanOrEqual(2);
  });

  it('one bad checksum is healed by the retry: the key still arrives once, the keypad never goes offline', async () => {
    const { bus, emulators, keypads } = await rig([8], { pollFrames });
    const [e] = emulators as [KeypadEmulator];
    const [k] = keypads as [Keypad];
    await next(k, 'online');
    const seen: KeypadEvent[] = [];
    k.on((ev) => seen.push(ev));
    const key = next(k, 'key');
    const bad = emulatorEvent(e, 'transmit');
    e.setFault('bad-checksum', { times: 1 });
    e.press('recall');
    expect((await bad).fault).toBe('bad-checksum');
    expect(await key).toEqual({ type: 'key', key: 'recall' });
    expect(bus.stats.retries).toBeGreaterThanOrEqual(1);
    expect(seen.filter((s) => s.type === 'offline')).toEqual([]);
  });

  it('garbled bytes: the host finds no frame and reports DEVICE_TIMEOUT', async () => {
    const { emulators, keypads } = await rig([9], { pollFrames });
    const [k] = keypads as [Keypad];
    await next(k, 'online');
    const offline = next(k, 'offline');
    (emulators[0] as KeypadEmulator).setFault('garbled');
    expect((await offline).error.code).toBe('DEVICE_TIMEOUT');
  });

  it('slow reply: within the timeout the key arrives late; beyond it, DEVICE_TIMEOUT', async () => {
    const { emulators, keypads } = await rig([10], { pollFrames });
    const [e] = emulators as [KeypadEmulator];
    const [k] = keypads as [Keypad];
    await next(k, 'online');
    e.setFault('slow', { delayMs: 30 });
    const key = next(k, 'key');
    const sent = emulatorEvent(e, 'transmit');
    e.press('pause');
    expect((await sent).fault).toBe('slow');
    expect(await key).toEqual({ type: 'key', key: 'pause' });
    const offline = next(k, 'offline');
    // Later than both attempts (2 × 200 ms), so no late reply can land in a retry's window.
    e.setFault('slow', { delayMs: 600 });
    expect((await offline).error.code).toBe('DEVICE_TIMEOUT');
  });
});

describe('Keypad push mode over a real pty (one keypad alone on its line)', () => {
  it('frames sent unprompted arrive as events and are acknowledged by echo; a lost frame is sent again', async () => {
    const { emulators, keypads } = await rig([11], {}, 'push');
    const [e] = emulators as [KeypadEmulator];
    const [k] = keypads as [Keypad];
    const events = collect(k, 2);
    const acked = emulatorEvent(e, 'acked');
    e.press('call');
    await acked;
    // The first transmission of the second key is lost; the keypad resends it until echoed.
    e.setFault('no-reply', { times: 1 });
    e.press('recall');
    expect(await events).toEqual([
      { type: 'key', key: 'call' },
      { type: 'key', key: 'recall' },
    ]);
    expect(k.status).toBe('unknown');
  });
});
