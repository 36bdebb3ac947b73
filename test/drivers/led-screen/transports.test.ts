/**
 * The bytes survive real links: a socat pty at 9600 baud (two screens of both protocols answering on one
 * line through the standalone runner) and TCP (a BX network controller).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HallqError, isHallqError } from '../../../drivers/common/error.js';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import { TcpTransport } from '../../../drivers/common/tcp-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { BxScreenEmulator } from '../../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import { listenTcp, serveOnTransport } from '../../../drivers/led-screen/emulator-runner.js';
import { ExternalCallScreenEmulator } from '../../../drivers/led-screen/external-call-emulator.js';
import { ExternalCallScreen } from '../../../drivers/led-screen/external-call-screen.js';
import type { BusExchange, BusPort } from '../../../drivers/rs485/bus-port.js';
import { openPtyPair } from '../../helpers/pty.js';

/** TEST ONLY: the minimal request/response over one Transport (one exchange at a time, no scheduling). */
class LinkBusPort implements BusPort {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(private readonly link: Transport) {}

  exchange(x: BusExchange): Promise<Buffer | undefined> {
    const run = this.chain.then(() => this.once(x));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async once(x: BusExchange): Promise<Buffer | undefined> {
    for (let attempt = 0; ; attempt++) {
      const framer = x.reply;
      if (!framer) {
        await this.link.write(x.frame);
        return undefined;
      }
      let rx = Buffer.alloc(0);
      let off = (): void => {};
      let timer: NodeJS.Timeout | undefined;
      const reply = new Promise<Buffer | undefined>((resolve) => {
        off = this.link.onData((chunk) => {
          rx = Buffer.concat([rx, chunk]);
          const r = framer(rx);
          if (r) resolve(r.frame);
        });
        timer = setTimeout(() => resolve(undefined), x.timeoutMs ?? 500);
      });
      await this.link.write(x.frame);
      const frame = await reply;
      off();
      clearTimeout(timer);
      const code = frame ? x.check?.(frame) : 'DEVICE_TIMEOUT';
      if (frame && code === undefined) return frame;
      if (attempt >= (x.retries ?? 0)) throw new HallqError(code ?? 'DEVICE_TIMEOUT', `link: ${code ?? 'timeout'}`);
    }
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('screens over real links', () => {
  it('a pty at 9600 baud carries both protocols, each screen answering only its own frames', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const host = new SerialTransport({ path: pty.host, baudRate: 9600 });
    const device = new SerialTransport({ path: pty.device, baudRate: 9600 });
    await host.open();
    cleanups.push(() => host.close());
    await device.open();
    cleanups.push(() => device.close());

    const bxEmu = new BxScreenEmulator({ address: 3 });
    const extEmu = new ExternalCallScreenEmulator({ cardId: 4 });
    cleanups.push(serveOnTransport(bxEmu, device), serveOnTransport(extEmu, device));
    const bus = new LinkBusPort(host);
    const bx = new BxScreen(bus, { address: 3, timeoutMs: 1000, retries: 0 });
    const ext = new ExternalCallScreen(bus, { cardId: 4, timeoutMs: 1000, retries: 0 });

    await bx.show({ window: 3, ticket: 'A012', paused: false }, { urgent: true });
    await ext.show({ window: 4, paused: true, line: '请王*到4号窗口' }, { urgent: false });
    expect(bxEmu.view).toMatchObject({ text: 'A012 请到3号窗口', effect: 'static', updates: 1 });
    expect(extEmu.view).toMatchObject({ text: '4号窗口 暂停服务 请王*到4号窗口', effect: 'scroll-left', updates: 1 });

    bxEmu.setFault({ type: 'bad-reply-checksum' });
    const err = await bx.show({ window: 3, ticket: 'A013', paused: false }, { urgent: true }).catch((e: unknown) => e);
    expect(isHallqError(err, 'DEVICE_CHECKSUM')).toBe(true);
  });

  it('a BX network controller answers on TCP', async () => {
    const emu = new BxScreenEmulator({ address: 1 });
    const server = await listenTcp(emu, { port: 0 });
    cleanups.push(() => server.close());
    const link = new TcpTransport('127.0.0.1', server.port);
    await link.open();
    cleanups.push(() => link.close());
    const screen = new BxScreen(new LinkBusPort(link), { address: 1, timeoutMs: 1000 });
    await screen.show({ window: 1, ticket: 'B007', paused: false }, { urgent: false });
    expect(emu.view.text).toBe('B007 请到1号窗口');
    emu.setFault({ type: 'slow-reply', delayMs: 30 });
    await screen.show({ window: 1, ticket: 'B008', paused: false }, { urgent: false });
    expect(emu.view.text).toBe('B008 请到1号窗口');
  });
});
