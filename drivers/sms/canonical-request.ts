/**
 * The canonical request that both gateways' current signatures hash, pure: Alibaba Cloud's V3
 * (ACS3-HMAC-SHA256) and Tencent Cloud's v3 (TC3-HMAC-SHA256) have the same shape, after AWS SigV4:
 *
 *   METHOD \n PATH \n CANONICAL_QUERY \n (name:value\n for each signed header) \n signed;header;names \n hex sha256(body)
 *
 * Header names are lower-cased and sorted; values are trimmed. The query is already canonical
 * (each provider encodes it its own way; see `canonicalQueryV3`).
 */
import { createHash, createHmac } from 'node:crypto';

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
export const hmacSha256 = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

export interface CanonicalRequestInput {
  method: string;
  /** The encoded path, '/' for the root. */
  path: string;
  /** The canonical query string, '' for none. */
  query: string;
  /** Only the headers to sign; names in any case. */
  headers: Readonly<Record<string, string>>;
  /** hex sha256 of the body. */
  payloadHash: string;
}

export interface CanonicalRequest {
  text: string;
  /** `a;b;c`, the lower-case names in the order they were signed. */
  signedHeaders: string;
}

export function canonicalRequest(input: CanonicalRequestInput): CanonicalRequest {
  const headers = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([name]) => name).join(';');
  const text = [input.method.toUpperCase(), input.path, input.query, headers.map(([n, v]) => `${n}:${v}\n`).join(''), signedHeaders, input.payloadHash].join('\n');
  return { text, signedHeaders };
}
