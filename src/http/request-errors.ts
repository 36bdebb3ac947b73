import type { FastifyError } from 'fastify';
import { jsonFaultWords, jsonSyntaxFault } from './json-syntax.js';

/**
 * What went wrong with a request before any route saw it (its address, its content type, its body's
 * size or syntax), in hallq's error shape: each case its own code and a message in English and
 * Chinese that says what was found and what to send instead. Fastify's own texts never reach a client.
 */
export interface RequestErrorWords {
  status: number;
  code: string;
  message: string;
  messageZh: string;
}

/** The longest path segment a route parameter may be (Fastify's maxParamLength): longer ones get 414. */
export const MAX_PARAM_LENGTH = 200;

const words = (status: number, code: string, message: string, messageZh: string): RequestErrorWords => ({ status, code, message, messageZh });

/** A header value safe to repeat: printable ASCII, at most 60 characters (a content type is never personal). */
export function headerShown(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  return /^[\x20-\x7e]{1,60}$/.test(v) ? v : undefined;
}

/** 415: what a JSON body needs, and the content type that came instead. */
export function mediaTypeWords(contentType: string | undefined): RequestErrorWords {
  const shown = headerShown(contentType);
  const found =
    contentType === undefined || contentType === ''
      ? { en: 'found no content-type header', zh: '此请求没有 content-type 头' }
      : shown
        ? { en: `found content-type ${shown}`, zh: `此请求的 content-type 为 ${shown}` }
        : { en: 'found an unreadable content-type header', zh: '此请求的 content-type 头无法识别' };
  return words(415, 'unsupported-media-type', `send a JSON body (content-type: application/json); ${found.en}`, `请以 JSON 发送（content-type: application/json）；${found.zh}`);
}

/** 1 KiB, 64 KiB, 1.5 MiB: how a body limit reads. */
export function sizeWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const kib = bytes / 1024;
  if (kib < 1024) return `${Number.isInteger(kib) ? kib : kib.toFixed(1)} KiB`;
  const mib = kib / 1024;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

export function tooLargeWords(limit: number, declared: string | undefined): RequestErrorWords {
  const n = declared !== undefined && /^\d{1,15}$/.test(declared) ? Number(declared) : undefined;
  const said = n !== undefined && n > limit ? { en: ` (this one says ${sizeWords(n)})`, zh: `（本请求为 ${sizeWords(n)}）` } : { en: '', zh: '' };
  return words(413, 'payload-too-large', `the body is larger than this address takes: at most ${sizeWords(limit)}${said.en}`, `请求内容过大：此地址最多接受 ${sizeWords(limit)}${said.zh}`);
}

export const EMPTY_BODY = words(400, 'payload-invalid', 'the body is empty: send a JSON object', '请求内容为空：请发送 JSON 对象');

/** 400 for a body that JSON.parse refused: where it broke, or the forbidden key when the syntax is fine. */
export function notJsonWords(body: string): RequestErrorWords {
  if (body.trim() === '') return EMPTY_BODY;
  const fault = jsonSyntaxFault(body);
  if (fault === undefined) {
    // The syntax is fine: Fastify's parser refused a prototype key (onProtoPoisoning / onConstructorPoisoning: 'error').
    return words(400, 'payload-invalid', 'the body holds a key named __proto__ or constructor.prototype, which is refused', '请求内容含有被拒绝的键 __proto__ 或 constructor.prototype');
  }
  const at = jsonFaultWords(fault);
  return words(400, 'payload-invalid', `the body is not valid JSON: ${at.en}`, `请求内容不是有效的 JSON：${at.zh}`);
}

export interface RequestContext {
  /** The route's body limit (its own, or the app's). */
  bodyLimit: number;
  headers: Record<string, string | string[] | undefined>;
}

const header = (h: RequestContext['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** How long a request may take to arrive, headers and body (then 408): a body shorter than its content-length would otherwise hold the connection. */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Errors Node's HTTP parser raises on the connection before Fastify sees a request (Fastify's
 * clientErrorHandler): a body longer than its content-length (the rest read as a next request that is
 * not HTTP), a request that did not arrive in time, headers too large, bytes that are not HTTP.
 * undefined: the client went away (nobody to answer).
 */
export function clientErrorWords(code: string | undefined, timeoutMs = REQUEST_TIMEOUT_MS): RequestErrorWords | undefined {
  switch (code ?? '') {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return words(408, 'request-timeout', `the request did not arrive in ${timeoutMs / 1000} s: a body shorter than its content-length header, or a connection too slow; send the header your client computes, or none`, `请求未在 ${timeoutMs / 1000} 秒内送达：请求内容短于 content-length 头所写，或连接过慢；请让客户端自行计算该头，或不发送`);
    case 'HPE_HEADER_OVERFLOW':
      return words(431, 'headers-too-large', 'the request headers are too large', '请求头过大');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return words(400, 'payload-invalid', 'the content-length header is not valid: send the header your client computes, or none', 'content-length 头无效：请让客户端自行计算该头，或不发送');
    default:
      return words(400, 'bad-request', 'the request could not be read as HTTP: a body longer than its content-length header, or bytes that are not HTTP; send the header your client computes, or none', '无法按 HTTP 读取此请求：请求内容长于 content-length 头所写，或不是 HTTP 数据；请让客户端自行计算该头，或不发送');
  }
}

/** Fastify's errors about the request itself, worded; undefined for anything else (a route's own failure). */
export function requestErrorWords(err: Pick<FastifyError, 'code'>, ctx: RequestContext): RequestErrorWords | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLargeWords(ctx.bodyLimit, header(ctx.headers, 'content-length'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return mediaTypeWords(header(ctx.headers, 'content-type'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return EMPTY_BODY;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Only from a parser other than the app's own, which says where the body broke (notJsonWords).
      return words(400, 'payload-invalid', 'the body is not valid JSON', '请求内容不是有效的 JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return words(400, 'payload-invalid', 'the body is not as long as its content-length header says: send the header your client computes, or none', '请求内容的长度与 content-length 头不符：请让客户端自行计算该头，或不发送');
    case 'FST_ERR_BAD_URL':
      return words(400, 'bad-url', 'the address is not valid: a % must be followed by two hexadecimal digits of UTF-8 (%E4%B8%AD)', '地址无效：% 后须为两位十六进制数字（UTF-8 编码，如 %E4%B8%AD）');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return words(414, 'uri-too-long', `a part of the address is too long (at most ${MAX_PARAM_LENGTH} characters between two /)`, `地址中的一段过长（两个 / 之间最多 ${MAX_PARAM_LENGTH} 个字符）`);
    case 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE':
      return mediaTypeWords(undefined);
    default:
      return undefined;
  }
}
