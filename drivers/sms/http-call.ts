/** One HTTP call to an SMS gateway with a deadline, mapping transport trouble onto SMS errors. */
import { smsFailed, smsTimeout } from './sender.js';

export interface HttpReply {
  status: number;
  /** Parsed JSON body, undefined when the body was not JSON (a proxy's HTML error page …). */
  json: unknown;
}

export async function httpCall(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  provider: string,
): Promise<HttpReply> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetchFn(url, { ...init, signal: controller.signal });
    const body = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  } catch (e) {
    if (controller.signal.aborted) throw smsTimeout(`${provider} did not answer within ${timeoutMs} ms`, { provider });
    throw smsFailed(`${provider} unreachable`, { providerCode: 'NETWORK', retryable: true, provider }, e);
  } finally {
    clearTimeout(timer);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
