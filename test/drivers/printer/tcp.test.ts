// Raw TCP (port 9100 mode): the driver over TcpTransport against the emulator's listenTcp on a free port.
import { afterEach, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { TcpTransport } from '../../../drivers/common/tcp-transport.js';
import { EscPosPrinter } from '../../../drivers/printer/driver.js';
import { EscPosEmulator } from '../../../drivers/printer/emulator.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('prints over TCP 9100 mode and reads status back', async () => {
  const emulator = new EscPosEmulator();
  cleanups.push(() => emulator.close());
  const port = await emulator.listenTcp(0);
  expect(port).toBeGreaterThan(0);
  const printer = new EscPosPrinter(new TcpTransport('127.0.0.1', port), { statusTimeoutMs: 2000 });
  await printer.open();
  cleanups.push(() => printer.close());

  const printed = emulator.nextTicket();
  await printer.print({
    blocks: [
      { type: 'text', text: '社保卡办理 B105', align: 'center', width: 2, height: 2 },
      { type: 'qr', data: 'https://hall.example/t/B105' },
      { type: 'cut' },
    ],
  });
  const t = await printed;
  expect(t.cut).toBe('full');
  expect(t.blocks.map((b) => (b.type === 'text' ? b.text : b.type === 'qr' ? b.data : b.type))).toEqual(['社保卡办理 B105', 'https://hall.example/t/B105']);

  emulator.set({ paper: 'out' });
  const err: unknown = await printer.print({ blocks: [{ type: 'text', text: 'x' }, { type: 'cut' }] }).catch((e: unknown) => e);
  expect(isHallqError(err, 'PAPER_OUT')).toBe(true);
  expect(printer.health).toBe('out');
});
