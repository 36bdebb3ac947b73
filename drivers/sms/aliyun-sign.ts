/**
 * Alibaba Cloud RPC signature v1 (HMAC-SHA1), pure. Shared by the client and the fake server;
 * the golden test checks it against the provider's documented example.
 */
import { createHmac } from 'node:crypto';

/** RFC 3986 percent-encoding as the provider wants it: only A-Z a-z 0-9 - _ . ~ stay literal. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sorted by parameter name (code-unit order), each name and value encoded, joined with &. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

export function aliyunStringToSign(method: 'GET' | 'POST', params: Readonly<Record<string, string>>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

/** Base64(HMAC-SHA1(secret + '&', stringToSign)). */
export function aliyunSignature(accessKeySecret: string, stringToSign: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** UTC ISO 8601 without milliseconds: 2016-02-23T12:46:24Z. */
export function aliyunTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
