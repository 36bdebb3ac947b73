import iconv from 'iconv-lite';

/**
 * Screen text encoding. Controllers use GB2312 fonts; iconv-lite's gb2312 is the GBK superset,
 * so characters outside the font come out as '?' (or a GBK code the font lacks) instead of failing.
 */
export function encodeGb2312(text: string): Buffer {
  return iconv.encode(text, 'gb2312');
}

export function decodeGb2312(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes), 'gb2312');
}
