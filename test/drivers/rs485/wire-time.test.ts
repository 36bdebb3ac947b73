/**
 * The wire-time model and the preemption order, stepped on a virtual clock: exact times, no sleeps,
 * no timed assertions. One byte = 10 bit times at 8N1; at 9600 baud b = 1.0417 ms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../helpers/clock-until.js';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { encodeIdle, encodePoll, keypadReplyFramer } from '../../../drivers/keypad/codec.js';
import { compactIdles, encodeCompactIdle, encodeCompactPoll } from '../../../drivers/keypad/compact.js';
import { KeypadEmulator } from '../../../drivers/keypad/emulator.js';
import { BxScreenEmulator } from '../../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import { layoutScreen } from '../../../drivers/led-screen/layout.js';
import type { EmulatedBusDevice } from '../../../drivers/rs485/bus-device.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import { byteTimeMs, VirtualClock } from '../../../drivers/rs485/clock.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';

const BAUD = 9600;
const b = byteTimeMs(BAUD);
const CALL = { window: 12, ticket: 'A123', paused: false };

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** Records every host chunk the devices hear, with the wire time of its last byte. */
class Tap implements EmulatedBusDevice {
  readonly name = 'tap';
  readonly heard: Array<{ bytes: Buffer; at: number }> = [];
  constructor(private readonly line: () => Rs485LineEmulator) {}
  hear(chunk: Buffer): Buffer[] {
    this.heard.push({ bytes: Buffer.from(chunk), at: this.line().lastHeardAt });
    return [];
  }
}

async function line(clock: VirtualClock): Promise<{ host: Transport; emulator: Rs485LineEmulator; tap: Tap }> {
  const [host, dev] = memoryPair('wire');
  await host.open();
  await dev.open();
  const emulator = new Rs485LineEmulator(dev, { baudRate: BAUD, clock });
  const tap = new Tap(() => emulator);
  emulator.add(tap);
  emulator.start();
  cleanup.push(() => emulator.stop(), () => host.close(), () => dev.close());
  return { host, emulator, tap };
}

describe('line emulator: a host frame is heard when its last byte has finished on the wire', () => {
  it('shows an 84-byte BX call frame exactly 84 × 10 / 9600 s after the host wrote it, not before', async () => {
    const clock = new VirtualClock();
    const { host, emulator } = await line(clock);
    const screen = new BxScreenEmulator({ address: 12 });
    emulator.add(screen);
    const frame = new BxScreen({ exchange: () => Promise.resolve(undefined) }, { address: 12 }).frameFor(layoutScreen(CALL));
    expect(frame.length).toBe(84);
    let shownAt: number | undefined;
    screen.onChange(() => (shownAt = clock.now()));

    await clock.advanceTo(10);
    await host.write(frame);
    const due = 10 + 84 * b; // 97.5 ms
    await clock.advanceTo(due - 1e-6);
    expect(screen.view.text).toBe('');
    await clock.advanceTo(due + 50);
    expect(screen.view.text).toBe('A123 请到12号窗口');
    expect(shownAt).toBeCloseTo(due, 9);
    expect(emulator.lastHeardAt).toBeCloseTo(due, 9);
  });

  it('chunks queue on the wire: the second is heard (n1 + n2) byte times after the first began, and a split frame shows at its last piece', async () => {
    const clock = new VirtualClock();
    const { host, tap } = await line(clock);
    const screen = new BxScreenEmulator({ address: 12 });
    const frame = new BxScreen({ exchange: () => Promise.resolve(undefined) }, { address: 12 }).frameFor(layoutScreen(CALL));
    await host.write(frame.subarray(0, 30));
    await host.write(frame.subarray(30));
    await clock.advanceTo(30 * b - 1e-6);
    expect(tap.heard).toHaveLength(0);
    await clock.advanceTo(30 * b);
    expect(tap.heard.map((h) => h.bytes.length)).toEqual([30]);
    await clock.advanceTo(84 * b - 1e-6);
    expect(tap.heard).toHaveLength(1);
    await clock.advanceTo(200);
    expect(tap.heard.map((h) => h.bytes.length)).toEqual([30, 54]);
    expect(tap.heard[0]?.at).toBeCloseTo(30 * b, 9);
    expect(tap.heard[1]?.at).toBeCloseTo(84 * b, 9);
    // Fed the same pieces, the screen shows the text only with the last one.
    expect(screen.hear(frame.subarray(0, 30))).toEqual([]);
    expect(screen.view.text).toBe('');
    screen.hear(frame.subarray(30));
    expect(screen.view.text).toBe('A123 请到12号窗口');
  });

  it('a device answers only after the request has arrived; its reply reaches the host (n + m) byte times after the write', async () => {
    const clock = new VirtualClock();
    const { host, emulator } = await line(clock);
    emulator.add(new KeypadEmulator({ address: 3 }));
    const got: number[] = [];
    let rx = Buffer.alloc(0);
    host.onData((c) => {
      rx = Buffer.concat([rx, c]);
      if (keypadReplyFramer(3)(rx)) got.push(clock.now());
    });
    const poll = encodePoll(3);
    await host.write(poll);
    await clock.advanceTo(100);
    // 9-byte poll, 10-byte idle reply.
    expect(poll.length).toBe(9);
    expect(got).toHaveLength(1);
    expect(got[0]).toBeCloseTo(19 * b, 9);
  });

  it('⚠ the compact poll (4 bytes) is answered by the compact idle reply (3 bytes): 7 byte times after the write', async () => {
    const clock = new VirtualClock();
    const { host, emulator } = await line(clock);
    emulator.add(new KeypadEmulator({ address: 3 }));
    const got: Array<{ at: number; frame: Buffer }> = [];
    let rx = Buffer.alloc(0);
    host.onData((c) => {
      rx = Buffer.concat([rx, c]);
      const r = keypadReplyFramer(3, compactIdles())(rx);
      if (r) {
        got.push({ at: clock.now(), frame: r.frame });
        rx = rx.subarray(r.consumed);
      }
    });
    await host.write(encodeCompactPoll(3));
    await clock.advanceTo(100);
    expect(got).toEqual([{ at: expect.closeTo(7 * b, 9) as unknown, frame: encodeCompactIdle(3) }]);
  });
});

describe('bus: a call preempts polls and refreshes at the next frame boundary', () => {
  async function rig(keypads: number[], frames: 'compact' | 'ff68' = 'ff68') {
    const clock = new VirtualClock();
    const { host, emulator, tap } = await line(clock);
    for (const a of keypads) emulator.add(new KeypadEmulator({ address: a }));
    const screen12 = new BxScreenEmulator({ address: 12 });
    emulator.add(screen12);
    for (const a of [13, 14]) emulator.add(new BxScreenEmulator({ address: a }));
    const bus = new Rs485Bus(host, { baudRate: BAUD, clock, defaultTimeoutMs: 30, defaultRetries: 0 });
    cleanup.push(() => bus.close());
    const poll = (a: number) =>
      frames === 'compact'
        ? bus.exchange({ frame: encodeCompactPoll(a), reply: keypadReplyFramer(a, compactIdles()), priority: 2, key: `keypad@${a}:poll` })
        : bus.exchange({ frame: encodePoll(a), reply: keypadReplyFramer(a), priority: 2, key: `keypad@${a}:poll` });
    return { clock, bus, tap, screen12, poll };
  }

  const kinds = [
    { frames: 'ff68' as const, pollBytes: encodePoll(1).length, replyBytes: encodeIdle(1).length, isPoll: (x: Buffer) => x[0] === 0xff, address: (x: Buffer) => x[5] ?? 0 },
    { frames: 'compact' as const, pollBytes: encodeCompactPoll(1).length, replyBytes: encodeCompactIdle(1).length, isPoll: (x: Buffer) => x[0] === 0x9c, address: (x: Buffer) => x[1] ?? 0 },
  ];
  it.each(kinds)('the call goes right after the poll in flight and its reply ($frames: $pollBytes + $replyBytes bytes), ahead of queued polls and refreshes, and is on the wire at t + R + turnaround + F', async ({ frames, pollBytes, replyBytes, isPoll, address }) => {
    expect([pollBytes, replyBytes]).toEqual(frames === 'compact' ? [4, 3] : [9, 10]);
    const { clock, bus, tap, screen12, poll } = await rig([1, 2, 3, 4], frames);
    const refreshes = [13, 14].map((a) => new BxScreen(bus, { address: a }).show({ window: a, ticket: 'B001', paused: false }, { urgent: false }));
    // Refreshes (priority 1) are queued first, so the first frame on the wire is a refresh…
    const polls = [1, 2, 3, 4].map(poll);
    // Let the refreshes pass, then call while the exchange with keypad 1 is in flight (its poll just arrived).
    await until(clock, () => tap.heard.length === 3);
    expect(tap.heard.map((h) => h.bytes[0])).toEqual([0xa5, 0xa5, frames === 'compact' ? 0x9c : 0xff]);
    const submitted = clock.now();
    const call = new BxScreen(bus, { address: 12 }).show(CALL, { urgent: true });
    let shownAt: number | undefined;
    screen12.onChange(() => (shownAt = clock.now()));
    await clock.advanceTo(2000);
    await Promise.all([call, ...refreshes, ...polls]);

    const order = tap.heard.map((h) => (isPoll(h.bytes) ? `poll${address(h.bytes)}` : `screen${h.bytes[8] ?? 0}`));
    expect(order).toEqual(['screen13', 'screen14', 'poll1', 'screen12', 'poll2', 'poll3', 'poll4']);
    expect(screen12.view.text).toBe('A123 请到12号窗口');
    // The exchange in flight ends when the idle reply's last byte is in (poll heard + reply); then 3.5 b of quiet; then 84 b.
    const pollHeard = tap.heard[2]?.at ?? 0;
    const expected = pollHeard + replyBytes * b + 3.5 * b + 84 * b;
    expect(shownAt).toBeCloseTo(expected, 9);
    expect(tap.heard[3]?.at).toBeCloseTo(expected, 9);
    // The bound in bus.ts's docstring: R ≤ poll + reply (compact: 4 b + 3 b, so the call is on the wire within 1.125 × 84 b).
    expect((shownAt ?? 0) - submitted).toBeLessThanOrEqual((pollBytes + replyBytes + 3.5 + 84) * b + 1e-9);
  });

  it('a silent keypad holds the call for its poll timeout (counted from the poll’s last byte) and no longer; the retry waits behind the call', async () => {
    const { clock, bus, tap, screen12 } = await rig([]);
    // Address 9 has no device: the poll times out after 30 ms from its wire end.
    const silent = bus.exchange({ frame: encodePoll(9), reply: keypadReplyFramer(9), priority: 2, retries: 1, timeoutMs: 30 }).catch((e: unknown) => e);
    await clock.advanceTo(1);
    const call = new BxScreen(bus, { address: 12 }).show(CALL, { urgent: true });
    let shownAt: number | undefined;
    screen12.onChange(() => (shownAt = clock.now()));
    await clock.advanceTo(1000);
    await call;
    await silent;
    expect(tap.heard.map((h) => h.bytes[0])).toEqual([0xff, 0xa5, 0xff]);
    expect(shownAt).toBeCloseTo(9 * b + 30 + 3.5 * b + 84 * b, 9);
  });

  it('fire-and-forget frames are held back until the previous one has left the wire (no OS-buffer queue ahead of a call)', async () => {
    const { clock, bus, tap } = await rig([]);
    const frames = [1, 2, 3].map((i) => Buffer.alloc(20, i));
    const done: number[] = [];
    const all = frames.map((f) => bus.exchange({ frame: f, priority: 1 }).then(() => done.push(clock.now())));
    await clock.advanceTo(1);
    const call = new BxScreen(bus, { address: 12 }).show(CALL, { urgent: true });
    await clock.advanceTo(1000);
    await Promise.all([...all, call]);
    expect(tap.heard.map((h) => h.bytes.length)).toEqual([20, 84, 20, 20]);
    // Each resolved when its last byte left the wire.
    expect(done[0]).toBeCloseTo(20 * b, 9);
    expect(tap.heard[0]?.at).toBeCloseTo(20 * b, 9);
    expect(tap.heard[1]?.at).toBeCloseTo(20 * b + 3.5 * b + 84 * b, 9);
  });
});
