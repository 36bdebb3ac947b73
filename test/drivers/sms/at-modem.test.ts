import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import { AtModem, type AtModemOptions } from '../../../drivers/sms/at-modem.js';
import { ModemEmulator } from '../../../drivers/sms/modem-emulator.js';
import type { SmsMessage } from '../../../drivers/sms/sender.js';
import { openPtyPair, type PtyPair } from '../../helpers/pty.js';

const PHONE = '13800138000';
const TEXT = '您好，您的号码A012，请到3号窗口办理。';
const msg = (over: Partial<SmsMessage> = {}): SmsMessage => ({ id: 'ob-1', phone: PHONE, template: 'called', params: { number: 'A012', window: '3' }, text: TEXT, ...over });

let pty: PtyPair;
let modem: AtModem;
let emu: ModemEmulator;
let records: LogRecord[];

async function setup(options: AtModemOptions = {}): Promise<void> {
  records = [];
  const log = recordingLogger(records);
  emu = new ModemEmulator(new SerialTransport({ path: pty.device, baudRate: 115200 }), { logger: log });
  await emu.start();
  modem = new AtModem(new SerialTransport({ path: pty.host, baudRate: 115200 }), { logger: log, commandTimeoutMs: 2000, promptTimeoutMs: 2000, submitTimeoutMs: 2000, ...options });
  await modem.start();
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

beforeEach(async () => {
  pty = await openPtyPair();
});

afterEach(async () => {
  await modem?.close();
  await emu?.close();
  await pty.close();
});

describe('AtModem against ModemEmulator over a real pty', () => {
  it('initialises out of echo mode into PDU mode and sends a single message that arrives decoded', async () => {
    await setup();
    expect(emu.echo).toBe(false); // ATE0 went through although the emulator powered up echoing
    expect(emu.pduMode).toBe(true);
    const arrived = emu.nextMessage();
    const receipt = await modem.send(msg());
    expect(await arrived).toEqual({ phone: '+8613800138000', text: TEXT, parts: 1, concatRef: undefined, refs: [1] });
    expect(receipt).toEqual({ providerRef: 'modem:1' });
    expect(modem.health()).toMatchObject({ ready: true, lastError: undefined });
  });

  it('sends a long message with an emoji as concatenated parts that reassemble exactly', async () => {
    await setup({ firstConcatRef: 200 });
    const text = `${'请您到综合窗口办理业务'.repeat(6)}😀${'谢谢'.repeat(20)}`; // 107 units → 2 parts
    const arrived = emu.nextMessage();
    const receipt = await modem.send(msg({ text }));
    const got = await arrived;
    expect(got.text).toBe(text);
    expect(got.parts).toBe(2);
    expect(got.concatRef).toBe(200);
    expect(receipt.providerRef).toBe('modem:1,2');
    // the next long message takes the next reference
    const second = emu.nextMessage();
    await modem.send(msg({ text }));
    expect((await second).concatRef).toBe(201);
  });

  it('maps +CMS ERROR 304 to a non-retryable SMS_FAILED and recovers for the next send', async () => {
    await setup();
    emu.failNextSends(304);
    const e = await rejection(modem.send(msg()));
    expect(isHallqError(e, 'SMS_FAILED')).toBe(true);
    expect((e as { details: unknown }).details).toMatchObject({ providerCode: 'CMS304', retryable: false });
    expect(modem.health().lastError).toMatchObject({ code: 'SMS_FAILED', providerCode: 'CMS304' });
    expect(emu.delivered).toHaveLength(0);
    await expect(modem.send(msg())).resolves.toEqual({ providerRef: 'modem:1' });
  });

  it('maps SMSC trouble (+CMS ERROR 350, 305) to retryable SMS_FAILED', async () => {
    await setup();
    emu.failNextSends(350);
    expect(await rejection(modem.send(msg()))).toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'CMS350', retryable: true } });
    emu.failNextSends(305);
    expect(await rejection(modem.send(msg()))).toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'CMS305', retryable: true } });
  });

  it('times out on a silent modem with DEVICE_TIMEOUT, cancels the prompt with ESC, and works once it answers again', async () => {
    await setup({ promptTimeoutMs: 300 });
    const commands: string[] = [];
    emu.onCommand((c) => commands.push(c));
    emu.setSilent(true);
    const e = await rejection(modem.send(msg()));
    expect(isHallqError(e, 'DEVICE_TIMEOUT')).toBe(true);
    expect((e as { details: unknown }).details).toMatchObject({ stage: 'prompt', retryable: true });
    const escaped = new Promise<void>((resolve) => {
      if (commands.includes('<ESC>')) resolve();
      else emu.onCommand((c) => c === '<ESC>' && resolve());
    });
    await escaped;
    emu.setSilent(false);
    const arrived = emu.nextMessage();
    await modem.send(msg());
    expect((await arrived).text).toBe(TEXT);
  });

  it('is not thrown off by +CMTI and RING in the middle of AT+CMGS; they reach onUrc', async () => {
    await setup();
    const urcs: string[] = [];
    modem.onUrc((u) => urcs.push(u.name));
    emu.injectUrcsDuringNextSend(['+CMTI: "SM",1', 'RING']);
    const arrived = emu.nextMessage();
    await expect(modem.send(msg())).resolves.toEqual({ providerRef: 'modem:1' });
    expect((await arrived).text).toBe(TEXT);
    expect(urcs).toEqual(['+CMTI', 'RING', '+CMTI', 'RING']); // after the prompt and before +CMGS
  });

  it('waits out slow replies within the deadline and times out beyond it', async () => {
    await setup({ submitTimeoutMs: 400, promptTimeoutMs: 400 });
    emu.setReplyDelay(100);
    await expect(modem.send(msg())).resolves.toEqual({ providerRef: 'modem:1' });
    emu.setReplyDelay(800);
    const e = await rejection(modem.send(msg()));
    expect(isHallqError(e, 'DEVICE_TIMEOUT')).toBe(true);
  });

  it('reads signal quality with AT+CSQ', async () => {
    await setup();
    emu.csq = { rssi: 18, ber: 99 };
    expect(await modem.signalQuality()).toEqual({ rssi: 18, ber: 99, dbm: -77 });
    expect(modem.health().signal?.rssi).toBe(18);
  });

  it('runs concurrent sends one at a time', async () => {
    await setup();
    const texts = ['第一条', '第二条', '第三条'];
    const receipts = await Promise.all(texts.map((text, i) => modem.send(msg({ id: `ob-${i}`, text }))));
    expect(receipts.map((r) => r.providerRef)).toEqual(['modem:1', 'modem:2', 'modem:3']);
    expect(emu.delivered.map((d) => d.text)).toEqual(texts);
  });

  it('never logs the phone number, the text or a PDU (driver and emulator), only the masked number', async () => {
    await setup();
    await modem.send(msg());
    await modem.send(msg({ text: TEXT.repeat(4) }));
    emu.failNextSends(304);
    await rejection(modem.send(msg()));
    const dump = JSON.stringify(records);
    expect(dump).toContain('138****8000');
    for (const secret of [PHONE, '8613800138000', '3108108300F0', '号码A012', '您好', '60A8597D']) expect(dump).not.toContain(secret);
    expect(records.some((r) => r.level === 'warn')).toBe(true);
  });
});
