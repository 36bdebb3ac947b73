import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { screenProtocolIds, screenProtocols } from '../../../drivers/led-screen/protocols.js';
import { loadConfigOrThrow, validateConfig } from '../../../src/config/load.js';
import { DirectBus } from './direct-bus.js';

/**
 * A device kind is one folder: every LED protocol comes from drivers/led-screen/protocols.ts, which the
 * config schema, the agent's DeviceManager, the demo and `hallq emulate` read.
 */
describe('the LED screen protocol registry', () => {
  it.each(screenProtocolIds)('%s: its driver (from the registry) shows a call on its emulator (from the registry)', async (id) => {
    const p = screenProtocols[id];
    const emulator = p.emulator(7);
    const screen = p.create(new DirectBus(emulator), 7);
    await screen.show({ window: 7, ticket: 'A012', paused: false }, { urgent: true });
    expect(emulator.view.text).toBe('A012 请到7号窗口');
  });

  it('the config accepts every registered protocol and names the key of one it does not know', () => {
    const base = structuredClone(loadConfigOrThrow('config/demo.yaml')) as unknown as Record<string, unknown>;
    const withProtocol = (protocol: string, address = 1) => ({ ...base, agents: [{ id: 'a1', devices: { rs485: [{ path: '/dev/ttyUSB0', screens: [{ window: 1, protocol, address }] }] } }] });
    for (const id of screenProtocolIds) expect(validateConfig(withProtocol(id)).ok, id).toBe(true);
    const bad = validateConfig(withProtocol('nosuch'));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]?.path).toBe('agents[0].devices.rs485[0].screens[0].protocol');
    expect(!bad.ok && bad.issues[0]?.expected).toMatch(/bx.*external-call/);
  });

  it('no file outside drivers/led-screen names a protocol or its classes: a new protocol is added there alone', () => {
    for (const file of ['src/agent/devices/manager.ts', 'src/config/schema.ts', 'src/demo/hardware.ts', 'src/cli/emulate.ts']) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/'external-call'|BxScreen|ExternalCallScreen/);
    }
  });
});
