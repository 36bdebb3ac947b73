/**
 * Alibaba Cloud SMS (dysmsapi, SendSms 2017-05-25) over HTTP POST with the V3 signature (ACS3-HMAC-SHA256).
 * Template messages only: the template name maps to a TemplateCode, params go as TemplateParam JSON.
 */
import { randomUUID } from 'node:crypto';
import { silentLogger, type Logger } from '../common/logger.js';
import { acs3Sign, aliyunTimestamp } from './aliyun-sign.js';
import { httpCall, isRecord } from './http-call.js';
import { mainlandNumber, maskPhone } from './phone.js';
import { smsFailed, type SmsMessage, type SmsReceipt, type SmsSender } from './sender.js';

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** hallq template name → TemplateCode (SMS_123456789). */
  templates: Readonly<Record<string, string>>;
  /** Default https://dysmsapi.aliyuncs.com/ ; tests point it at FakeAliyunSmsServer. */
  endpoint?: string;
  /** Sent as RegionId only when set (the SMS endpoint is the same for every region). */
  regionId?: string;
  timeoutMs?: number;
  logger?: Logger;
  now?: () => Date;
  nonce?: () => string;
  fetch?: typeof fetch;
}

/** Codes that clear by themselves (flow control, provider trouble). Everything else needs a person. */
export function aliyunRetryable(code: string): boolean {
  return code === 'isv.BUSINESS_LIMIT_CONTROL' || code.startsWith('Throttling') || code === 'ServiceUnavailable' || code.startsWith('InternalError') || code === 'isp.SYSTEM_ERROR';
}

export class AliyunSms implements SmsSender {
  private readonly log: Logger;
  private readonly endpoint: string;

  constructor(private readonly options: AliyunSmsOptions) {
    this.log = (options.logger ?? silentLogger).child({ driver: 'sms-aliyun' });
    this.endpoint = options.endpoint ?? 'https://dysmsapi.aliyuncs.com/';
  }

  /** The signed request for a message (URL with its canonical query, headers); exposed so tests can check it byte for byte. */
  signedRequest(msg: SmsMessage, templateCode: string, phone: string): { url: string; headers: Record<string, string> } {
    const o = this.options;
    const url = new URL(this.endpoint);
    const signed = acs3Sign({
      accessKeyId: o.accessKeyId,
      accessKeySecret: o.accessKeySecret,
      method: 'POST',
      host: url.host,
      path: url.pathname,
      action: 'SendSms',
      version: '2017-05-25',
      date: aliyunTimestamp((o.now ?? (() => new Date()))()),
      nonce: (o.nonce ?? randomUUID)(),
      query: { PhoneNumbers: phone, SignName: o.signName, TemplateCode: templateCode, TemplateParam: JSON.stringify(msg.params), ...(o.regionId ? { RegionId: o.regionId } : {}) },
    });
    return { url: `${url.origin}${url.pathname}?${signed.query}`, headers: signed.headers };
  }

  async send(msg: SmsMessage): Promise<SmsReceipt> {
    const masked = maskPhone(msg.phone);
    const templateCode = this.options.templates[msg.template];
    const phone = mainlandNumber(msg.phone);
    const fail = (providerCode: string, retryable: boolean, extra: Record<string, unknown> = {}) => {
      this.log.warn({ id: msg.id, phone: masked, providerCode, retryable, ...extra }, 'sms send failed');
      return smsFailed(`aliyun SendSms failed: ${providerCode}`, { providerCode, retryable, ...extra });
    };
    if (templateCode === undefined) throw fail('TEMPLATE_UNMAPPED', false, { template: msg.template });
    if (phone === undefined) throw fail('PHONE_INVALID', false);
    let request: { url: string; headers: Record<string, string> };
    try {
      request = this.signedRequest(msg, templateCode, phone);
    } catch {
      throw fail('PARAM_INVALID', false); // a lone surrogate cannot be percent-encoded
    }
    let reply;
    try {
      reply = await httpCall(this.options.fetch ?? fetch, request.url, { method: 'POST', headers: request.headers }, this.options.timeoutMs ?? 10_000, 'aliyun');
    } catch (e) {
      this.log.warn({ id: msg.id, phone: masked, error: (e as { code?: string }).code }, 'sms send failed');
      throw e;
    }
    const body = isRecord(reply.json) ? reply.json : {};
    const code = typeof body['Code'] === 'string' ? body['Code'] : `HTTP_${reply.status}`;
    if (reply.status === 200 && code === 'OK') {
      const bizId = typeof body['BizId'] === 'string' ? body['BizId'] : '';
      this.log.info({ id: msg.id, phone: masked, bizId, template: msg.template }, 'sms sent');
      return { providerRef: bizId };
    }
    throw fail(code, reply.status >= 500 || aliyunRetryable(code), { httpStatus: reply.status });
  }
}
