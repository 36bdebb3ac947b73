import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeypadOptions } from '../../drivers/keypad/driver.js';
import { keypadProtocols } from '../../drivers/keypad/protocols.js';
import { recordingLogger } from '../../drivers/common/logger.js';
import { DeviceManager } from '../../src/agent/devices/manager.js';
import { devicesSchema } from '../../src/config/schema.js';
import { emulatedLine, emulatedPrinter, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine, type EmulatedPrinter } from './emulated.js';

const cleanups: (() => Promise<void>)[] = [];
const devices485 = (path: string) => devicesSchema.parse({ rs485: [lineConfig(path, [1])] });
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the device manager on emulated hardware over real ptys', () => {
  it('opens a printer and an RS-485 line from the config, reports them ok, and reopens an unplugged printer by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-devices-'));
    const printerPath = join(dir, 'printer');
    let printer: EmulatedPrinter = await emulatedPrinter(printerPath);
    cleanups.push(() => printer.unplug());
    const line: EmulatedLine = await emulatedLine([1, 2]);
    cleanups.push(() => line.close());

    const config = devicesSchema.parse({
      printer: { transport: 'serial', path: printerPath, baudRate: 115200 },
      rs485: [lineConfig(line.pty.host, [1, 2])],
    });
    const logger = recordingLogger();
    const devices = new DeviceManager(config, { backoff: { initialMs: 100, maxMs: 400 }, printerPollMs: 300, stableDirs: [dir], logger });
    cleanups.push(() => devices.stop());
    await devices.start();

    const up = await healthWhen(devices, (l) => stateOf(l, 'printer') === 'ok' && stateOf(l, 'rs485-0') === 'ok' && stateOf(l, 'keypad-1') === 'ok' && stateOf(l, 'keypad-2') === 'ok');
    expect(up.map((d) => d.name)).toEqual(['printer', 'rs485-0', 'screen-1', 'screen-2', 'keypad-1', 'keypad-2']);
    // Screens are known from their writes: the BX one and the external-call one both answer.
    await devices.screens.get(1)?.show({ window: 1, ticket: 'A001', paused: false }, { urgent: true });
    await devices.screens.get(2)?.show({ window: 2, paused: true }, { urgent: false });
    expect(line.screens.get(1)?.view.text).toContain('A001');
    expect(line.screens.get(2)?.view.text).toContain('暂停服务');
    expect(stateOf(devices.list(), 'screen-1')).toBe('ok');
    expect(stateOf(devices.list(), 'screen-2')).toBe('ok');

    // Unplug the printer: offline, and the detail names the missing path and the stable names there are.
    const printerDriver = devices.printer;
    // A status poll in flight may first report "no status reply"; the unplug itself then names the path.
    const offline = healthWhen(devices, (l) => stateOf(l, 'printer') === 'offline' && l.find((d) => d.name === 'printer')?.detail?.includes(printerPath) === true);
    await printer.unplug();
    const down = (await offline).find((d) => d.name === 'printer');
    expect(down?.detail).toContain(printerPath);
    expect(down?.detail).toMatch(/retrying in/);
    // Retrying finds the path gone and lists the stable names present, dangling ones included.
    const missing = await healthWhen(devices, (l) => l.find((d) => d.name === 'printer')?.detail?.includes('does not exist') === true);
    expect(missing.find((d) => d.name === 'printer')?.detail).toContain(`stable names present (${dir}): ${printerPath}`);
    // The line is untouched.
    expect(stateOf(devices.list(), 'rs485-0')).toBe('ok');
    // The loss is logged in words, never the add-on's raw text (tryout: `"err":"bad file descriptor"`).
    const lost = logger.records.filter((r) => /link lost/.test(String(r.msg)));
    expect(lost.length).toBeGreaterThan(0);
    // Which of the two the pty's close gives (an EBADF on a read, or the end of the stream) is the kernel's timing.
    for (const r of lost) expect(['the device went away (unplugged, or its port closed under it)', 'closed by the other side']).toContain((r.obj as { reason?: string }).reason);
    expect(JSON.stringify(logger.records)).not.toMatch(/bad file descriptor|EBADF|EIO:/i);

    // Plug a printer back in at the same configured path: the manager reopens it without being asked.
    const reopened = new Promise<string>((resolve) => devices.onReopen(resolve));
    const back = healthWhen(devices, (l) => stateOf(l, 'printer') === 'ok');
    printer = await emulatedPrinter(printerPath);
    expect(await reopened).toBe('printer');
    await back;
    // The same driver object prints on the new port.
    expect(devices.printer).toBe(printerDriver);
    const ticket = printer.emulator.nextTicket();
    await devices.printer?.print({ blocks: [{ type: 'text', text: '重新连接 B007' }, { type: 'cut' }] });
    expect((await ticket).blocks.some((b) => b.type === 'text' && b.text === '重新连接 B007')).toBe(true);
  });

  it('reopens an RS-485 line that was unplugged: keypads answer again and the screens take new text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-devices-'));
    const path = join(dir, 'rs485-0');
    let line = await emulatedLine([1], path);
    cleanups.push(() => line.close());
    const devices = new DeviceManager(devices485(path), { backoff: { initialMs: 100, maxMs: 400 }, stableDirs: [dir] });
    cleanups.push(() => devices.stop());
    await devices.start();
    await healthWhen(devices, (l) => stateOf(l, 'keypad-1') === 'ok');

    const down = healthWhen(devices, (l) => stateOf(l, 'rs485-0') === 'offline' && stateOf(l, 'keypad-1') === 'offline' && stateOf(l, 'screen-1') === 'offline');
    await line.close();
    await down;
    await expect(devices.screens.get(1)?.show({ window: 1, ticket: 'A002', paused: false }, { urgent: true })).rejects.toMatchObject({ code: 'DEVICE_OFFLINE' });

    const back = healthWhen(devices, (l) => stateOf(l, 'rs485-0') === 'ok' && stateOf(l, 'keypad-1') === 'ok');
    line = await emulatedLine([1], path);
    // A key is heard once the keypad answered idle on the new line (what it buffered before is dropped as stale).
    const emulator = line.keypads.get(1);
    const idle = new Promise<void>((resolve) => {
      const off = emulator?.on((e) => e.type === 'transmit' && e.frame[0] !== 0xff && (off?.(), resolve()));
    });
    await back;
    await idle;
    await devices.screens.get(1)?.show({ window: 1, ticket: 'A002', paused: false }, { urgent: true });
    expect(line.screens.get(1)?.view.text).toContain('A002');
    expect(stateOf(devices.list(), 'screen-1')).toBe('ok');
    // The same Keypad object hears a key pressed on the new line.
    const key = new Promise<string>((resolve) => devices.keypads[0]?.keypad.on((e) => e.type === 'key' && resolve(e.key)));
    line.keypads.get(1)?.press('call');
    expect(await key).toBe('call');
  });

  it('reports a device whose path is missing as offline (not fatal) and the rest ok', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-devices-'));
    const line = await emulatedLine([3]);
    cleanups.push(() => line.close());
    const config = devicesSchema.parse({
      printer: { transport: 'usblp', path: join(dir, 'lp0') },
      idcard: { transport: 'serial', path: join(dir, 'idcard') },
      rs485: [lineConfig(line.pty.host, [3])],
    });
    const devices = new DeviceManager(config, { backoff: { initialMs: 60_000, maxMs: 60_000 }, stableDirs: [dir] });
    cleanups.push(() => devices.stop());
    await devices.start();
    const list = await healthWhen(devices, (l) => stateOf(l, 'keypad-3') === 'ok');
    expect(stateOf(list, 'printer')).toBe('offline');
    expect(stateOf(list, 'idcard')).toBe('offline');
    expect(list.find((d) => d.name === 'idcard')?.detail).toContain(`${join(dir, 'idcard')} does not exist`);
    await devices.screens.get(3)?.show({ window: 3, ticket: 'C123', paused: false }, { urgent: true });
    await screenShows(line.screens.get(3) as never, 'C123');
  });

  it("gives each keypad its line's keypadPolling, and polls a line's keypads at once when it is back (not after offlineIntervalMs)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-devices-'));
    const path = join(dir, 'rs485-0');
    let line = await emulatedLine([1], path);
    cleanups.push(() => line.close());
    const create = vi.spyOn(keypadProtocols.ff68, 'create');
    cleanups.push(() => Promise.resolve(create.mockRestore()));
    // Ten minutes between polls of an offline keypad: only pollNow() brings it back within the test.
    const config = devicesSchema.parse({ rs485: [{ ...lineConfig(path, [1]), keypadPolling: { intervalMs: 150, timeoutMs: 90, offlineIntervalMs: 600_000, frames: 'ff68' } }] });
    const devices = new DeviceManager(config, { backoff: { initialMs: 100, maxMs: 400 }, stableDirs: [dir] });
    cleanups.push(() => devices.stop());
    await devices.start();
    expect(create.mock.calls[0]?.[2]).toEqual(expect.objectContaining<Partial<KeypadOptions>>({ pollIntervalMs: 150, pollTimeoutMs: 90, offlinePollIntervalMs: 600_000, pollFrames: 'ff68' }));
    await healthWhen(devices, (l) => stateOf(l, 'keypad-1') === 'ok');

    // The line goes away: the keypad's next poll fails, so the keypad itself says offline.
    const keypad = devices.keypads[0]?.keypad;
    const offline = new Promise<void>((resolve) => keypad?.on((e) => e.type === 'offline' && resolve()));
    await line.close();
    await offline;
    expect(keypad?.status).toBe('offline');

    const back = healthWhen(devices, (l) => stateOf(l, 'rs485-0') === 'ok' && stateOf(l, 'keypad-1') === 'ok');
    line = await emulatedLine([1], path);
    await back;
    expect(keypad?.status).toBe('online');
  });
});
