// Driver logic over an in-memory pair: write-only links, stray bytes, polling start/stop, link loss.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { EscPosPrinter, type PrinterHealth } from '../../../drivers/printer/driver.js';
import { EscPosEmulator } from '../../../drivers/printer/emulator.js';

const doc = { blocks: [{ type: 'text' as const, text: '王小二 身份证 110101199003071234' }, { type: 'cut' as const }] };

afterEach(() => {
  vi.useRealTimers();
});

async function setup(options: ConstructorParameters<typeof EscPosPrinter>[1] = {}) {
  const [host, device] = memoryPair('printer');
  await host.open();
  await device.open();
  const emulator = new EscPosEmulator();
  emulator.attach(device);
  const printer = new EscPosPrinter(host, { statusTimeoutMs: 2000, ...options });
  await printer.open();
  return { host, device, emulator, printer };
}

describe('EscPosPrinter', () => {
  it('write-only link: status is unknown (write-only) without sending anything, and print goes ahead', async () => {
    const { device, emulator, printer } = await setup({ readBack: false });
    emulator.set({ paper: 'out' }); // the driver cannot know: it must not ask
    const seen: Buffer[] = [];
    device.onData((c) => seen.push(c));
    expect(await printer.status()).toEqual({ type: 'unknown', reason: 'write-only' });
    expect(seen).toEqual([]);
    const lost = new Promise((resolve) => emulator.onLost(resolve));
    const result = await printer.print(doc);
    expect(result.checked).toEqual({ type: 'unknown', reason: 'write-only' });
    expect(await lost).toMatchObject({ reason: 'paper-out' }); // what happens without read-back: the ticket is lost
    expect(printer.health).toBe('unknown');
    await printer.close();
  });

  it('takes read-back from the transport flag when not configured', () => {
    const [host] = memoryPair();
    const writeOnly = Object.assign(host, { bidirectional: false }) as Transport;
    expect(new EscPosPrinter(writeOnly).readsBack).toBe(false);
    expect(new EscPosPrinter(memoryPair()[0]).readsBack).toBe(true);
    expect(new EscPosPrinter(writeOnly, { readBack: true }).readsBack).toBe(true);
  });

  it('drops bytes that arrive when no status is pending (a late reply cannot answer a later question)', async () => {
    const { host, device, printer } = await setup();
    const arrived = new Promise<void>((resolve) => {
      const off = host.onData(() => {
        off();
        resolve();
      });
    });
    await device.write(Buffer.of(0x1a, 0x72)); // "offline, paper out", but nobody asked
    await arrived;
    expect(await printer.status()).toEqual({ type: 'known', status: { online: true, paper: 'ok' } });
    await printer.close();
  });

  it('asks printer and paper status in one write (one round trip on the link) and reads both replies from one chunk', async () => {
    const [host, device] = memoryPair('pipelined');
    await host.open();
    await device.open();
    const printer = new EscPosPrinter(host, { statusTimeoutMs: 500 });
    await printer.open();
    const writes: string[] = [];
    device.onData((chunk) => {
      writes.push(chunk.toString('hex'));
      // Printer online (0x12), then paper near end (0x1e: the fixed bits 0x12 and the near-end sensor bits 0x0c).
      void device.write(Buffer.of(0x12, 0x1e));
    });
    expect(await printer.status()).toEqual({ type: 'known', status: { online: true, paper: 'near-end' } });
    expect(writes).toEqual(['100401100404']);
    await printer.close();
  });

  it('skips line noise before a real status byte; only noise is an invalid-reply reading', async () => {
    const [host, device] = memoryPair('noisy');
    await host.open();
    await device.open();
    const printer = new EscPosPrinter(host, { statusTimeoutMs: 500 });
    await printer.open();
    let reply = Buffer.of(0x00, 0xff, 0x12);
    // One reply (noise first) per DLE EOT request in the chunk: the driver may send several in one write.
    device.onData((chunk) => {
      for (let i = 0; i + 2 < chunk.length; i += 3) void device.write(reply);
    });
    expect(await printer.status()).toEqual({ type: 'known', status: { online: true, paper: 'ok' } });
    reply = Buffer.of(0x00, 0xff);
    expect(await printer.status()).toEqual({ type: 'unknown', reason: 'invalid-reply' });
    await printer.close();
  });

  it('polls on its interval and stops when told (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { emulator, printer } = await setup({ pollIntervalMs: 1000 });
    const asked: number[] = [];
    emulator.onStatusRequest((n) => asked.push(n));
    const healths: PrinterHealth[] = [];
    printer.onHealth((h) => healths.push(h));
    printer.startPolling();
    await vi.advanceTimersByTimeAsync(999);
    expect(asked).toEqual([]);
    const polled = new Promise<void>((resolve) => emulator.onStatusRequest((n) => n === 4 && resolve()));
    await vi.advanceTimersByTimeAsync(1);
    await polled;
    await vi.waitFor(() => expect(healths).toEqual(['ok']));
    printer.stopPolling();
    const count = asked.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(asked.length).toBe(count);
    await printer.close();
  });

  it('a lost link makes health offline; status then reports closed without writing', async () => {
    const { host, printer } = await setup();
    const offline = new Promise<void>((resolve) => printer.onHealth((h) => h === 'offline' && resolve()));
    await host.close();
    await offline;
    expect(await printer.status()).toEqual({ type: 'unknown', reason: 'closed' });
    const err: unknown = await printer.print(doc).catch((e: unknown) => e);
    expect(isHallqError(err, 'TRANSPORT_CLOSED')).toBe(true);
  });

  it('logs the replaced-character count, never the text', async () => {
    const records: LogRecord[] = [];
    const { emulator, printer } = await setup({ logger: recordingLogger(records), encoding: 'gbk' });
    const printed = emulator.nextTicket();
    const r = await printer.print({ blocks: [{ type: 'text', text: '李𠀀𠀁' }, { type: 'cut' }] });
    expect(r.replacedCharacters).toBe(2);
    expect((await printed).blocks[0]).toMatchObject({ text: '李??' });
    const warn = records.find((x) => x.level === 'warn' && 'replacedCharacters' in x.obj);
    expect(warn?.obj).toMatchObject({ replacedCharacters: 2 });
    expect(JSON.stringify(records)).not.toMatch(/李|𠀀|𠀁/);
    await printer.close();
  });
});

describe('EscPosPrinter print(doc, { beforeWrite })', () => {
  it('runs beforeWrite once the status allows the print and before any ticket byte is written; never when refused; a throwing hook sends nothing', async () => {
    const { device, emulator, printer } = await setup({ mechanics: { speedMmPerS: 10_000 } });
    const order: string[] = [];
    device.onData((c) => order.push(c.length === 3 || c.length === 6 ? 'status' : 'bytes'));
    await printer.print(doc, { beforeWrite: () => order.push('hook') });
    expect(order.indexOf('hook')).toBeGreaterThan(-1);
    expect(order.indexOf('bytes')).toBeGreaterThan(order.indexOf('hook'));
    expect(order.slice(0, order.indexOf('hook'))).not.toContain('bytes');

    // Refused by the device before the bytes: the hook does not run.
    emulator.set({ paper: 'out' });
    let ran = false;
    await expect(printer.print(doc, { beforeWrite: () => (ran = true) })).rejects.toMatchObject({ code: 'PAPER_OUT' });
    expect(ran).toBe(false);

    // The hook throws: print rejects with its error and no ticket byte goes out.
    emulator.set({ paper: 'ok' });
    order.length = 0;
    await expect(
      printer.print(doc, {
        beforeWrite: () => {
          throw new Error('journal down');
        },
      }),
    ).rejects.toThrow('journal down');
    expect(order).not.toContain('bytes');
    await printer.close();
  });
});
