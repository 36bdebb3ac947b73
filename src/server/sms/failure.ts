/**
 * What a failed send means for the outbox. SMS is at most once: a citizen told twice to go to a
 * window is worse than one told late, and a gateway may have delivered a message whose answer was
 * lost. So only a failure that says the message did not go out is retried:
 *  - retry:      the provider or modem refused it and says trying again may work (throttling, SMSC busy, HTTP 5xx),
 *                or it failed before anything was handed over (modem prompt timeout, connection refused);
 *  - fail:       refused for good (details.retryable === false: bad number, bad template, bad PDU, auth);
 *  - maybe-sent: no answer after the message was handed over (timeouts, a link that dropped, unknown errors).
 */
import { isHallqError } from '../../../drivers/common/error.js';

export type FailureKind = 'retry' | 'fail' | 'maybe-sent';

export interface SendFailure {
  kind: FailureKind;
  /** For the outbox row and logs: the provider's code when there is one, else the error code. */
  code: string;
}

/** Connection errors raised before a request could reach the gateway. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

export function classifySendError(e: unknown): SendFailure {
  if (!isHallqError(e)) return { kind: 'maybe-sent', code: 'INTERNAL' };
  const details = e.details ?? {};
  const providerCode = typeof details['providerCode'] === 'string' ? details['providerCode'] : undefined;
  const code = providerCode ?? e.code;
  if (details['retryable'] === false) return { kind: 'fail', code };
  if (e.code === 'DEVICE_TIMEOUT') {
    // The modem's prompt never came: the PDU was not written (AtModem sends ESC). Anything later may have gone out.
    return { kind: details['stage'] === 'prompt' ? 'retry' : 'maybe-sent', code };
  }
  if (e.code !== 'SMS_FAILED') return { kind: 'maybe-sent', code };
  if (providerCode === 'TRANSPORT_CLOSED' || providerCode === 'INTERNAL') return { kind: 'maybe-sent', code };
  if (providerCode === 'NETWORK') return { kind: NOT_CONNECTED.has(causeCode(e) ?? '') ? 'retry' : 'maybe-sent', code };
  return { kind: 'retry', code };
}

/** The first errno-style code down the cause chain (fetch wraps the socket error). */
function causeCode(e: unknown): string | undefined {
  let c: unknown = e;
  for (let i = 0; i < 4 && typeof c === 'object' && c !== null; i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}
