import { describe, expect, it } from 'vitest';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { AtModem } from '../../../drivers/sms/at-modem.js';
import { ModemEmulator } from '../../../drivers/sms/modem-emulator.js';
import { encodeSubmit } from '../../../drivers/sms/pdu-codec.js';

/** Talks to the emulator byte by byte, as a terminal would; resolves once `until` has been seen. */
function terminal(host: Transport) {
  let received = '';
  const waiters: { until: string; resolve: (s: string) => void }[] = [];
  host.onData((chunk) => {
    received += chunk.toString('latin1');
    for (const w of [...waiters]) {
      if (received.includes(w.until)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(received);
      }
    }
  });
  return {
    async type(s: string, until: string): Promise<string> {
      received = '';
      const seen = new Promise<string>((resolve) => waiters.push({ until, resolve }));
      await host.write(Buffer.from(s, 'latin1'));
      return seen;
    },
  };
}

async function rig() {
  const [host, device] = memoryPair('modem');
  const emu = new ModemEmulator(device);
  await emu.start();
  await host.open();
  return { host, emu, t: terminal(host) };
}

describe('ModemEmulator', () => {
  it('echoes while ATE1 and stops after ATE0', async () => {
    const { t } = await rig();
    expect(await t.type('AT\r', 'OK\r\n')).toBe('AT\r\r\nOK\r\n');
    expect(await t.type('ATE0\r', 'OK\r\n')).toBe('ATE0\r\r\nOK\r\n'); // echoed: echo was still on
    expect(await t.type('AT\r', 'OK\r\n')).toBe('\r\nOK\r\n');
  });

  it('refuses a PDU whose length disagrees with AT+CMGS (SMSC octet wrongly counted) with +CMS ERROR: 304', async () => {
    const { t, emu } = await rig();
    await t.type('ATE0\r', 'OK');
    await t.type('AT+CMGF=0\r', 'OK');
    const r = encodeSubmit('13800138000', '您好');
    if (!r.ok) throw new Error(r.error);
    const part = r.parts[0];
    if (!part) throw new Error('no part');
    expect(await t.type(`AT+CMGS=${part.tpduLength + 1}\r`, '> ')).toBe('\r\n> ');
    expect(await t.type(`${part.hex}\x1a`, '\r\n+CMS ERROR: 304\r\n')).toContain('304');
    await t.type(`AT+CMGS=${part.tpduLength}\r`, '> ');
    expect(await t.type(`${part.hex}\x1a`, 'OK\r\n')).toBe('\r\n+CMGS: 1\r\n\r\nOK\r\n');
    expect(emu.delivered).toEqual([{ phone: '+8613800138000', text: '您好', parts: 1, concatRef: undefined, refs: [1] }]);
  });

  it('keeps taking a PDU until Ctrl-Z or ESC (an AT in between is PDU text); ESC cancels with OK, and outside PDU input ESC is ignored', async () => {
    const { t, emu } = await rig();
    await t.type('ATE0\r', 'OK');
    await t.type('AT+CMGF=0\r', 'OK');
    expect(await t.type('\x1bAT\r', 'OK\r\n')).toBe('\r\nOK\r\n'); // ESC outside PDU input: nothing, then AT's OK
    expect(await t.type('AT+CMGS=19\r', '> ')).toBe('\r\n> ');
    expect(emu.awaitingPdu).toBe(true);
    const commands: string[] = [];
    emu.onCommand((c) => commands.push(c));
    // A host that died mid-PDU, then a new one's AT: both PDU text, unanswered; the ESC after them cancels.
    expect(await t.type('0011AT\r\x1b', 'OK\r\n')).toBe('\r\nOK\r\n');
    expect(commands).toEqual(['<ESC>']);
    expect(emu.awaitingPdu).toBe(false);
    expect(await t.type('AT\r', 'OK\r\n')).toBe('\r\nOK\r\n');
    expect(emu.delivered).toEqual([]);
  });

  it('answers AT+CSQ, refuses AT+CMGS in text mode and unknown commands', async () => {
    const { t, emu } = await rig();
    await t.type('ATE0\r', 'OK');
    emu.csq = { rssi: 7, ber: 0 };
    expect(await t.type('AT+CSQ\r', 'OK\r\n')).toBe('\r\n+CSQ: 7,0\r\n\r\nOK\r\n');
    await t.type('AT+CMGF=1\r', 'OK');
    expect(await t.type('AT+CMGS=19\r', '\r\n')).toContain('+CMS ERROR: 302');
    expect(await t.type('AT+FOO\r', 'ERROR\r\n')).toBe('\r\nERROR\r\n');
  });

  it('sends unsolicited lines on request', async () => {
    const { t, emu } = await rig();
    const seen = t.type('', 'RING');
    emu.unsolicited('RING');
    expect(await seen).toBe('\r\nRING\r\n');
  });
});

describe('AtModem link loss', () => {
  it('fails the command in flight with SMS_FAILED TRANSPORT_CLOSED when the link closes, without waiting for the timeout', async () => {
    const [host, device] = memoryPair('modem');
    const emu = new ModemEmulator(device);
    await emu.start();
    const modem = new AtModem(host, { promptTimeoutMs: 60_000 });
    await modem.start();
    emu.setSilent(true);
    const cmgsSeen = new Promise<void>((resolve) => emu.onCommand((c) => c.startsWith('AT+CMGS') && resolve()));
    const sending = modem.send({ id: 'x', phone: '13800138000', template: 't', params: {}, text: '你好' });
    const asserted = expect(sending).rejects.toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'TRANSPORT_CLOSED', retryable: true } });
    await cmgsSeen; // the modem is now waiting for a prompt that will never come
    await host.close();
    await asserted;
    expect(modem.health().ready).toBe(false);
  });
});
