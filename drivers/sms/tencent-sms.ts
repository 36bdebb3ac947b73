/**
 * Tencent Cloud SMS (SendSms, API 2021-01-11) over HTTP POST JSON with a TC3-HMAC-SHA256 Authorization.
 * Template messages only: TemplateParamSet is positional, so each template lists its parameter names in order.
 */
import { silentLogger, type Logger } from '../common/logger.js';
import { httpCall, isRecord } from './http-call.js';
import { internationalDigits, maskPhone } from './phone.js';
import { smsFailed, type SmsMessage, type SmsReceipt, type SmsSender } from './sender.js';
import { tc3Sign } from './tencent-sign.js';

export interface TencentTemplate {
  templateId: string;
  /** Parameter names in the order of the template's {1}, {2} … placeholders. */
  params: readonly string[];
}

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templates: Readonly<Record<string, TencentTemplate>>;
  /** Default https://sms.tencentcloudapi.com/ ; tests point it at FakeTencentSmsServer. */
  endpoint?: string;
  region?: string;
  timeoutMs?: number;
  logger?: Logger;
  /** Unix seconds. */
  now?: () => number;
  fetch?: typeof fetch;
}

export const TENCENT_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Rate limits and provider-side trouble clear by themselves; auth, template and number errors do not. */
export function tencentRetryable(code: string): boolean {
  return (
    code.startsWith('RequestLimitExceeded') ||
    code.startsWith('InternalError') ||
    code === 'LimitExceeded.PhoneNumberThirtySecondLimit' ||
    code === 'LimitExceeded.PhoneNumberOneHourLimit' ||
    code === 'ResourceUnavailable' ||
    code === 'AuthFailure.SignatureExpire' // a clock step; the next attempt signs afresh
  );
}

export class TencentSms implements SmsSender {
  private readonly log: Logger;
  private readonly endpoint: string;

  constructor(private readonly options: TencentSmsOptions) {
    this.log = (options.logger ?? silentLogger).child({ driver: 'sms-tencent' });
    this.endpoint = options.endpoint ?? 'https://sms.tencentcloudapi.com/';
  }

  async send(msg: SmsMessage): Promise<SmsReceipt> {
    const o = this.options;
    const masked = maskPhone(msg.phone);
    const fail = (providerCode: string, retryable: boolean, extra: Record<string, unknown> = {}) => {
      this.log.warn({ id: msg.id, phone: masked, providerCode, retryable, ...extra }, 'sms send failed');
      return smsFailed(`tencent SendSms failed: ${providerCode}`, { providerCode, retryable, ...extra });
    };
    const template = o.templates[msg.template];
    if (!template) throw fail('TEMPLATE_UNMAPPED', false, { template: msg.template });
    const digits = internationalDigits(msg.phone);
    if (digits === undefined) throw fail('PHONE_INVALID', false);
    const missing = template.params.filter((p) => msg.params[p] === undefined);
    if (missing.length > 0) throw fail('TEMPLATE_PARAM_MISSING', false, { missing });
    const payload = JSON.stringify({
      PhoneNumberSet: [`+${digits}`],
      SmsSdkAppId: o.sdkAppId,
      SignName: o.signName,
      TemplateId: template.templateId,
      TemplateParamSet: template.params.map((p) => msg.params[p] ?? ''),
    });
    const timestamp = (o.now ?? (() => Math.floor(Date.now() / 1000)))();
    const host = new URL(this.endpoint).hostname;
    const { authorization } = tc3Sign({ secretId: o.secretId, secretKey: o.secretKey, service: 'sms', host, timestamp, contentType: TENCENT_CONTENT_TYPE, payload });
    let reply;
    try {
      reply = await httpCall(
        o.fetch ?? fetch,
        this.endpoint,
        {
          method: 'POST',
          headers: {
            Authorization: authorization,
            'Content-Type': TENCENT_CONTENT_TYPE,
            'X-TC-Action': 'SendSms',
            'X-TC-Version': '2021-01-11',
            'X-TC-Timestamp': String(timestamp),
            'X-TC-Region': o.region ?? 'ap-guangzhou',
          },
          body: payload,
        },
        o.timeoutMs ?? 10_000,
        'tencent',
      );
    } catch (e) {
      this.log.warn({ id: msg.id, phone: masked, error: (e as { code?: string }).code }, 'sms send failed');
      throw e;
    }
    const response = isRecord(reply.json) && isRecord(reply.json['Response']) ? reply.json['Response'] : undefined;
    if (!response) throw fail(`HTTP_${reply.status}`, reply.status >= 500 || reply.status === 429, { httpStatus: reply.status });
    const error = response['Error'];
    if (isRecord(error)) {
      const code = typeof error['Code'] === 'string' ? error['Code'] : 'UNKNOWN';
      throw fail(code, tencentRetryable(code), { httpStatus: reply.status });
    }
    // A per-number outcome: the request can succeed while this number's send failed.
    const set = response['SendStatusSet'];
    const status = Array.isArray(set) && isRecord(set[0]) ? set[0] : undefined;
    const code = typeof status?.['Code'] === 'string' ? status['Code'] : 'NO_STATUS';
    if (code !== 'Ok') throw fail(code, tencentRetryable(code), { httpStatus: reply.status });
    const serialNo = typeof status?.['SerialNo'] === 'string' ? status['SerialNo'] : '';
    this.log.info({ id: msg.id, phone: masked, serialNo, template: msg.template }, 'sms sent');
    return { providerRef: serialNo };
  }
}
