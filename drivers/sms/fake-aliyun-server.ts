/**
 * A local stand-in for dysmsapi.aliyuncs.com: verifies the RPC v1 signature with the configured
 * secret, answers SendSms in the provider's JSON shape, and fails on request (see FakeGatewayServer).
 */
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { aliyunSignature, aliyunStringToSign } from './aliyun-sign.js';
import { FakeGatewayServer } from './fake-gateway-server.js';

export interface FakeAliyunOptions {
  accessKeyId: string;
  accessKeySecret: string;
  port?: number;
}

const REQUIRED = ['AccessKeyId', 'Action', 'Format', 'PhoneNumbers', 'SignName', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'TemplateCode', 'Timestamp', 'Version'];

export class FakeAliyunSmsServer extends FakeGatewayServer {
  private readonly nonces = new Set<string>();

  constructor(private readonly options: FakeAliyunOptions) {
    super(options.port ?? 0);
  }

  protected handle(req: http.IncomingMessage, _body: string): { status: number; body: string } {
    const requestId = this.requestId();
    const error = (status: number, Code: string, Message: string) => ({ status, body: JSON.stringify({ RequestId: requestId, Code, Message, HostId: 'dysmsapi.aliyuncs.com' }) });
    if (req.method !== 'GET') return error(400, 'UnsupportedHTTPMethod', 'This http method is not supported.');
    const query = new URL(req.url ?? '/', 'http://fake').searchParams;
    const params: Record<string, string> = {};
    for (const [k, v] of query) params[k] = v;
    const missing = REQUIRED.find((k) => params[k] === undefined);
    if (missing) return error(400, `MissingParameter`, `${missing} is mandatory for this action.`);
    if (params['AccessKeyId'] !== this.options.accessKeyId) {
      this.rejectedSignatures++;
      return error(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    }
    const expected = aliyunSignature(this.options.accessKeySecret, aliyunStringToSign('GET', params));
    const given = params['Signature'] ?? '';
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      this.rejectedSignatures++;
      return error(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    const nonce = params['SignatureNonce'] ?? '';
    if (this.nonces.has(nonce)) return error(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    this.nonces.add(nonce);
    if (params['Action'] !== 'SendSms' || params['Version'] !== '2017-05-25') return error(400, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    const fault = this.takeFault();
    if (fault === 'http500') return error(500, 'InternalError', 'The request processing has failed due to some unknown error.');
    if (fault === 'throttle') return { status: 200, body: JSON.stringify({ RequestId: requestId, Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1' }) };
    let templateParam: Record<string, string> = {};
    try {
      const parsed: unknown = JSON.parse(params['TemplateParam'] ?? '{}');
      if (typeof parsed === 'object' && parsed !== null) templateParam = parsed as Record<string, string>;
    } catch {
      return { status: 200, body: JSON.stringify({ RequestId: requestId, Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值' }) };
    }
    const phone = params['PhoneNumbers'] ?? '';
    if (!/^1\d{10}$/.test(phone)) return { status: 200, body: JSON.stringify({ RequestId: requestId, Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' }) };
    const bizId = this.record({ phone, signName: params['SignName'] ?? '', templateId: params['TemplateCode'] ?? '', params: templateParam }, 'BIZ');
    return { status: 200, body: JSON.stringify({ RequestId: requestId, Code: 'OK', Message: 'OK', BizId: bizId }) };
  }
}
