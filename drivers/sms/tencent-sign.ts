/**
 * Tencent Cloud API signature v3 (TC3-HMAC-SHA256), pure. Checked against the official
 * tencentcloud-sdk-nodejs (src/common/sign.ts) and the "Signature v3" API doc: the key chain is
 * HMAC("TC3"+key, date) → HMAC(·, service) → HMAC(·, "tc3_request"), signature = hex HMAC(·, StringToSign).
 */
import { createHmac } from 'node:crypto';
import { canonicalRequest, hmacSha256 as hmac, sha256Hex } from './canonical-request.js';

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


/** UTC date of the timestamp, YYYY-MM-DD. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function tc3Sign(input: Tc3Input): Tc3Result {
  const canon = canonicalRequest({
    method: input.method ?? 'POST',
    path: '/',
    query: '', // empty for POST
    headers: { 'content-type': input.contentType.toLowerCase(), host: input.host.toLowerCase() },
    payloadHash: sha256Hex(input.payload),
  });
  const canonicalRequestText = canon.text;
  const signedHeaders = canon.signedHeaders;
  const date = tc3Date(input.timestamp);
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), scope, sha256Hex(canonicalRequestText)].join('\n');
  const kDate = hmac(`TC3${input.secretKey}`, date);
  const kService = hmac(kDate, input.service);
  const kSigning = hmac(kService, 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest: canonicalRequestText, stringToSign, signature, authorization, date };
}
