import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { Rs485Bus, type DeviceTimeoutEvent } from '../../../drivers/rs485/bus.js';
import type { BusExchange, BusPriority, ReplyFramer } from '../../../drivers/rs485/bus-port.js';

/** Test protocol: request [10 id], reply [AA id 55]. */
const req = (id: number): Buffer => Buffer.from([0x10, id]);
const rep = (id: number): Buffer => Buffer.from([0xaa, id, 0x55]);
const framerFor =
  (id: number): ReplyFramer =>
  (rx) => {
    for (let i = 0; i + 3 <= rx.length; i++) if (rx[i] === 0xaa && rx[i + 1] === id && rx[i + 2] === 0x55) return { frame: rx.subarray(i, i + 3), consumed: i + 3 };
    return undefined;
  };
const x = (id: number, priority: BusPriority, more: Partial<BusExchange> = {}): BusExchange => ({ frame: req(id), reply: framerFor(id), priority, timeoutMs: 1000, retries: 0, ...more });

/** A fake line: records each request's id; `answer` decides what (if anything) goes back. */
function fakeDevice(device: Transport, answer: (id: number, nth: number) => Buffer | undefined = (id) => rep(id)) {
  const seen: number[] = [];
  const counts = new Map<number, number>();
  const listeners: Array<(id: number) => void> = [];
  device.onData((chunk) => {
    const id = chunk[1] as number;
    seen.push(id);
    const nth = (counts.get(id) ?? 0) + 1;
    counts.set(id, nth);
    for (const l of listeners) l(id);
    const reply = answer(id, nth);
    if (reply) void device.write(reply);
  });
  return {
    seen,
    /** Resolves when the device receives request `id`. */
    received: (id: number) => new Promise<void>((resolve) => listeners.push((got) => got === id && resolve())),
  };
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(answer?: (id: number, nth: number) => Buffer | undefined, turnaroundMs = 0) {
  const [host, dev] = memoryPair('bus');
  await host.open();
  await dev.open();
  const bus = new Rs485Bus(host, { turnaroundMs, defaultTimeoutMs: 50, defaultRetries: 0 });
  const device = fakeDevice(dev, answer);
  cleanup.push(() => bus.close(), () => host.close(), () => dev.close());
  return { bus, device, host, dev };
}

describe('Rs485Bus: scheduling', () => {
  it('runs one exchange at a time, 0 before 1 before 2, FIFO within a priority', async () => {
    const { bus, device } = await setup();
    const all = [bus.exchange(x(1, 2))]; // goes on the wire at once
    all.push(bus.exchange(x(2, 2)), bus.exchange(x(3, 1)), bus.exchange(x(4, 2)), bus.exchange(x(5, 1)), bus.exchange(x(6, 0)));
    const replies = await Promise.all(all);
    expect(device.seen).toEqual([1, 6, 3, 5, 2, 4]);
    expect(replies.map((r) => r?.[1])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(bus.stats.exchanges).toBe(6);
  });

  it('never has two requests outstanding: each write comes after the previous reply', async () => {
    const events: string[] = [];
    const { bus, dev } = await setup((id) => {
      events.push(`req${id}`);
      // Answer late, so a scheduler that overlapped exchanges would write the next request first.
      setTimeout(() => void dev.write(rep(id)), 5);
      return undefined;
    });
    await Promise.all([1, 2, 3].map((id) => bus.exchange(x(id, 2)).then(() => events.push(`done${id}`))));
    expect(events).toEqual(['req1', 'done1', 'req2', 'done2', 'req3', 'done3']);
  });

  it('coalesces a queued exchange with the same key: only the newest is written, both promises get its reply', async () => {
    const { bus, device } = await setup();
    const first = bus.exchange(x(1, 2));
    const older = bus.exchange(x(10, 1, { key: 'screen@4' }));
    const newer = bus.exchange(x(11, 1, { key: 'screen@4' }));
    const [, a, b] = await Promise.all([first, older, newer]);
    expect(device.seen).toEqual([1, 11]);
    expect(a?.[1]).toBe(11);
    expect(b?.[1]).toBe(11);
    expect(bus.stats.coalesced).toBe(1);
  });

  it('a coalesced exchange keeps its place, or moves up when the newer one is more urgent', async () => {
    const { bus, device } = await setup();
    const all = [bus.exchange(x(1, 2)), bus.exchange(x(20, 1, { key: 'a' })), bus.exchange(x(21, 1)), bus.exchange(x(22, 1, { key: 'a' }))];
    all.push(bus.exchange(x(30, 2, { key: 'b' })), bus.exchange(x(31, 0, { key: 'b' })));
    await Promise.all(all);
    expect(device.seen).toEqual([1, 31, 22, 21]);
  });

  it('does not coalesce with the exchange already on the wire', async () => {
    const { bus, device } = await setup();
    await Promise.all([bus.exchange(x(1, 1, { key: 'k' })), bus.exchange(x(2, 1, { key: 'k' }))]);
    expect(device.seen).toEqual([1, 2]);
  });

  it('fire-and-forget exchanges resolve undefined once written', async () => {
    const { bus, device } = await setup(() => undefined);
    const arrived = device.received(8);
    await expect(bus.exchange({ frame: req(7), priority: 1 })).resolves.toBeUndefined();
    await expect(bus.exchange({ frame: req(8), priority: 1 })).resolves.toBeUndefined();
    await arrived;
    expect(device.seen).toEqual([7, 8]);
    expect(bus.stats.exchanges).toBe(2);
  });
});

describe('Rs485Bus: a call never waits behind more than the exchange on the wire', () => {
  it('jumps ahead of queued screens and polls, and ahead of the retry of a failing poll', async () => {
    // Device 1 (a poll) is mute on its first attempt; the call (99) arrives while that attempt is on the wire.
    const { bus, device } = await setup((id, nth) => (id === 1 && nth === 1 ? undefined : rep(id)));
    const onWire = bus.exchange(x(1, 2, { retries: 1, timeoutMs: 100 }));
    const queued = [2, 3, 4].map((id) => bus.exchange(x(id, 2))).concat([5, 6].map((id) => bus.exchange(x(id, 1))));
    await device.received(1);
    const call = bus.exchange(x(99, 0));
    await Promise.all([onWire, call, ...queued]);
    expect(device.seen.indexOf(99)).toBe(1);
    // The failed poll goes back to the head of priority 2: after the call and the screens, before other polls.
    expect(device.seen).toEqual([1, 99, 5, 6, 1, 2, 3, 4]);
    expect(bus.stats.retries).toBe(1);
  });

  it('property: whatever is queued, between a call being submitted and written at most one other request is written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<BusPriority>(1, 2), { minLength: 1, maxLength: 12 }),
        fc.nat({ max: 11 }),
        async (priorities, submitAfter) => {
          const [host, dev] = memoryPair('prop');
          await host.open();
          await dev.open();
          const bus = new Rs485Bus(host, { turnaroundMs: 0 });
          const device = fakeDevice(dev);
          try {
            const all = priorities.map((p, i) => bus.exchange(x(i + 1, p)));
            const at = Math.min(submitAfter, priorities.length - 1) + 1;
            await device.received(at);
            const writtenBefore = device.seen.length;
            all.push(bus.exchange(x(200, 0)));
            await Promise.all(all);
            const callIndex = device.seen.indexOf(200);
            expect(callIndex).toBe(writtenBefore);
            // …and that one is the request already on the wire when the call came.
            expect(device.seen[callIndex - 1]).toBe(at);
          } finally {
            bus.close();
            await host.close();
            await dev.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Rs485Bus: timeouts, retries, bad replies', () => {
  it('retries a mute device then rejects DEVICE_TIMEOUT, counts it and emits device-timeout', async () => {
    const { bus, device } = await setup(() => undefined);
    const events: DeviceTimeoutEvent[] = [];
    bus.on('device-timeout', (e) => events.push(e));
    const err: unknown = await bus.exchange(x(3, 2, { retries: 2, timeoutMs: 20, key: 'keypad@3:poll' })).catch((e: unknown) => e);
    expect(isHallqError(err, 'DEVICE_TIMEOUT')).toBe(true);
    expect(device.seen).toEqual([3, 3, 3]);
    expect(bus.stats).toMatchObject({ timeouts: 1, retries: 2, exchanges: 0 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ key: 'keypad@3:poll', attempts: 3, priority: 2 });
  });

  it('a retry heals a lost reply', async () => {
    const { bus, device } = await setup((id, nth) => (nth === 1 ? undefined : rep(id)));
    const reply = await bus.exchange(x(4, 1, { retries: 1, timeoutMs: 100 }));
    expect(reply).toEqual(rep(4));
    expect(device.seen).toEqual([4, 4]);
    expect(bus.stats).toMatchObject({ retries: 1, timeouts: 0, exchanges: 1 });
  });

  it('a reply the check rejects is retried, then fails with the check code', async () => {
    const { bus, device } = await setup();
    const err: unknown = await bus.exchange(x(5, 1, { retries: 1, check: () => 'DEVICE_CHECKSUM' })).catch((e: unknown) => e);
    expect(isHallqError(err, 'DEVICE_CHECKSUM')).toBe(true);
    expect(device.seen).toEqual([5, 5]);
    expect(bus.stats).toMatchObject({ invalidReplies: 2, retries: 1, timeouts: 0, failures: 1 });
  });

  it('ignores leading garbage, other devices’ replies and late bytes', async () => {
    const { bus } = await setup((id) => Buffer.concat([Buffer.from([0x00, 0xaa, 0x13]), rep(id + 1), rep(id)]));
    expect(await bus.exchange(x(6, 1))).toEqual(rep(6));
    // The stray rep(8) before the reply to 8 must not be taken for it: only rep(8) itself is.
    expect(await bus.exchange(x(8, 1))).toEqual(rep(8));
  });

  it('waits the turnaround gap between one exchange and the next', async () => {
    const writes: number[] = [];
    const { bus } = await setup((id) => {
      writes.push(performance.now());
      return rep(id);
    }, 15);
    await Promise.all([bus.exchange(x(1, 1)), bus.exchange(x(2, 1))]);
    expect(writes).toHaveLength(2);
    expect((writes[1] as number) - (writes[0] as number)).toBeGreaterThanOrEqual(14);
  });

  it('close() rejects what is queued with TRANSPORT_CLOSED', async () => {
    const { bus } = await setup(() => undefined);
    const onWire = bus.exchange(x(1, 2, { timeoutMs: 1000 })).catch((e: unknown) => e);
    const queued = bus.exchange(x(2, 1)).catch((e: unknown) => e);
    bus.close();
    expect(isHallqError(await queued, 'TRANSPORT_CLOSED')).toBe(true);
    expect(isHallqError(await onWire, 'TRANSPORT_CLOSED')).toBe(true);
    expect(isHallqError(await bus.exchange(x(3, 0)).catch((e: unknown) => e), 'TRANSPORT_CLOSED')).toBe(true);
  });
});
