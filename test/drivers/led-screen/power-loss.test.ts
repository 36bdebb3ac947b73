/**
 * The screen emulators' power loss (fault `power-off`), byte for byte on the wire-time model, stepped on a
 * virtual clock: dark at once, deaf and mute while off, a reply cut where it had got to, and back blank with
 * a fresh receiver (a frame begun while it was off is not taken). At 9600 baud one byte is b = 1.0417 ms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { BX_PING } from '../../../drivers/led-screen/bx-commands.js';
import { bxPacket, encodeBxFrame } from '../../../drivers/led-screen/bx-codec.js';
import { BxScreenEmulator } from '../../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import { ExternalCallScreenEmulator } from '../../../drivers/led-screen/external-call-emulator.js';
import { ExternalCallScreen } from '../../../drivers/led-screen/external-call-screen.js';
import { layoutScreen } from '../../../drivers/led-screen/layout.js';
import type { ScreenEmulatorBase } from '../../../drivers/led-screen/screen-emulator.js';
import type { EmulatedBusDevice } from '../../../drivers/rs485/bus-device.js';
import { byteTimeMs, VirtualClock } from '../../../drivers/rs485/clock.js';
import { Rs485LineEmulator } from '../../../drivers/rs485/line-emulator.js';

const b = byteTimeMs(9600);
const nobus = { exchange: () => Promise.resolve(undefined) };

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function wire(clock: VirtualClock, device: ScreenEmulatorBase & EmulatedBusDevice): Promise<{ host: Transport; rx: () => Buffer }> {
  const [host, dev] = memoryPair('wire');
  await host.open();
  await dev.open();
  const line = new Rs485LineEmulator(dev, { baudRate: 9600, clock, sliceBytes: 1 });
  line.add(device);
  line.start();
  let rx = Buffer.alloc(0);
  host.onData((c) => (rx = Buffer.concat([rx, c])));
  cleanup.push(() => line.stop(), () => host.close(), () => dev.close());
  return { host, rx: () => rx };
}

describe('BX screen emulator: power lost while the line stays up', () => {
  it('stops its reply where it had got to, hears nothing while off, and comes back blank', async () => {
    const clock = new VirtualClock();
    const screen = new BxScreenEmulator({ address: 7 });
    const { host, rx } = await wire(clock, screen);
    const call = new BxScreen(nobus, { address: 7 }).frameFor(layoutScreen({ window: 7, ticket: 'A123', paused: false }));
    await host.write(call);
    await clock.advanceTo(call.length * b + 1e-6);
    expect(screen.view.text).toBe('A123 请到7号窗口');
    const updates = screen.view.updates;

    // The ack is 30 bytes; power goes after its 10th byte has left.
    const reply = encodeBxFrame(bxPacket(0x8000, Buffer.from([0xa0, 0, 0, 0, 0]), { src: 7 })).length;
    await clock.advanceTo((call.length + 10) * b + 1e-6);
    expect(rx().length).toBe(10);
    const dark = screen.nextChange();
    screen.setFault({ type: 'power-off' });
    expect((await dark).text).toBe('');
    expect(screen.view.updates).toBe(updates);
    await clock.advanceTo((call.length + reply + 50) * b);
    expect(rx().length).toBe(10);

    // While off: a ping and the first half of a call go unheard, unanswered.
    const t0 = clock.now();
    const ping = encodeBxFrame(bxPacket(7, Buffer.from(BX_PING)));
    await host.write(ping);
    await host.write(call.subarray(0, 40));
    await clock.advanceTo(t0 + (ping.length + 40 + 60) * b);
    expect(rx().length).toBe(10);
    const heardOff = screen.received;

    // Powered up: blank; the rest of the call begun while off is not taken, the next whole frame is.
    screen.setFault({ type: 'none' });
    expect(screen.view.text).toBe('');
    const t1 = clock.now();
    await host.write(call.subarray(40));
    await clock.advanceTo(t1 + (call.length - 40 + 60) * b);
    expect(screen.received).toBe(heardOff);
    expect(screen.view.text).toBe('');
    expect(rx().length).toBe(10);
    const t2 = clock.now();
    await host.write(ping);
    await clock.advanceTo(t2 + (ping.length + reply) * b + 1e-6);
    expect(rx().length).toBe(10 + reply);
    expect(screen.view.text).toBe('');
  });
});

describe('external-call card emulator: power lost', () => {
  it('is dark and silent while off and comes back blank, answering again', async () => {
    const clock = new VirtualClock();
    const card = new ExternalCallScreenEmulator({ cardId: 4 });
    const { host, rx } = await wire(clock, card);
    const text = new ExternalCallScreen(nobus, { cardId: 4 }).frameFor(layoutScreen({ window: 4, paused: true }));
    await host.write(text);
    await clock.advanceTo((text.length + 40) * b);
    expect(card.view.text).toBe('4号窗口 暂停服务');
    const answered = rx().length;
    expect(answered).toBeGreaterThan(0);

    card.setFault({ type: 'power-off' });
    expect(card.view.text).toBe('');
    const t0 = clock.now();
    await host.write(text);
    await clock.advanceTo(t0 + (text.length + 40) * b);
    expect(rx().length).toBe(answered);
    expect(card.view.text).toBe('');

    card.setFault({ type: 'none' });
    expect(card.view.text).toBe('');
    const t1 = clock.now();
    await host.write(text);
    await clock.advanceTo(t1 + (text.length + 40) * b);
    expect(card.view.text).toBe('4号窗口 暂停服务');
    expect(rx().length).toBe(2 * answered);
  });
});
