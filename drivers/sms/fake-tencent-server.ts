/**
 * A local stand-in for sms.tencentcloudapi.com: verifies the TC3-HMAC-SHA256 Authorization with the
 * configured key, answers SendSms (2021-01-11) in the provider's JSON shape, and fails on request.
 */
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { FakeGatewayServer } from './fake-gateway-server.js';
import { tc3Sign } from './tencent-sign.js';

export interface FakeTencentOptions {
  secretId: string;
  secretKey: string;
  sdkAppId?: string;
  port?: number;
}

const AUTH = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

export class FakeTencentSmsServer extends FakeGatewayServer {
  constructor(private readonly options: FakeTencentOptions) {
    super(options.port ?? 0);
  }

  protected handle(req: http.IncomingMessage, body: string): { status: number; body: string } {
    const requestId = this.requestId();
    // Tencent answers API errors with HTTP 200 and Response.Error.
    const error = (Code: string, Message: string, status = 200) => ({ status, body: JSON.stringify({ Response: { Error: { Code, Message }, RequestId: requestId } }) });
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] ?? '' : v ?? '';
    };
    if (req.method !== 'POST') return error('InvalidParameter', 'only POST is emulated');
    const m = AUTH.exec(header('authorization'));
    if (!m) {
      this.rejectedSignatures++;
      return error('AuthFailure.InvalidAuthorization', 'Authorization header is not in the TC3-HMAC-SHA256 form.');
    }
    const [, secretId, date, service, signedHeaders, signature] = m;
    if (secretId !== this.options.secretId) {
      this.rejectedSignatures++;
      return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    }
    const timestamp = Number(header('x-tc-timestamp'));
    // The signed host is the bare host name; the Host header here carries the test port.
    const host = header('host').replace(/:\d+$/, '');
    const expected = tc3Sign({ secretId, secretKey: this.options.secretKey, service: service ?? '', host, timestamp, contentType: header('content-type'), payload: body });
    const sig = signature ?? '';
    if (signedHeaders !== 'content-type;host' || expected.date !== date || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected.signature))) {
      this.rejectedSignatures++;
      return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }
    if (header('x-tc-action') !== 'SendSms' || header('x-tc-version') !== '2021-01-11') return error('InvalidAction', 'The action or version is not emulated.');
    const fault = this.takeFault();
    if (fault === 'http500') return { status: 500, body: 'Internal Server Error' };
    if (fault === 'throttle') return error('RequestLimitExceeded', 'Your current request count exceeds the frequency limit.');
    let req2: { PhoneNumberSet?: unknown; SmsSdkAppId?: unknown; SignName?: unknown; TemplateId?: unknown; TemplateParamSet?: unknown };
    try {
      req2 = JSON.parse(body) as typeof req2;
    } catch {
      return error('InvalidParameter', 'The body is not JSON.');
    }
    if (this.options.sdkAppId !== undefined && req2.SmsSdkAppId !== this.options.sdkAppId) return error('FailedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId does not match.');
    const phones = Array.isArray(req2.PhoneNumberSet) ? req2.PhoneNumberSet.filter((p): p is string => typeof p === 'string') : [];
    if (phones.length === 0 || typeof req2.TemplateId !== 'string') return error('MissingParameter', 'PhoneNumberSet and TemplateId are required.');
    const params = Array.isArray(req2.TemplateParamSet) ? req2.TemplateParamSet.map(String) : [];
    const SendStatusSet = phones.map((phone) => {
      if (!/^\+861\d{10}$/.test(phone)) return { SerialNo: '', PhoneNumber: phone, Fee: 0, SessionContext: '', Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'incorrect phone number', IsoCode: 'CN' };
      const serial = this.record({ phone, signName: typeof req2.SignName === 'string' ? req2.SignName : '', templateId: String(req2.TemplateId), params }, '2433:');
      return { SerialNo: serial, PhoneNumber: phone, Fee: 1, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' };
    });
    return { status: 200, body: JSON.stringify({ Response: { SendStatusSet, RequestId: requestId } }) };
  }
}
