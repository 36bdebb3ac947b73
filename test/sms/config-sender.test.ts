import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import { FakeAliyunSmsServer } from '../../drivers/sms/fake-aliyun-server.js';
import type { AcceptedSms } from '../../drivers/sms/fake-gateway-server.js';
import { FakeTencentSmsServer } from '../../drivers/sms/fake-tencent-server.js';
import { smsFailed, smsTimeout } from '../../drivers/sms/sender.js';
import { HallqError } from '../../drivers/common/error.js';
import { smsSchema, type SmsConfig } from '../../src/config/schema.js';
import { classifySendError } from '../../src/server/sms/failure.js';
import { SmsService } from '../../src/server/sms/sms-service.js';
import { renderSms } from '../../src/server/sms/templates.js';
import { dirs, MONDAY_10, smsRig } from './fixtures.js';

afterEach(() => dirs.cleanup());

describe('server.sms config', () => {
  it('defaults to no SMS, 30 days retention and the zh templates; a provider needs its section', () => {
    const d = smsSchema.parse({});
    expect(d).toMatchObject({ provider: 'none', retentionDays: 30, maxAttempts: 5, backoffSeconds: 30 });
    expect(d.templates.called).toBe('【{hall}】请{number}号到{window}号窗口办理。');
    const r = smsSchema.safeParse({ provider: 'tencent' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['tencent']);
    expect(smsSchema.safeParse({ provider: 'modem', modem: { path: '/dev/ttyUSB2' }, apiKey: 'x' }).success).toBe(false);
    expect(smsSchema.parse({ provider: 'modem', modem: { path: '/dev/ttyUSB2' } }).modem?.baudRate).toBe(115200);
  });

  it('starts nothing and keeps no number when the provider is none', () => {
    const rig = smsRig();
    expect(SmsService.open({ config: smsSchema.parse({}), database: rig.path, engine: rig.engine, clock: () => MONDAY_10, logger: recordingLogger() })).toBeUndefined();
    rig.close();
  });
});

/** Issues a ticket with a contact through an SmsService on `config`; resolves with what the gateway accepted. */
async function throughGateway(config: SmsConfig, fake: { onAccepted(fn: (a: AcceptedSms) => void): unknown }) {
  const rig = smsRig({ clock: () => Date.now() });
  const logger = recordingLogger();
  const service = SmsService.open({ config, database: rig.path, engine: rig.engine, clock: () => Date.now(), logger });
  if (!service) throw new Error('sms off');
  service.start();
  const accepted = new Promise<AcceptedSms>((resolve) => fake.onAccepted(resolve));
  const t = rig.issue();
  expect(service.contact(t, '+8613912345678')).toBe(true);
  const got = await accepted;
  await service.stop();
  rig.close();
  expect(JSON.stringify(logger.records)).not.toContain('13912345678');
  return got;
}

describe('gateway providers from the config', () => {
  it('aliyun: the secret from its file, the TemplateCode of the reason, the parameters by name', async () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'aliyun.secret'), 'demo-secret\n', { mode: 0o600 });
    const fake = new FakeAliyunSmsServer({ accessKeyId: 'LTAI-demo', accessKeySecret: 'demo-secret' });
    const endpoint = await fake.start();
    const config = smsSchema.parse({
      provider: 'aliyun',
      aliyun: { accessKeyId: 'LTAI-demo', accessKeySecretFile: join(dir, 'aliyun.secret'), signName: '政务大厅', templates: { issued: 'SMS_1', issuedNear: 'SMS_4', near: 'SMS_2', called: 'SMS_3' }, endpoint },
    });
    const got = await throughGateway(config, fake);
    await fake.close();
    expect(fake.rejectedSignatures).toBe(0);
    expect(got).toMatchObject({ phone: '13912345678', signName: '政务大厅', templateId: 'SMS_1', params: { hall: '联调大厅', number: 'A001', service: '社保', position: '1', ahead: '0' } });
  });

  it('tencent: positional parameters in the order the template lists them', async () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'tencent.secret'), 'tc-secret', { mode: 0o600 });
    const fake = new FakeTencentSmsServer({ secretId: 'AKID-demo', secretKey: 'tc-secret', sdkAppId: '1400000000' });
    const endpoint = await fake.start();
    const tpl = (templateId: string) => ({ templateId, params: ['number', 'position', 'windowsText'] });
    const config = smsSchema.parse({
      provider: 'tencent',
      tencent: { secretId: 'AKID-demo', secretKeyFile: join(dir, 'tencent.secret'), sdkAppId: '1400000000', signName: '政务大厅', templates: { issued: tpl('101'), issuedNear: tpl('104'), near: tpl('102'), called: tpl('103') }, endpoint },
    });
    const got = await throughGateway(config, fake);
    await fake.close();
    // No window is open: the issued message names none, as the paper does.
    expect(got).toMatchObject({ templateId: '101', params: ['A001', '1', '请留意叫号屏'] });
  });
});

describe('what a failed send means', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  it.each([
    ['throttled (retryable provider code)', smsFailed('x', { providerCode: 'isv.BUSINESS_LIMIT_CONTROL', retryable: true }), 'retry'],
    ['bad number (not retryable)', smsFailed('x', { providerCode: 'isv.MOBILE_NUMBER_ILLEGAL', retryable: false }), 'fail'],
    ['modem prompt timeout (PDU never written)', smsTimeout('x', { stage: 'prompt' }), 'retry'],
    ['modem submit timeout', smsTimeout('x', { stage: 'submit' }), 'maybe-sent'],
    ['gateway timeout', smsTimeout('x', { provider: 'aliyun' }), 'maybe-sent'],
    ['connection refused', smsFailed('x', { providerCode: 'NETWORK', retryable: true }, new TypeError('fetch failed', { cause: refused })), 'retry'],
    ['connection reset', smsFailed('x', { providerCode: 'NETWORK', retryable: true }, new TypeError('fetch failed', { cause: reset })), 'maybe-sent'],
    ['modem link closed mid-command', smsFailed('x', { providerCode: 'TRANSPORT_CLOSED', retryable: true }), 'maybe-sent'],
    ['another HallqError', new HallqError('INTERNAL', 'x'), 'maybe-sent'],
    ['not a HallqError', new Error('boom'), 'maybe-sent'],
  ])('%s → %s', (_name, error, kind) => {
    expect(classifySendError(error).kind).toBe(kind);
  });
});

describe('templates', () => {
  it('fill every known placeholder and leave an unknown one visible', () => {
    const vars = { hall: '市民中心', number: 'B012', service: '医保', position: '4', ahead: '3', wait: '12', windows: '2、5', window: '2', link: '', valid: '', time: '09:30', aheadText: '前面还有 3 人', waitText: '预计等候约 12 分钟', windowsText: '请到 2、5 号窗口等候', policy: '过号请重新取号', statusLink: '' };
    expect(renderSms('【{hall}】{number}即将叫号，请到{windows}号窗口附近等候。', vars)).toBe('【市民中心】B012即将叫号，请到2、5号窗口附近等候。');
    expect(renderSms('{number} {windw}', vars)).toBe('B012 {windw}');
  });

  it('a gateway must have an approved template for each message kind, issuedNear included (the key path is named)', () => {
    const r = smsSchema.safeParse({ provider: 'aliyun', aliyun: { accessKeyId: 'a', accessKeySecretFile: '/x', signName: 's', templates: { issued: 'SMS_1', near: 'SMS_2', called: 'SMS_3' } } });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['aliyun.templates.issuedNear']);
  });
});
