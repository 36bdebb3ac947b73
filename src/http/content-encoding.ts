import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HallqError } from '../../drivers/common/error.js';
import { headerShown, sizeWords, type RequestErrorWords } from './request-errors.js';

/**
 * Compressed request bodies (`Content-Encoding: gzip`, `deflate`, `br`): inflated as they arrive, the
 * body limit counted on the inflated bytes, so a zip bomb (a few KiB that inflate to gigabytes) is cut
 * at the limit and answered 413; nothing is inflated past it, and never the whole body in memory first.
 * Any other encoding, or more than one, gets 415 naming it. `identity` is no encoding.
 */
export type BodyEncoding = 'gzip' | 'deflate' | 'br';

const NAMES: Readonly<Record<string, BodyEncoding>> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br' };

/** The encoding a Content-Encoding header asks for: none, one we inflate, or the words of a 415. */
export function bodyEncodingOf(header: string | string[] | undefined): { encoding?: BodyEncoding } | { refused: RequestErrorWords } {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  const codings = raw
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return {};
  const one = codings.length === 1 ? NAMES[codings[0] ?? ''] : undefined;
  if (one) return { encoding: one };
  return { refused: encodingWords(raw.trim(), codings.length) };
}

/** 415: the encoding that came (when it is safe to repeat) and the ones taken. */
export function encodingWords(header: string, count: number): RequestErrorWords {
  const shown = headerShown(header);
  const found = shown ? { en: `content-encoding ${shown}`, zh: `content-encoding 为 ${shown}` } : { en: 'an unreadable content-encoding header', zh: 'content-encoding 头无法识别' };
  const why = count > 1 ? { en: 'more than one encoding is not taken', zh: '不接受多重编码' } : { en: 'that encoding is not taken', zh: '不支持该编码' };
  return {
    status: 415,
    code: 'unsupported-content-encoding',
    message: `the body's ${found.en}: ${why.en}; send the body uncompressed, or compressed with one of gzip, deflate or br`,
    messageZh: `请求内容的${found.zh}：${why.zh}；请不压缩发送，或只用 gzip、deflate、br 之一压缩`,
  };
}

/** 413: the body inflated past the limit (counted on the inflated bytes, not on what came over the wire). */
export function inflatedTooLargeWords(limit: number, encoding: BodyEncoding): RequestErrorWords {
  return {
    status: 413,
    code: 'payload-too-large',
    message: `the body, once decompressed (content-encoding ${encoding}), is larger than this address takes: at most ${sizeWords(limit)} decompressed`,
    messageZh: `请求内容解压（content-encoding ${encoding}）后过大：此地址最多接受解压后 ${sizeWords(limit)}`,
  };
}

/** 400: the bytes are not what their content-encoding says. */
export function notEncodedWords(encoding: BodyEncoding): RequestErrorWords {
  const format = encoding === 'gzip' ? 'gzip' : encoding === 'deflate' ? 'deflate (zlib format, RFC 1950)' : 'br (Brotli)';
  return {
    status: 400,
    code: 'payload-invalid',
    message: `the body is not valid ${format} data, as its content-encoding ${encoding} says it is: send it compressed as its header says, or uncompressed without the header`,
    messageZh: `请求内容不是有效的 ${format} 数据（content-encoding 为 ${encoding}）：请按该头所写压缩，或不压缩并去掉该头`,
  };
}

/** The error a hook or body stream fails with: the app's error handler answers its words. */
export function wordedError(w: RequestErrorWords): HallqError {
  const code = w.status === 413 ? 'PAYLOAD_TOO_LARGE' : w.status === 415 ? 'ENCODING_UNSUPPORTED' : 'PAYLOAD_INVALID';
  return new HallqError(code, w.message, { words: w, messageZh: w.messageZh });
}

/** The words a wordedError carries, or undefined. */
export function wordsOf(err: unknown): RequestErrorWords | undefined {
  if (!(err instanceof HallqError)) return undefined;
  const w = err.details?.['words'];
  return typeof w === 'object' && w !== null && 'status' in w ? (w as RequestErrorWords) : undefined;
}

/** Counts the inflated bytes and fails at the limit; Fastify reads the wire bytes from receivedEncodedLength. */
class Bounded extends Transform {
  receivedEncodedLength = 0;
  private inflated = 0;
  constructor(
    private readonly limit: number,
    private readonly encoding: BodyEncoding,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.inflated += chunk.length;
    if (this.inflated > this.limit) return done(wordedError(inflatedTooLargeWords(this.limit, this.encoding)));
    done(null, chunk);
  }
}

/**
 * The request's body as it inflates (for Fastify's preParsing hook). On the limit or bad data the
 * inflater is stopped and unhooked from the request: the rest of the body is not inflated.
 */
export function inflatingBody(raw: Readable, encoding: BodyEncoding, limit: number): Readable {
  const inflater = encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : createBrotliDecompress();
  const out = new Bounded(limit, encoding);
  const stop = () => {
    raw.unpipe(inflater);
    inflater.destroy();
  };
  raw.on('data', (chunk: Buffer) => {
    out.receivedEncodedLength += chunk.length;
  });
  raw.on('error', (e) => out.destroy(e));
  inflater.on('error', () => out.destroy(wordedError(notEncodedWords(encoding))));
  out.on('error', stop);
  out.on('close', stop);
  raw.pipe(inflater).pipe(out);
  return out;
}
