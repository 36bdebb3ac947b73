import { describe, expect, it } from 'vitest';
import { DeviceManager } from '../../src/agent/devices/manager.js';
import { devicesSchema } from '../../src/config/schema.js';

describe('device manager with a HID or wedge ID-card reader', () => {
  it('opens a configured HID reader through node-hid and reports it offline, not fatal, when it is absent', async () => {
    const m = new DeviceManager(devicesSchema.parse({ idcard: { transport: 'hid', vendorId: 0xfffe, productId: 0xfffd } }));
    await m.start();
    const idcard = m.list().find((d) => d.name === 'idcard');
    expect(idcard).toMatchObject({ kind: 'idcard-hid', state: 'offline' });
    expect(idcard?.detail).toContain('fffe:fffd');
    await m.stop();
  });

  it('leaves a keyboard-wedge reader to the kiosk page and says so', async () => {
    const m = new DeviceManager(devicesSchema.parse({ idcard: { transport: 'wedge' } }));
    await m.start();
    expect(m.list().find((d) => d.name === 'idcard')).toMatchObject({ kind: 'idcard-wedge', state: 'unknown' });
    await m.stop();
  });
});
