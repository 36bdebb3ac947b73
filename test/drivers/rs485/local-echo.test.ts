/**
 * `localEcho` (drivers/rs485/bus.ts): an adapter that hears its own transmission hands the host every frame
 * it wrote, ahead of the devices' replies, in pieces of any size. The bus must take exactly those bytes off,
 * and hand replies and listeners the rest; with no echo coming, the first reply ends the expectation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../../../drivers/common/transport.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import { chunked } from '../../helpers/chunked.js';

/** A transport whose reads the test injects: `feed` delivers bytes as the adapter would. */
function fakeLine(): { t: Transport; written: Buffer[]; feed(b: Buffer): void } {
  const listeners = new Set<(c: Buffer) => void>();
  const written: Buffer[] = [];
  const t: Transport = {
    description: 'fake',
    isOpen: true,
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    onClose: () => () => undefined,
    onData(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    write(bytes) {
      written.push(Buffer.from(bytes));
      return Promise.resolve();
    },
  };
  return { t, written, feed: (b) => listeners.forEach((l) => l(b)) };
}

const frameArb = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((a) => Buffer.from(a));

describe('RS-485 bus: local echo', () => {
  it('the echo of every frame written, then the devices’ bytes, in any pieces: listeners hear exactly the devices’ bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 4 }), frameArb, fc.array(fc.nat(), { maxLength: 6 }), async (frames, reply, cuts) => {
        const line = fakeLine();
        const bus = new Rs485Bus(line.t, { localEcho: true, turnaroundMs: 0 });
        const heard: Buffer[] = [];
        bus.listen((c) => heard.push(c));
        for (const f of frames) await bus.exchange({ frame: f, priority: 1 });
        for (const piece of chunked(Buffer.concat([...line.written, reply]), cuts)) line.feed(piece);
        bus.close();
        expect(Buffer.concat(heard).equals(reply)).toBe(true);
      }),
    );
  });

  it('no echo comes (the adapter does not echo): a reply that starts like the frame written but differs reaches the exchange whole', async () => {
    const line = fakeLine();
    const bus = new Rs485Bus(line.t, { localEcho: true, turnaroundMs: 0, defaultTimeoutMs: 1000 });
    const poll = Buffer.from('ff6802026805202516', 'hex');
    const idle = Buffer.from('ff680303680520002516', 'hex');
    const answer = bus.exchange({
      frame: poll,
      priority: 2,
      reply: (rx) => (rx.length >= idle.length ? { frame: rx.subarray(0, idle.length), consumed: idle.length } : undefined),
    });
    await Promise.resolve();
    // The first two bytes match the poll's echo and are held; the third differs: all of it is the reply.
    line.feed(idle.subarray(0, 2));
    line.feed(idle.subarray(2));
    expect((await answer)?.equals(idle)).toBe(true);
    bus.close();
  });
});
