/**
 * A local stand-in for dysmsapi.aliyuncs.com: verifies the V3 signature (ACS3-HMAC-SHA256) with the
 * configured secret, recomputed from the request as it arrived (method, path, query, the signed
 * headers, the body's hash), answers SendSms in the provider's JSON shape, and fails on request (see FakeGatewayServer).
 */
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ACS3, canonicalQueryV3, parseAcs3Authorization } from './aliyun-sign.js';
import { canonicalRequest, hmacSha256, sha256Hex } from './canonical-request.js';
import { FakeGatewayServer } from './fake-gateway-server.js';

export interface FakeAliyunOptions {
  accessKeyId: string;
  accessKeySecret: string;
  port?: number;
}

const REQUIRED = ['PhoneNumbers', 'SignName', 'TemplateCode'];
/** Every x-acs-* header present must be signed, and these always are. */
const MUST_SIGN = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];

export class FakeAliyunSmsServer extends FakeGatewayServer {
  private readonly nonces = new Set<string>();

  constructor(private readonly options: FakeAliyunOptions) {
    super(options.port ?? 0);
  }

  protected handle(req: http.IncomingMessage, body: string): { status: number; body: string } {
    const requestId = this.requestId();
    const error = (status: number, Code: string, Message: string) => ({ status, body: JSON.stringify({ RequestId: requestId, Code, Message, HostId: 'dysmsapi.aliyuncs.com' }) });
    if (req.method !== 'POST' && req.method !== 'GET') return error(400, 'UnsupportedHTTPMethod', 'This http method is not supported.');
    const url = new URL(req.url ?? '/', 'http://fake');
    const params: Record<string, string> = {};
    for (const [k, v] of url.searchParams) params[k] = v;
    const header = (name: string): string => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : (v ?? '');
    };
    const auth = parseAcs3Authorization(header('authorization'));
    if (!auth) return error(400, 'MissingAuthorization', 'Authorization is mandatory for this action.');
    if (auth.accessKeyId !== this.options.accessKeyId) {
      this.rejectedSignatures++;
      return error(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    }
    const unsigned = [...MUST_SIGN, ...Object.keys(req.headers).filter((h) => h.startsWith('x-acs-'))].find((h) => !auth.signedHeaders.includes(h));
    if (unsigned) return error(400, 'HeaderNotSigned', `${unsigned} must be signed.`);
    if (header('x-acs-content-sha256') !== sha256Hex(body)) return error(400, 'ContentSha256NotMatched', 'The body does not match x-acs-content-sha256.');
    const signedValues = Object.fromEntries(auth.signedHeaders.map((h) => [h, header(h)]));
    const canon = canonicalRequest({ method: req.method, path: url.pathname, query: canonicalQueryV3(params), headers: signedValues, payloadHash: sha256Hex(body) });
    const expected = hmacSha256(this.options.accessKeySecret, `${ACS3}\n${sha256Hex(canon.text)}`).toString('hex');
    if (auth.signature.length !== expected.length || !timingSafeEqual(Buffer.from(auth.signature), Buffer.from(expected))) {
      this.rejectedSignatures++;
      return error(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    const nonce = header('x-acs-signature-nonce');
    if (this.nonces.has(nonce)) return error(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    this.nonces.add(nonce);
    const missing = REQUIRED.find((k) => params[k] === undefined);
    if (missing) return error(400, `MissingParameter`, `${missing} is mandatory for this action.`);
    params['Action'] = header('x-acs-action');
    params['Version'] = header('x-acs-version');
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
