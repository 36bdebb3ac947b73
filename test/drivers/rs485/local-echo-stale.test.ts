/**
 * `localEcho` (drivers/rs485/bus.ts) when an expected echo never comes back whole: a write the transport
 * refused, a port lost after a frame left, line noise in one echo while the next is on its way. An echo the
 * bus still waits for in vain must not make it hand the next frame's (good) echo to listeners and replies as
 * the devices' own: the keypads' ack is the report sent back, so such an echo is the key again. (Two
 * echoes outstanding at once: frames written with no read between, e.g. a key's ack and then the keypad's
 * show or start-rating frame; the start-rating frame's echo is byte for byte the "ask for rating" key.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HallqError } from '../../../drivers/common/error.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { encodeKey } from '../../../drivers/keypad/codec.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import { chunked } from '../../helpers/chunked.js';

/** A transport whose reads the test injects; `failNext` refuses the next write; `lose()` is the port going away. */
function fakeLine() {
  const listeners = new Set<(c: Buffer) => void>();
  const closers = new Set<(e?: Error) => void>();
  const written: Buffer[] = [];
  const state = { failNext: false };
  const t: Transport = {
    description: 'fake',
    isOpen: true,
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    onClose(fn) {
      closers.add(fn);
      return () => closers.delete(fn);
    },
    onData(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    write(bytes) {
      if (state.failNext) {
        state.failNext = false;
        return Promise.reject(new HallqError('TRANSPORT_CLOSED', 'unplugged'));
      }
      written.push(Buffer.from(bytes));
      return Promise.resolve();
    },
  };
  return {
    t,
    written,
    state,
    feed: (b: Buffer) => listeners.forEach((l) => l(b)),
    lose: () => closers.forEach((c) => c(new Error('unplugged'))),
  };
}

// Two keypad reports (呼叫 on keypads 5 and 6) as the host acknowledges them: each ack is the report itself.
const ack1 = encodeKey(5, 'call');
const ack2 = encodeKey(6, 'call');

function rig() {
  const line = fakeLine();
  const bus = new Rs485Bus(line.t, { localEcho: true, turnaroundMs: 0 });
  const heard: Buffer[] = [];
  bus.listen((c) => heard.push(Buffer.from(c)));
  return { line, bus, heard };
}

describe('RS-485 bus: local echo that never comes back whole', () => {
  it('a write the transport refused is not expected back: the next frame’s echo is not heard as the devices’', async () => {
    const { line, bus, heard } = rig();
    line.state.failNext = true;
    await expect(bus.exchange({ frame: ack1, priority: 1 })).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await bus.exchange({ frame: ack2, priority: 1 });
    line.feed(ack2); // the adapter's echo of the one frame that left
    expect(Buffer.concat(heard).toString('hex')).toBe('');
    bus.close();
  });

  it('a frame whose echo was lost with the port: after the port is back, the next frame’s echo is not heard as the devices’', async () => {
    const { line, bus, heard } = rig();
    await bus.exchange({ frame: ack1, priority: 1 });
    line.lose(); // unplugged before the adapter handed back ack1's echo; the link reopens
    await bus.exchange({ frame: ack2, priority: 1 });
    line.feed(ack2);
    expect(Buffer.concat(heard).toString('hex')).toBe('');
    bus.close();
  });

  it('a flipped byte in one echo (line noise) while the next frame’s echo is on its way: that next echo is not heard as the devices’', async () => {
    const { line, bus, heard } = rig();
    await bus.exchange({ frame: ack1, priority: 1 });
    await bus.exchange({ frame: ack2, priority: 1 });
    const noisy = Buffer.from(ack1);
    noisy[7] = (noisy[7] as number) ^ 0x04; // the key byte: the frame's checksum no longer holds
    line.feed(Buffer.concat([noisy, ack2]));
    // What is heard may hold the noisy echo (a keypad framer drops it: bad checksum), never ack2, the key itself.
    expect(Buffer.concat(heard).includes(ack2)).toBe(false);
    bus.close();
  });

  it('one flipped byte in any echo of several, in any pieces: listeners hear that damaged echo and the reply, no other echo', async () => {
    const frameArb = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((a) => Buffer.from(a));
    await fc.assert(
      fc.asyncProperty(
        fc.array(frameArb, { minLength: 2, maxLength: 4 }),
        frameArb,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (frames, reply, which, at, flip, cuts) => {
          const { line, bus, heard } = rig();
          for (const f of frames) await bus.exchange({ frame: f, priority: 1 });
          const echoes = line.written.map((w) => Buffer.from(w));
          const i = which % echoes.length;
          const damaged = echoes[i] as Buffer;
          const k = at % damaged.length;
          damaged[k] = (damaged[k] as number) ^ flip;
          for (const piece of chunked(Buffer.concat([...echoes, reply]), cuts)) line.feed(piece);
          bus.close();
          expect(Buffer.concat(heard).toString('hex')).toBe(Buffer.concat([damaged, reply]).toString('hex'));
        },
      ),
    );
  });

  it('an adapter that does not echo, two frames written without a read between: every byte the devices send is heard', async () => {
    const { bus, line, heard } = rig();
    await bus.exchange({ frame: ack1, priority: 1 });
    await bus.exchange({ frame: ack2, priority: 1 });
    // No echo: the keypads' own reports come (other keys), in one piece and then byte by byte.
    const r3 = encodeKey(5, 'recall');
    const r4 = encodeKey(6, 'pause');
    line.feed(r3);
    for (const b of r4) line.feed(Buffer.of(b));
    expect(Buffer.concat(heard).toString('hex')).toBe(Buffer.concat([r3, r4]).toString('hex'));
    bus.close();
  });
});
