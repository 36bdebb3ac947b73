import { createHash, createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import { acs3Sign, percentEncode } from '../../../drivers/sms/aliyun-sign.js';
import { canonicalRequest } from '../../../drivers/sms/canonical-request.js';
import { tc3Sign } from '../../../drivers/sms/tencent-sign.js';
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

describe('Aliyun V3 signature, ACS3-HMAC-SHA256 (golden)', () => {
  it("reproduces the provider's documented example (RunInstances, YourAccessKeyId/YourAccessKeySecret)", () => {
    // From Alibaba Cloud's "V3 request structure and signature" pages: POST / with two query
    // parameters, an empty body, the six signed headers, and the published Signature value.
    const r = acs3Sign({
      accessKeyId: 'YourAccessKeyId',
      accessKeySecret: 'YourAccessKeySecret',
      method: 'POST',
      host: 'ecs.cn-shanghai.aliyuncs.com',
      action: 'RunInstances',
      version: '2014-05-26',
      date: '2023-10-26T09:01:01Z',
      nonce: 'd410180a5abf7fe235dd9b74aca91fc0',
      query: { RegionId: 'cn-shanghai', ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd' },
    });
    expect(r.headers['x-acs-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(r.query).toBe('ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai');
    expect(r.signature).toBe('e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804');
    expect(r.headers['authorization']).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804',
    );
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
      endpoint: 'https://dysmsapi.aliyuncs.com/',
      now: () => new Date('2024-05-06T07:08:09.123Z'),
      nonce: () => 'nonce-1',
    });
    const req = sms.signedRequest(msg(), 'SMS_1', '13800138000');
    const query = 'PhoneNumbers=13800138000&SignName=%E6%94%BF%E5%8A%A1%E5%A4%A7%E5%8E%85&TemplateCode=SMS_1&TemplateParam=%7B%22number%22%3A%22A012%22%2C%22window%22%3A%223%22%7D';
    const empty = createHash('sha256').update('').digest('hex');
    const canonical = [
      'POST',
      '/',
      query,
      `host:dysmsapi.aliyuncs.com\nx-acs-action:SendSms\nx-acs-content-sha256:${empty}\nx-acs-date:2024-05-06T07:08:09Z\nx-acs-signature-nonce:nonce-1\nx-acs-version:2017-05-25\n`,
      'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
      empty,
    ].join('\n');
    const signature = createHmac('sha256', 'testsecret').update(`ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`).digest('hex');
    expect(req.url).toBe(`https://dysmsapi.aliyuncs.com/?${query}`);
    expect(req.headers).toEqual({
      host: 'dysmsapi.aliyuncs.com',
      'x-acs-action': 'SendSms',
      'x-acs-content-sha256': empty,
      'x-acs-date': '2024-05-06T07:08:09Z',
      'x-acs-signature-nonce': 'nonce-1',
      'x-acs-version': '2017-05-25',
      authorization: `ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=${signature}`,
    });
  });

  it('one canonical request serves both gateways: Tencent TC3 signs the same shape', () => {
    const t = tc3Sign({ secretId: 'id', secretKey: 'key', service: 'sms', host: 'sms.tencentcloudapi.com', timestamp: 1700000000, contentType: 'application/json; charset=utf-8', payload: '{}' });
    expect(t.canonicalRequest).toBe(
      canonicalRequest({ method: 'POST', path: '/', query: '', headers: { Host: 'sms.tencentcloudapi.com', 'Content-Type': 'application/json; charset=utf-8' }, payloadHash: createHash('sha256').update('{}').digest('hex') }).text,
    );
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

  it('rejects a request whose signed parts were changed on the way (query, body hash)', async () => {
    const sms = new AliyunSms(options);
    const good = sms.signedRequest(msg(), 'SMS_100', '13800138000');
    const tampered = await fetch(good.url.replace('13800138000', '13900139000'), { method: 'POST', headers: good.headers });
    expect(await tampered.json()).toMatchObject({ Code: 'SignatureDoesNotMatch' });
    const again = sms.signedRequest(msg(), 'SMS_100', '13800138000');
    const withBody = await fetch(again.url, { method: 'POST', headers: again.headers, body: 'x=1' });
    expect(await withBody.json()).toMatchObject({ Code: 'ContentSha256NotMatched' });
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
