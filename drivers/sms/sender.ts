import { HallqError } from '../common/error.js';

/** One text message for one citizen. Phone and text are personal data: never log them. */
export interface SmsMessage {
  /** Outbox id; the only identifier that goes into logs. */
  id: string;
  /** 11-digit mainland mobile (13800138000) or international form (+8613800138000). */
  phone: string;
  /** Template name, e.g. 'issued' | 'near' | 'called'; gateways map it to a provider template. */
  template: string;
  /** Template parameters (number, window, position …); gateways send these, never the text. */
  params: Readonly<Record<string, string>>;
  /** The rendered Chinese text; only the modem sends it. */
  text: string;
}

export interface SmsReceipt {
  /** The provider's id for the submission (BizId, SerialNo, or the modem's +CMGS refs). */
  providerRef: string;
}

/**
 * The one interface the outbox sends through. Failures reject with HallqError
 * SMS_FAILED (details: providerCode, retryable) or DEVICE_TIMEOUT (details: retryable: true).
 */
export interface SmsSender {
  send(msg: SmsMessage): Promise<SmsReceipt>;
}

export interface SmsFailureDetails {
  providerCode: string;
  retryable: boolean;
  [k: string]: unknown;
}

export function smsFailed(message: string, details: SmsFailureDetails, cause?: unknown): HallqError {
  return new HallqError('SMS_FAILED', message, details, cause === undefined ? undefined : { cause });
}

export function smsTimeout(message: string, details: Record<string, unknown> = {}): HallqError {
  return new HallqError('DEVICE_TIMEOUT', message, { retryable: true, ...details });
}
