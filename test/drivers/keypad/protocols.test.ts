import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLL_FRAMES } from '../../../drivers/keypad/polling-schemas.js';
import { keypadProtocolIds, keypadProtocols } from '../../../drivers/keypad/protocols.js';
import { loadConfigOrThrow, validateConfig } from '../../../src/config/load.js';
import { DirectBus } from '../led-screen/direct-bus.js';

/**
 * A device kind is one folder: the caller/rating keypad protocols come from drivers/keypad/protocols.ts
 * (+ protocol-schemas.ts), which the config schema, the agent's DeviceManager, the demo and
 * `hallq emulate rs485` read.
 */
describe('the keypad protocol registry', () => {
  it.each(keypadProtocolIds.flatMap((id) => POLL_FRAMES.map((frames) => [id, frames] as const)))('%s, %s poll frames: its driver (from the registry) hears a key from its emulator and shows the queue on it', async (id, frames) => {
    const p = keypadProtocols[id];
    // The emulator told the line's poll frames answers only those, as the driver is told to send.
    const emulator = p.emulator(9, { mode: 'poll', pollFrames: frames });
    const keypad = p.create(new DirectBus(emulator), 9, { pollIntervalMs: 5, pollFrames: frames });
    const key = new Promise<string>((resolve) => keypad.on((e) => e.type === 'key' && resolve(e.key)));
    keypad.start();
    emulator.press('call');
    expect(await key).toBe('call');
    await keypad.showTicket(12, 'A042');
    expect(emulator.display).toEqual({ waiting: '012', ticket: '042' });
    await keypad.stop();
  });

  it('⚠ a keypad whose firmware knows only the other kind of poll frame stays silent: the driver reports it offline (DEVICE_TIMEOUT)', async () => {
    for (const [driverFrames, firmware] of [['compact', 'ff68'], ['ff68', 'compact']] as const) {
      const emulator = keypadProtocols.ff68.emulator(9, { pollFrames: firmware });
      const bus = new DirectBus(emulator);
      const keypad = keypadProtocols.ff68.create(bus, 9, { pollIntervalMs: 5, pollTimeoutMs: 20, pollRetries: 0, pollFrames: driverFrames });
      const offline = new Promise<string>((resolve) => keypad.on((e) => e.type === 'offline' && resolve(e.error.code)));
      keypad.start();
      expect(await offline).toBe('DEVICE_TIMEOUT');
      await keypad.stop();
      // What went out was the driver's kind: 9C … for compact, FF 68 … for ff68.
      expect(bus.sent[0]?.frame[0]).toBe(driverFrames === 'compact' ? 0x9c : 0xff);
    }
  });

  it('the config accepts every registered protocol, checks its address, and names the key of one it does not know', () => {
    const base = structuredClone(loadConfigOrThrow('config/demo.yaml')) as unknown as Record<string, unknown>;
    const withKeypad = (protocol: string, address = 1) => ({ ...base, agents: [{ id: 'a1', devices: { rs485: [{ path: '/dev/ttyUSB0', keypads: [{ window: 1, protocol, address }] }] } }] });
    for (const id of keypadProtocolIds) expect(validateConfig(withKeypad(id)).ok, id).toBe(true);
    const bad = validateConfig(withKeypad('nosuch'));
    expect(!bad.ok && bad.issues[0]?.path).toBe('agents[0].devices.rs485[0].keypads[0].protocol');
    const far = validateConfig(withKeypad('ff68', 300));
    expect(!far.ok && far.issues[0]?.path).toBe('agents[0].devices.rs485[0].keypads[0].address');
  });

  it('no file outside drivers/keypad builds a keypad driver or emulator: a new protocol is added there alone', () => {
    for (const file of ['src/agent/devices/manager.ts', 'src/config/schema.ts', 'src/demo/hardware.ts', 'src/cli/emulate.ts']) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/new Keypad\(|new KeypadEmulator\(/);
    }
  });
});
