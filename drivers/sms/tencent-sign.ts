/**
 * Tencent Cloud API signature v3 (TC3-HMAC-SHA256), pure. Checked against the official
 * tencentcloud-sdk-nodejs (src/common/sign.ts) and the "Signature v3" API doc: the key chain is
 * HMAC("TC3"+key, date) → HMAC(·, service) → HMAC(·, "tc3_request"), signature = hex HMAC(·, StringToSign).
 */
import { createHash, createHmac } from 'node:crypto';

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** 'sms' */
  service: string;
  /** Host without port, as in the signed 'host' header. */
  host: string;
  /** Unix seconds; also the X-TC-Timestamp header. */
  timestamp: number;
  contentType: string;
  payload: string;
  method?: 'POST';
}

export interface Tc3Result {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
  date: string;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** UTC date of the timestamp, YYYY-MM-DD. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function tc3Sign(input: Tc3Input): Tc3Result {
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    input.method ?? 'POST',
    '/',
    '', // query string: empty for POST
    `content-type:${input.contentType.toLowerCase()}\nhost:${input.host.toLowerCase()}\n`,
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');
  const date = tc3Date(input.timestamp);
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`TC3${input.secretKey}`, date);
  const kService = hmac(kDate, input.service);
  const kSigning = hmac(kService, 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization, date };
}
