/**
 * Tryout (high): `hallq server` SIGKILLed inside an AT+CMGS exchange (the modem has sent "> " and is taking
 * the PDU) left the modem in PDU input across every restart: the next driver's AT was taken as PDU text,
 * never answered, and every SMS ended DEVICE_TIMEOUT. The driver's start now sends ESC first (3GPP TS
 * 27.005 §3.5.1). Here: the modem emulator on a real pty (socat) in this process; a first AtModem in a
 * child process gets the prompt, writes half of its PDU and is SIGKILLed; a fresh AtModem on the same
 * port must come up ready and send.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import { AtModem } from '../../../drivers/sms/at-modem.js';
import { ModemEmulator } from '../../../drivers/sms/modem-emulator.js';
import { openPtyPair, type PtyPair } from '../../helpers/pty.js';

const PHONE = '13800138000';
const TEXT = '您好，您的号码A012，请到3号窗口办理。';
const source = (rel: string) => JSON.stringify(new URL(rel, import.meta.url).pathname);

/**
 * A hallq whose AtModem writes the first half of its PDU after the prompt, says `mid-pdu` on stdout and
 * then writes nothing more (the moment the parent kills it), so the modem holds a half-entered PDU.
 */
function firstHost(port: string): string {
  return `
    import { SerialTransport } from ${source('../../../drivers/common/serial-transport.ts')};
    import { AtModem } from ${source('../../../drivers/sms/at-modem.ts')};
    const serial = new SerialTransport({ path: ${JSON.stringify(port)}, baudRate: 115200 });
    const transport = {
      description: serial.description,
      get isOpen() { return serial.isOpen; },
      open: () => serial.open(),
      close: () => serial.close(),
      onData: (fn) => serial.onData(fn),
      onClose: (fn) => serial.onClose(fn),
      async write(bytes) {
        if (bytes[bytes.length - 1] !== 0x1a) return serial.write(bytes);
        await serial.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        process.stdout.write('mid-pdu\\n');
        return new Promise(() => {});
      },
    };
    const modem = new AtModem(transport, { promptTimeoutMs: 60000, submitTimeoutMs: 60000 });
    await modem.start();
    await modem.send({ id: 'ob-1', phone: '13900000000', template: 'called', params: {}, text: '请A001号到1号窗口办理。' });
  `;
}

let pty: PtyPair | undefined;
let emu: ModemEmulator | undefined;
let modem: AtModem | undefined;

afterEach(async () => {
  await modem?.close();
  await emu?.close();
  await pty?.close();
});

describe('a modem left in PDU input by a host killed mid-send', () => {
  it('is brought back by the next driver start: ready, and the next SMS goes', async () => {
    pty = await openPtyPair();
    emu = new ModemEmulator(new SerialTransport({ path: pty.device, baudRate: 115200 }));
    await emu.start();
    const commands: string[] = [];
    emu.onCommand((c) => commands.push(c));

    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', firstHost(pty.host)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('mid-pdu') && resolve());
      void exited.then(() => reject(new Error(`the first host ended before its PDU: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The modem is still taking the dead host's PDU; the pty stays open for the next host.
    expect(emu.awaitingPdu).toBe(true);
    expect(commands.filter((c) => c.startsWith('AT+CMGS='))).toHaveLength(1);

    const records: LogRecord[] = [];
    modem = new AtModem(new SerialTransport({ path: pty.host, baudRate: 115200 }), { logger: recordingLogger(records), commandTimeoutMs: 2000, promptTimeoutMs: 2000, submitTimeoutMs: 2000 });
    await modem.start();
    expect(modem.health().ready).toBe(true);
    expect(records.some((r) => r.msg === 'modem ready (PDU mode)')).toBe(true);
    expect(emu.awaitingPdu).toBe(false);
    expect(emu.pduMode).toBe(true);
    // The half PDU was cancelled, then the usual start.
    expect(commands.slice(commands.indexOf('<ESC>'))).toEqual(['<ESC>', 'AT', 'ATE0', 'AT+CMEE=1', 'AT+CMGF=0']);

    const arrived = emu.nextMessage();
    await expect(modem.send({ id: 'ob-2', phone: PHONE, template: 'called', params: {}, text: TEXT })).resolves.toEqual({ providerRef: 'modem:1' });
    expect(await arrived).toMatchObject({ phone: `+86${PHONE}`, text: TEXT, parts: 1 });
    expect(emu.delivered).toHaveLength(1); // the dead host's half message never went
  });
});
