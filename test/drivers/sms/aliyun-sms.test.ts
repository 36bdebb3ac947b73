import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import { aliyunSignature, aliyunStringToSign, percentEncode } from '../../../drivers/sms/aliyun-sign.js';
import { AliyunSms, type AliyunSmsOptions } from '../../../drivers/sms/aliyun-sms.js';
import { FakeAliyunSmsServer } from '../../../drivers/sms/fake-aliyun-server.js';
import type { SmsMessage } from '../../../drivers/sms/sender.js';

const msg = (over: Partial<SmsMessage> = {}): SmsMessage => ({
  id: 'ob-7',
  phone: '13800138000',
  template: 'called',
  params: { number: 'A012', window: '3' },
  text: '请A012到3号窗口办理',
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

describe('Aliyun RPC v1 signature (golden)', () => {
  it("reproduces the provider's documented example (DescribeRegions, testid/testsecret)", () => {
    // From the Alibaba Cloud "Signature mechanism" page and its developer.aliyun.com copy.
    const params = {
      TimeStamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    const sts = aliyunStringToSign('GET', params);
    expect(sts).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(aliyunSignature('testsecret', sts)).toBe('CT9X0VtwR86fNWSnsc6v8YGOjuE=');
  });

  it('percent-encodes as RFC 3986 with the provider quirks (space %20, * %2A, ~ kept)', () => {
    expect(percentEncode("a b*c~d'!(x)+/")).toBe('a%20b%2Ac~d%27%21%28x%29%2B%2F');
  });

  it('signs a SendSms request exactly as written out by hand', () => {
    const sms = new AliyunSms({
      accessKeyId: 'testid',
      accessKeySecret: 'testsecret',
      signName: '政务大厅',
      templates: { called: 'SMS_1' },
      now: () => new Date('2024-05-06T07:08:09.123Z'),
      nonce: () => 'nonce-1',
    });
    const query = sms.signedQuery(msg(), 'SMS_1', '13800138000');
    const canonical =
      'AccessKeyId=testid&Action=SendSms&Format=JSON&PhoneNumbers=13800138000&RegionId=cn-hangzhou' +
      '&SignName=%E6%94%BF%E5%8A%A1%E5%A4%A7%E5%8E%85&SignatureMethod=HMAC-SHA1&SignatureNonce=nonce-1&SignatureVersion=1.0' +
      '&TemplateCode=SMS_1&TemplateParam=%7B%22number%22%3A%22A012%22%2C%22window%22%3A%223%22%7D' +
      '&Timestamp=2024-05-06T07%3A08%3A09Z&Version=2017-05-25';
    const stringToSign = `GET&%2F&${encodeURIComponent(canonical)}`;
    const signature = createHmac('sha1', 'testsecret&').update(stringToSign).digest('base64');
    expect(query).toBe(`Signature=${encodeURIComponent(signature)}&${canonical}`);
  });
});

describe('AliyunSms against FakeAliyunSmsServer', () => {
  let server: FakeAliyunSmsServer;
  let records: LogRecord[];
  let options: AliyunSmsOptions;

  beforeEach(async () => {
    server = new FakeAliyunSmsServer({ accessKeyId: 'LTAI-test', accessKeySecret: 'secret-1' });
    const endpoint = await server.start();
    records = [];
    options = { accessKeyId: 'LTAI-test', accessKeySecret: 'secret-1', signName: '政务大厅', templates: { called: 'SMS_100', near: 'SMS_200' }, endpoint, logger: recordingLogger(records), timeoutMs: 2000 };
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends a template message that the server verifies and records', async () => {
    const receipt = await new AliyunSms(options).send(msg({ phone: '+8613800138000' }));
    expect(receipt).toEqual({ providerRef: 'BIZ000001' });
    expect(server.accepted).toEqual([{ phone: '13800138000', signName: '政务大厅', templateId: 'SMS_100', params: { number: 'A012', window: '3' }, providerRef: 'BIZ000001' }]);
  });

  it('is rejected with SignatureDoesNotMatch when the secret is wrong', async () => {
    const e = await rejection(new AliyunSms({ ...options, accessKeySecret: 'wrong' }).send(msg()));
    expect(e).toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'SignatureDoesNotMatch', retryable: false, httpStatus: 400 } });
    expect(server.rejectedSignatures).toBe(1);
    expect(server.accepted).toHaveLength(0);
  });

  it('rejects a replayed nonce', async () => {
    const sms = new AliyunSms({ ...options, nonce: () => 'same' });
    await sms.send(msg());
    expect(await rejection(sms.send(msg()))).toMatchObject({ details: { providerCode: 'SignatureNonceUsed' } });
  });

  it('maps throttling and HTTP 500 to retryable failures, then succeeds', async () => {
    const sms = new AliyunSms(options);
    server.failNext('throttle');
    expect(await rejection(sms.send(msg()))).toMatchObject({ code: 'SMS_FAILED', details: { providerCode: 'isv.BUSINESS_LIMIT_CONTROL', retryable: true } });
    server.failNext('http500');
    expect(await rejection(sms.send(msg()))).toMatchObject({ code: 'SMS_FAILED', details: { retryable: true, httpStatus: 500 } });
    await expect(sms.send(msg())).resolves.toEqual({ providerRef: 'BIZ000001' });
  });

  it('times out on a slow gateway with DEVICE_TIMEOUT', async () => {
    server.setDelay(1000);
    const e = await rejection(new AliyunSms({ ...options, timeoutMs: 150 }).send(msg()));
    expect(isHallqError(e, 'DEVICE_TIMEOUT')).toBe(true);
  });

  it('fails without a request for an unmapped template or a non-mainland number', async () => {
    const sms = new AliyunSms(options);
    expect(await rejection(sms.send(msg({ template: 'issued' })))).toMatchObject({ details: { providerCode: 'TEMPLATE_UNMAPPED', retryable: false } });
    expect(await rejection(sms.send(msg({ phone: '+4915112345678' })))).toMatchObject({ details: { providerCode: 'PHONE_INVALID', retryable: false } });
    expect(server.accepted).toHaveLength(0);
    expect(server.rejectedSignatures).toBe(0);
  });

  it('never logs the phone number or the text', async () => {
    const sms = new AliyunSms(options);
    await sms.send(msg());
    server.failNext('throttle');
    await rejection(sms.send(msg()));
    const dump = JSON.stringify(records);
    expect(dump).toContain('138****8000');
    expect(dump).not.toContain('13800138000');
    expect(dump).not.toContain('请A012');
  });
});
