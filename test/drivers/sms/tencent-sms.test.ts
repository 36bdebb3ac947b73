import { createHash, createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import { FakeTencentSmsServer } from '../../../drivers/sms/fake-tencent-server.js';
import type { SmsMessage } from '../../../drivers/sms/sender.js';
import { tc3Sign } from '../../../drivers/sms/tencent-sign.js';
import { TencentSms, type TencentSmsOptions } from '../../../drivers/sms/tencent-sms.js';

const msg = (over: Partial<SmsMessage> = {}): SmsMessage => ({
  id: 'ob-9',
  phone: '13800138000',
  template: 'near',
  params: { number: 'A012', position: '3' },
  text: '您的号码A012前面还有3位',
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('TC3-HMAC-SHA256 (golden)', () => {
  it('builds the canonical request, string to sign and signature as written out by hand', () => {
    const payload = '{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"政务大厅","TemplateId":"1110","TemplateParamSet":["A012","3"]}';
    const timestamp = 1714979289; // 2024-05-06T07:08:09Z
    const r = tc3Sign({ secretId: 'AKIDtest', secretKey: 'keytest', service: 'sms', host: 'sms.tencentcloudapi.com', timestamp, contentType: 'application/json; charset=utf-8', payload });
    const payloadHash = createHash('sha256').update(payload, 'utf8').digest('hex');
    const canonical = `POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\n\ncontent-type;host\n${payloadHash}`;
    expect(r.canonicalRequest).toBe(canonical);
    const stringToSign = `TC3-HMAC-SHA256\n1714979289\n2024-05-06/sms/tc3_request\n${createHash('sha256').update(canonical).digest('hex')}`;
    expect(r.stringToSign).toBe(stringToSign);
    // Key chain written out independently: TC3+key → date → service → "tc3_request".
    const kDate = createHmac('sha256', 'TC3keytest').update('2024-05-06').digest();
    const kService = createHmac('sha256', kDate).update('sms').digest();
    const kSigning = createHmac('sha256', kService).update('tc3_request').digest();
    const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
    expect(r.signature).toBe(signature);
    expect(r.authorization).toBe(`TC3-HMAC-SHA256 Credential=AKIDtest/2024-05-06/sms/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`);
  });

  it('uses the UTC date of the timestamp, not the local one', () => {
    // 2024-05-06T23:30:00Z is already 05-07 in Beijing; the scope must say 05-06.
    const r = tc3Sign({ secretId: 'a', secretKey: 'b', service: 'sms', host: 'h', timestamp: 1715038200, contentType: 'application/json', payload: '{}' });
    expect(r.date).toBe('2024-05-06');
  });
});

describe('TencentSms against FakeTencentSmsServer', () => {
  let server: FakeTencentSmsServer;
  let records: LogRecord[];
  let options: TencentSmsOptions;

  beforeEach(async () => {
    server = new FakeTencentSmsServer({ secretId: 'AKID-test', secretKey: 'key-1', sdkAppId: '1400006666' });
    const endpoint = await server.start();
    records = [];
    options = {
      secretId: 'AKID-test',
      secretKey: 'key-1',
      sdkAppId: '1400006666',
      signName: '政务大厅',
      templates: { near: { templateId: '2001', params: ['number', 'position'] } },
      endpoint,
      logger: recordingLogger(records),
      timeoutMs: 2000,
    };
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends a template message with positional params that the server verifies and records', async () => {
    const receipt = await new TencentSms(options).send(msg());
    expect(receipt).toEqual({ providerRef: '2433:000001' });
    expect(server.accepted).toEqual([{ phone: '+8613800138000', signName: '政务大厅', templateId: '2001', params: ['A012', '3'], providerRef: '2433:000001' }]);
  });

  it('is rejected with AuthFailure.SignatureFailure when the key is wrong', async () => {
    const e = await rejection(new TencentSms({ ...options, secretKey: 'wrong' }).send(msg()));
    expect(e).toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'AuthFailure.SignatureFailure', retryable: false } });
    expect(server.rejectedSignatures).toBe(1);
    expect(server.accepted).toHaveLength(0);
  });

  it('the server checks the body hash: a body changed after signing is rejected', async () => {
    const tamper: typeof fetch = (url, init) => fetch(url, { ...init, body: String(init?.body).replace('A012', 'B999') });
    const e = await rejection(new TencentSms({ ...options, fetch: tamper }).send(msg()));
    expect(e).toMatchObject({ details: { providerCode: 'AuthFailure.SignatureFailure' } });
  });

  it('maps throttling and HTTP 500 to retryable failures, then succeeds', async () => {
    const sms = new TencentSms(options);
    server.failNext('throttle');
    expect(await rejection(sms.send(msg()))).toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'RequestLimitExceeded', retryable: true } });
    server.failNext('http500');
    expect(await rejection(sms.send(msg()))).toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'HTTP_500', retryable: true } });
    await expect(sms.send(msg())).resolves.toEqual({ providerRef: '2433:000001' });
  });

  it('reports a per-number failure inside a successful response', async () => {
    const e = await rejection(new TencentSms(options).send(msg({ phone: '+4915112345678' })));
    expect(e).toMatchObject({ details: { providerCode: 'InvalidParameterValue.IncorrectPhoneNumber', retryable: false } });
  });

  it('times out on a slow gateway with DEVICE_TIMEOUT', async () => {
    server.setDelay(1000);
    const e = await rejection(new TencentSms({ ...options, timeoutMs: 150 }).send(msg()));
    expect(isHallqError(e, 'DEVICE_TIMEOUT')).toBe(true);
  });

  it('fails without a request when a template parameter is missing', async () => {
    const e = await rejection(new TencentSms(options).send(msg({ params: { number: 'A012' } })));
    expect(e).toMatchObject({ details: { providerCode: 'TEMPLATE_PARAM_MISSING', retryable: false, missing: ['position'] } });
    expect(server.accepted).toHaveLength(0);
  });

  it('never logs the phone number or the text', async () => {
    const sms = new TencentSms(options);
    await sms.send(msg());
    server.failNext('throttle');
    await rejection(sms.send(msg()));
    const dump = JSON.stringify(records);
    expect(dump).toContain('138****8000');
    expect(dump).not.toContain('13800138000');
    expect(dump).not.toContain('前面还有');
  });
});
