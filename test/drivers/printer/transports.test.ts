import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import type { printerTransportSchemas } from '../../../drivers/printer/transport-schemas.js';
import { printerEmulation, printerTransports } from '../../../drivers/printer/transports.js';
import { DeviceManager } from '../../../src/agent/devices/manager.js';
import { loadConfigOrThrow, validateConfig } from '../../../src/config/load.js';
import { devicesSchema } from '../../../src/config/schema.js';
import { healthWhen, stateOf } from '../../agent/emulated.js';
import { openPtyPair } from '../../helpers/pty.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A device kind is one folder: the ways of attaching the ticket printer come from
 * drivers/printer/transports.ts (+ transport-schemas.ts), which the config schema, the agent's
 * DeviceManager, the demo and `hallq emulate printer` read.
 */
describe('the printer transport registry', () => {
  it('the config accepts every registered transport and names the key of one it does not know', () => {
    const base = structuredClone(loadConfigOrThrow('config/demo.yaml')) as unknown as Record<string, unknown>;
    const withPrinter = (printer: unknown) => ({ ...base, agents: [{ id: 'a1', devices: { printer } }] });
    const samples: Record<keyof typeof printerTransportSchemas, unknown> = { usblp: { transport: 'usblp' }, serial: { transport: 'serial', path: '/dev/ttyUSB0' }, tcp: { transport: 'tcp', host: '10.0.0.9' } };
    for (const [id, sample] of Object.entries(samples)) expect(validateConfig(withPrinter(sample)).ok, id).toBe(true);
    expect(Object.keys(samples).sort()).toEqual(Object.keys(printerTransports).sort());
    const bad = validateConfig(withPrinter({ transport: 'bluetooth', path: '/dev/rfcomm0' }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]?.path).toBe('agents[0].devices.printer.transport');
  });

  it.each(['serial', 'usblp'] as const)('%s: the agent opens the link the registry makes and prints on the emulator the registry makes', async (transport) => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const device = new SerialTransport({ path: pty.device, baudRate: printerEmulation.baudRate });
    await device.open();
    cleanups.push(() => device.close());
    const emulator = printerEmulation.emulator();
    emulator.attach(device);
    cleanups.push(() => emulator.close());
    // The demo's and `hallq emulate`'s config for a pty, or the same path as a usblp character device (write-only).
    const printer = transport === 'serial' ? printerEmulation.configFor(pty.host) : { transport, path: pty.host };
    const devices = new DeviceManager(devicesSchema.parse({ printer }), { printerPollMs: 300, stableDirs: [mkdtempSync(join(tmpdir(), 'hallq-printer-reg-'))] });
    cleanups.push(() => devices.stop());
    await devices.start();
    const entry = (await healthWhen(devices, (l) => (transport === 'serial' ? stateOf(l, 'printer') === 'ok' : stateOf(l, 'printer') !== undefined))).find((d) => d.name === 'printer');
    expect(entry?.kind).toBe(printerTransports[transport].kind);
    const printed = emulator.nextTicket();
    await devices.printer?.print({ blocks: [{ type: 'text', text: 'A001 社保' }, { type: 'cut' }] });
    expect((await printed).blocks).toContainEqual(expect.objectContaining({ type: 'text', text: 'A001 社保' }));
  }, 30_000);

  it('no file outside drivers/printer names a transport class or the emulator: a new transport is added there alone', () => {
    for (const file of ['src/agent/devices/manager.ts', 'src/config/schema.ts', 'src/demo/hardware.ts', 'src/cli/emulate.ts']) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/ChardevTransport|TcpTransport|new EscPosEmulator|new EscPosPrinter|'usblp'|literal\('tcp'\)/);
    }
  });
});
