/**
 * Alibaba Cloud V3 request signature (ACS3-HMAC-SHA256), pure. Shared by AliyunSms and its fake
 * server. Source: Alibaba Cloud "V3 request structure and signature" (help.aliyun.com
 * document_detail/2593177): CanonicalRequest as in canonical-request.ts over every x-acs-* header
 * and host; StringToSign = "ACS3-HMAC-SHA256\n" + hex sha256(CanonicalRequest);
 * Signature = hex HMAC-SHA256(AccessKeySecret, StringToSign);
 * Authorization = "ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>".
 * It replaces the RPC HMAC-SHA1 signature (SignatureVersion 1.0), which the provider marks as old.
 */
import { canonicalRequest, hmacSha256, sha256Hex } from './canonical-request.js';

export const ACS3 = 'ACS3-HMAC-SHA256';

/** RFC 3986 percent-encoding as the provider wants it: only A-Z a-z 0-9 - _ . ~ stay literal. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** UTC ISO 8601 without milliseconds: 2016-02-23T12:46:24Z (the x-acs-date header). */
export function aliyunTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sorted by name, names and values RFC 3986-encoded, `a=1&b=2`. */
export function canonicalQueryV3(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

export interface Acs3Input {
  accessKeyId: string;
  accessKeySecret: string;
  method: 'GET' | 'POST';
  host: string;
  /** 'SendSms' */
  action: string;
  /** '2017-05-25' */
  version: string;
  /** UTC `YYYY-MM-DDThh:mm:ssZ`. */
  date: string;
  nonce: string;
  /** Query parameters (the RPC-style API's own parameters). */
  query: Readonly<Record<string, string>>;
  body?: string;
  path?: string;
}

export interface Acs3Result {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  /** Every header the request must carry, Authorization included. */
  headers: Record<string, string>;
  /** The canonical query string, to put after `?`. */
  query: string;
}

export function acs3Sign(input: Acs3Input): Acs3Result {
  const payloadHash = sha256Hex(input.body ?? '');
  const signed: Record<string, string> = {
    host: input.host,
    'x-acs-action': input.action,
    'x-acs-content-sha256': payloadHash,
    'x-acs-date': input.date,
    'x-acs-signature-nonce': input.nonce,
    'x-acs-version': input.version,
  };
  const query = canonicalQueryV3(input.query);
  const canon = canonicalRequest({ method: input.method, path: input.path ?? '/', query, headers: signed, payloadHash });
  const stringToSign = `${ACS3}\n${sha256Hex(canon.text)}`;
  const signature = hmacSha256(input.accessKeySecret, stringToSign).toString('hex');
  const authorization = `${ACS3} Credential=${input.accessKeyId},SignedHeaders=${canon.signedHeaders},Signature=${signature}`;
  return { canonicalRequest: canon.text, stringToSign, signature, headers: { ...signed, authorization }, query };
}

/** The parts of an Authorization header; undefined unless it is ACS3 with all three parts. */
export function parseAcs3Authorization(value: string): { accessKeyId: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(value);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { accessKeyId: m[1], signedHeaders: m[2].split(';'), signature: m[3] };
}
