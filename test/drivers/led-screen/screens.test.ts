import { describe, expect, it } from 'vitest';
import { isHallqError, type ErrorCode } from '../../../drivers/common/error.js';
import { recordingLogger } from '../../../drivers/common/logger.js';
import { BxScreenEmulator } from '../../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import { ExternalCallScreenEmulator } from '../../../drivers/led-screen/external-call-emulator.js';
import { ExternalCallScreen } from '../../../drivers/led-screen/external-call-screen.js';
import { decodeExtFrames, encodeExtFrame, extRequest } from '../../../drivers/led-screen/external-codec.js';
import { encodeExtText } from '../../../drivers/led-screen/external-commands.js';
import type { ScreenFault, ScreenEmulatorBase } from '../../../drivers/led-screen/screen-emulator.js';
import type { WindowScreen } from '../../../drivers/led-screen/window-screen.js';
import type { EmulatedBusDevice } from '../../../drivers/rs485/bus-device.js';
import { DirectBus } from './direct-bus.js';

type Emulator = ScreenEmulatorBase & EmulatedBusDevice;

interface Rig {
  name: string;
  make(address: number, opts?: { retries?: number; timeoutMs?: number; logger?: ReturnType<typeof recordingLogger> }): { screen: WindowScreen; emulator: Emulator; bus: DirectBus };
}

const rigs: Rig[] = [
  {
    name: 'BX',
    make(address, opts = {}) {
      const emulator = new BxScreenEmulator({ address });
      const bus = new DirectBus(emulator);
      const screen = new BxScreen(bus, { address, retries: opts.retries ?? 0, timeoutMs: opts.timeoutMs ?? 50 }, opts.logger);
      return { screen, emulator, bus };
    },
  },
  {
    name: 'external call',
    make(address, opts = {}) {
      const emulator = new ExternalCallScreenEmulator({ cardId: address });
      const bus = new DirectBus(emulator);
      const screen = new ExternalCallScreen(bus, { cardId: address, retries: opts.retries ?? 0, timeoutMs: opts.timeoutMs ?? 50 }, opts.logger);
      return { screen, emulator, bus };
    },
  },
];

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'resolved'> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    if (isHallqError(e)) return e.code;
    throw e;
  }
}

describe.each(rigs)('$name screen against its emulator', (rig) => {
  it('shows what the driver sent: ticket, colours and effect decoded by the emulator', async () => {
    const { screen, emulator } = rig.make(3);
    const changed = emulator.nextChange();
    await screen.show({ window: 3, ticket: 'A012', paused: false }, { urgent: true });
    const view = await changed;
    expect(view.text).toBe('A012 请到3号窗口');
    expect(view.effect).toBe('static');
    expect(view.runs[0]?.colour).toBe('red');
    expect(emulator.view.updates).toBe(1);
  });

  it('shows 暂停服务 when paused', async () => {
    const { screen, emulator } = rig.make(4);
    await screen.show({ window: 4, paused: true }, { urgent: false });
    expect(emulator.view.text).toBe('4号窗口 暂停服务');
  });

  it('scrolls when a line is given', async () => {
    const { screen, emulator } = rig.make(4);
    await screen.show({ window: 4, ticket: 'C100', paused: false, line: '请李*到4号窗口' }, { urgent: false });
    expect(emulator.view.effect).toBe('scroll-left');
    expect(emulator.view.text).toBe('C100 请到4号窗口 请李*到4号窗口');
  });

  it('sends nothing when the content has not changed since the last successful show', async () => {
    const { screen, bus } = rig.make(5);
    await screen.show({ window: 5, ticket: 'A001', paused: false }, { urgent: true });
    await screen.show({ window: 5, ticket: 'A001', paused: false }, { urgent: false });
    expect(bus.sent).toHaveLength(1);
    await screen.show({ window: 5, ticket: 'A002', paused: false }, { urgent: false });
    expect(bus.sent).toHaveLength(2);
  });

  it('sends again after a failure, since the screen state is then unknown', async () => {
    const { screen, emulator, bus } = rig.make(5);
    emulator.setFault({ type: 'no-reply' });
    expect(await codeOf(screen.show({ window: 5, ticket: 'A001', paused: false }, { urgent: true }))).toBe('DEVICE_TIMEOUT');
    emulator.setFault({ type: 'none' });
    await screen.show({ window: 5, ticket: 'A001', paused: false }, { urgent: true });
    expect(bus.sent).toHaveLength(2);
    expect(emulator.view.text).toBe('A001 请到5号窗口');
  });

  it('maps urgent to priority 0, otherwise 1, with one coalescing key per screen', async () => {
    const a = rig.make(6);
    await a.screen.show({ window: 6, ticket: 'A001', paused: false }, { urgent: true });
    await a.screen.show({ window: 6, ticket: 'A002', paused: false }, { urgent: false });
    expect(a.bus.sent.map((s) => s.priority)).toEqual([0, 1]);
    const b = rig.make(7);
    await b.screen.show({ window: 7, paused: false }, { urgent: false });
    const keys = [...a.bus.sent, ...b.bus.sent].map((s) => s.key);
    expect(keys[0]).toBeDefined();
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).toBeDefined();
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('lets a queued older update be replaced by the newer one, and then remembers the newer', async () => {
    const { screen, emulator, bus } = rig.make(8);
    bus.hold();
    const first = screen.show({ window: 8, ticket: 'A001', paused: false }, { urgent: false });
    const second = screen.show({ window: 8, ticket: 'A002', paused: false }, { urgent: false });
    bus.release();
    await Promise.all([first, second]);
    expect(bus.sent).toHaveLength(1);
    expect(emulator.view.text).toBe('A002 请到8号窗口');
    // The older one's success must not make the gate believe A001 is shown.
    await screen.show({ window: 8, ticket: 'A001', paused: false }, { urgent: false });
    expect(bus.sent).toHaveLength(2);
    expect(emulator.view.text).toBe('A001 请到8号窗口');
  });

  it('re-sends an identical pending update when it becomes urgent (priority 0 replaces priority 1)', async () => {
    const { screen, bus } = rig.make(9);
    bus.hold();
    const low = screen.show({ window: 9, ticket: 'A001', paused: false }, { urgent: false });
    const same = screen.show({ window: 9, ticket: 'A001', paused: false }, { urgent: false });
    const urgent = screen.show({ window: 9, ticket: 'A001', paused: false }, { urgent: true });
    expect(same).toBe(low);
    bus.release();
    await Promise.all([low, urgent]);
    expect(bus.sent.map((s) => s.priority)).toEqual([0]);
  });

  it('testPattern shows every colour and the address, and the next show is sent', async () => {
    const { screen, emulator, bus } = rig.make(11);
    await screen.show({ window: 11, paused: false }, { urgent: false });
    await screen.testPattern();
    expect(emulator.view.text).toContain('地址11');
    await screen.show({ window: 11, paused: false }, { urgent: false });
    expect(bus.sent).toHaveLength(3);
    expect(emulator.view.text).toBe('11号窗口');
  });

  it('forget(): the same text is sent again (a fresh controller behind a line that came back), once', async () => {
    const { screen, emulator, bus } = rig.make(14);
    await screen.show({ window: 14, ticket: 'C021', paused: false }, { urgent: false });
    await screen.show({ window: 14, ticket: 'C021', paused: false }, { urgent: false });
    expect(bus.sent).toHaveLength(1);
    screen.forget();
    await screen.show({ window: 14, ticket: 'C021', paused: false }, { urgent: false });
    await screen.show({ window: 14, ticket: 'C021', paused: false }, { urgent: false });
    expect(bus.sent.map((s) => s.priority)).toEqual([1, 1]);
    expect(emulator.view.updates).toBe(2);
    expect(emulator.view.text).toBe('C021 请到14号窗口');
  });

  it('ignores frames for other addresses', async () => {
    const { emulator } = rig.make(12);
    const other = rig.make(13);
    await other.screen.show({ window: 13, ticket: 'Z999', paused: false }, { urgent: false });
    for (const s of other.bus.sent) expect(emulator.hear(s.frame)).toEqual([]);
    expect(emulator.view.updates).toBe(0);
    expect(emulator.received).toBe(0);
  });

  const faults: Array<[ScreenFault, ErrorCode | 'resolved', boolean]> = [
    [{ type: 'no-reply' }, 'DEVICE_TIMEOUT', false],
    [{ type: 'bad-reply-checksum' }, 'DEVICE_CHECKSUM', true],
    [{ type: 'nak-checksum' }, 'DEVICE_NAK', false],
    [{ type: 'nak-sequence' }, 'DEVICE_NAK', false],
    [{ type: 'slow-reply', delayMs: 120 }, 'DEVICE_TIMEOUT', true],
    [{ type: 'slow-reply', delayMs: 5 }, 'resolved', true],
  ];
  it.each(faults)('fault %o gives %s (shown: %s), after the configured retries', async (fault, code, shown) => {
    const { screen, emulator, bus } = rig.make(14, { retries: 1 });
    emulator.setFault(fault);
    expect(await codeOf(screen.show({ window: 14, ticket: 'A001', paused: false }, { urgent: true }))).toBe(code);
    expect(bus.sent).toHaveLength(code === 'resolved' ? 1 : 2);
    expect(emulator.view.text === 'A001 请到14号窗口').toBe(shown);
  });

  it('keeps screen text out of logs above debug', async () => {
    const logger = recordingLogger();
    const { screen, emulator } = rig.make(15, { logger });
    emulator.setFault({ type: 'nak-checksum' });
    await codeOf(screen.show({ window: 15, ticket: 'A001', paused: false, line: '请王*五' }, { urgent: true }));
    const loud = logger.records.filter((r) => r.level !== 'debug');
    expect(loud.length).toBeGreaterThan(0);
    expect(JSON.stringify(loud)).not.toMatch(/王|A001/);
  });
});

describe('external-call details', () => {
  it('names the return code of a refusal in the error', async () => {
    const emulator = new ExternalCallScreenEmulator({ cardId: 2 });
    const screen = new ExternalCallScreen(new DirectBus(emulator), { cardId: 2, retries: 0 });
    emulator.setFault({ type: 'nak-sequence' });
    const err = await screen.show({ window: 2, paused: false }, { urgent: false }).catch((e: unknown) => e);
    expect(isHallqError(err, 'DEVICE_NAK') && err.details).toMatchObject({ returnCode: 2, reason: 'sequence error' });
  });

  it('the emulator answers 02 to packets out of order and reassembles packets in order', () => {
    const emulator = new ExternalCallScreenEmulator({ cardId: 1 });
    const payload = encodeExtText({ userCode: 1, program: 1, window: 1, playNow: true, format: undefined, text: Buffer.from('HELLO') });
    const a = payload.subarray(0, 6);
    const b = payload.subarray(6);
    const hear = (p: Buffer, no: number, last: number): { type: number; rc: number } => {
      const r = emulator.hear(encodeExtFrame(extRequest(1, p, { packetNo: no, lastPacket: last })))[0];
      if (!Buffer.isBuffer(r)) throw new Error('expected an immediate reply');
      const ev = decodeExtFrames(r)[0];
      if (ev?.type !== 'frame') throw new Error('expected a valid reply frame');
      return { type: ev.frame.frameType, rc: ev.frame.payload[1] as number };
    };
    expect(hear(b, 1, 1)).toEqual({ type: 0xe8, rc: 2 });
    expect(hear(a, 0, 1).rc).toBe(0);
    expect(emulator.view.updates).toBe(0);
    expect(hear(b, 1, 1).rc).toBe(0);
    expect(emulator.view.text).toBe('HELLO');
  });
});
