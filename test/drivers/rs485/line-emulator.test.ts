import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { DelayedReply, EmulatedBusDevice } from '../../../drivers/rs485/bus-device.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import type { ReplyFramer } from '../../../drivers/rs485/bus-port.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';
import { openSerialPtyPair } from '../../../drivers/common/pty-pair.js';

const BAUD = 9600;
const byteMs = (10 * 1000) / BAUD;

/** A test device: on [10 id] it answers `size` bytes [AA id … 55], optionally after a delay. */
class SizedDevice implements EmulatedBusDevice {
  readonly name: string;
  private readonly spont: Array<(f: Buffer) => void> = [];
  constructor(readonly id: number, readonly size: number, readonly delayMs = 0) {
    this.name = `test@${id}`;
  }
  reply(): Buffer {
    const b = Buffer.alloc(this.size, 0x33);
    b[0] = 0xaa;
    b[1] = this.id;
    b[this.size - 1] = 0x55;
    return b;
  }
  hear(chunk: Buffer): (Buffer | DelayedReply)[] {
    if (chunk[0] !== 0x10 || chunk[1] !== this.id) return [];
    return [this.delayMs > 0 ? { bytes: this.reply(), delayMs: this.delayMs } : this.reply()];
  }
  onSpontaneous(listener: (frame: Buffer) => void): () => void {
    this.spont.push(listener);
    return () => undefined;
  }
  talk(frame: Buffer): void {
    for (const l of this.spont) l(frame);
  }
}
const framerFor =
  (id: number, size: number): ReplyFramer =>
  (rx) => {
    for (let i = 0; i + size <= rx.length; i++) {
      if (rx[i] === 0xaa && rx[i + 1] === id && rx[i + size - 1] === 0x55) return { frame: rx.subarray(i, i + size), consumed: i + size };
    }
    return undefined;
  };

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function rig(...devices: EmulatedBusDevice[]) {
  const { host, device: dev, close } = await openSerialPtyPair(BAUD);
  cleanup.push(close);
  const line = new Rs485LineEmulator(dev, { baudRate: BAUD });
  for (const d of devices) line.add(d);
  line.start();
  const bus = new Rs485Bus(host, { defaultTimeoutMs: 500, defaultRetries: 0 });
  cleanup.push(() => line.stop(), () => bus.close());
  return { bus, line, host };
}

describe('Rs485LineEmulator over a real pty at 9600 baud', () => {
  it('an exchange with N reply bytes takes at least N byte-times (the wire’s physical limit)', async () => {
    const small = new SizedDevice(1, 10);
    const large = new SizedDevice(2, 40);
    const { bus } = await rig(small, large);
    for (const d of [small, large]) {
      const t0 = performance.now();
      const reply = await bus.exchange({ frame: Buffer.from([0x10, d.id]), reply: framerFor(d.id, d.size), priority: 1 });
      const took = performance.now() - t0;
      expect(reply).toEqual(d.reply());
      // Request (2 bytes) must arrive before the device answers; then N bytes at 1.04 ms each.
      expect(took).toBeGreaterThanOrEqual((2 + d.size) * byteMs);
    }
  });

  it('a slow device’s delay adds to the wire time', async () => {
    const slow = new SizedDevice(3, 10, 40);
    const { bus } = await rig(slow);
    const t0 = performance.now();
    await bus.exchange({ frame: Buffer.from([0x10, 3]), reply: framerFor(3, 10), priority: 1 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40 + 12 * byteMs);
  });

  it('one talker at a time: two devices answering the same request never interleave', async () => {
    const a = new SizedDevice(4, 24);
    const b = new SizedDevice(4, 24);
    (b as { reply: () => Buffer }).reply = () => Buffer.alloc(24, 0x77);
    const { bus, host } = await rig(a, b);
    const heard: Buffer[] = [];
    const both = new Promise<void>((resolve) => {
      host.onData((c) => {
        heard.push(c);
        if (Buffer.concat(heard).length >= 48) resolve();
      });
    });
    await bus.exchange({ frame: Buffer.from([0x10, 4]), priority: 1 });
    await both;
    expect(Buffer.concat(heard)).toEqual(Buffer.concat([a.reply(), Buffer.alloc(24, 0x77)]));
  });

  it('sends a push-mode device’s frame unprompted, heard through the bus’s listen()', async () => {
    const d = new SizedDevice(5, 10);
    const { bus, line } = await rig(d);
    const got = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      bus.listen((c) => {
        chunks.push(c);
        const all = Buffer.concat(chunks);
        if (all.length >= 6) resolve(all);
      });
    });
    const t0 = performance.now();
    d.talk(Buffer.from('push!!'));
    expect((await got).toString()).toBe('push!!');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(6 * byteMs);
    expect(line.stats.bytesHeard).toBe(0); // nobody asked: it went out unprompted
  });
});
