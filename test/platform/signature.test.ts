import { describe, expect, it } from 'vitest';
import { signature, signedHeaders, verifySignature } from '../../src/server/platform/signature.js';

const SECRET = 'platform-test-secret-0123456789abcdef';
/** docs/platform.md's example, as `openssl dgst -sha256 -hmac` computes it. */
const GOLDEN = 'v1=005afaa73908ae35e2d86827807658772bc22cbe05d65e27711d7092951c385f';

describe('platform request signatures', () => {
  it('match the documented example (openssl)', () => {
    expect(signature(SECRET, 1764468000, '{"a":1}')).toBe(GOLDEN);
    expect(signedHeaders(SECRET, 1764468000_999, '{"a":1}')).toEqual({ 'x-hallq-timestamp': '1764468000', 'x-hallq-signature': GOLDEN });
  });

  it('verify: accepted in tolerance; stale, missing, altered body or another secret refused', () => {
    const h = { 'x-hallq-timestamp': '1764468000', 'x-hallq-signature': GOLDEN };
    expect(verifySignature(SECRET, h, '{"a":1}', 1764468000_000 + 299_000, 300)).toEqual({ ok: true });
    expect(verifySignature(SECRET, h, '{"a":1}', 1764468000_000 + 301_000, 300)).toEqual({ ok: false, code: 'signature-stale' });
    expect(verifySignature(SECRET, {}, '{"a":1}', 1764468000_000, 300)).toEqual({ ok: false, code: 'signature-missing' });
    expect(verifySignature(SECRET, h, '{"a":2}', 1764468000_000, 300)).toEqual({ ok: false, code: 'signature-invalid' });
    expect(verifySignature(`${SECRET}x`, h, '{"a":1}', 1764468000_000, 300)).toEqual({ ok: false, code: 'signature-invalid' });
    expect(verifySignature(SECRET, { ...h, 'x-hallq-timestamp': '1764468001' }, '{"a":1}', 1764468000_000, 300)).toEqual({ ok: false, code: 'signature-invalid' });
  });
});
