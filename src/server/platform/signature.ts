/**
 * Request signatures between hallq and the platform (docs/platform.md, "Signatures"), both ways:
 * HMAC-SHA256 with the shared secret over `<timestamp>.<body>` (body as sent, UTF-8; empty for a GET),
 * as lower-case hex, in `X-Hallq-Signature: v1=<hex>`; `X-Hallq-Timestamp` is Unix seconds.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hallq-signature';
export const TIMESTAMP_HEADER = 'x-hallq-timestamp';

/** `v1=<hex>` for a timestamp (Unix seconds) and body. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The two headers for a request sent at `nowMs`. */
export function signedHeaders(secret: string, nowMs: number, body: string): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signature(secret, ts, body) };
}

export type SignatureCheck = { ok: true } | { ok: false; code: 'signature-missing' | 'signature-stale' | 'signature-invalid' };

/**
 * Checks a received request: both headers present, timestamp within `toleranceSeconds` of `nowMs`
 * (a replayed old request is refused), and the signature equal in constant time.
 */
export function verifySignature(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowMs: number, toleranceSeconds: number): SignatureCheck {
  const ts = headers[TIMESTAMP_HEADER];
  const sig = headers[SIGNATURE_HEADER];
  if (typeof ts !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(ts)) return { ok: false, code: 'signature-missing' };
  if (Math.abs(nowMs / 1000 - Number(ts)) > toleranceSeconds) return { ok: false, code: 'signature-stale' };
  const want = Buffer.from(signature(secret, Number(ts), body));
  const got = Buffer.from(sig);
  return got.length === want.length && timingSafeEqual(got, want) ? { ok: true } : { ok: false, code: 'signature-invalid' };
}
