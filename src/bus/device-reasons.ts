import { z } from 'zod';

/**
 * Why a device is not ok, as a code a tool can act on (DeviceHealth.reason; `detail` stays free words),
 * each with the words the CLI prints. The printer's (drivers/printer/driver.ts PrinterProblem), a link
 * that is down (its port missing, unplugged, or a TCP printer not answering), and an RS-485 keypad or screen
 * that stopped answering (`no-reply`) or answers garbled (`bad-reply`).
 */
export const DEVICE_REASONS = {
  'paper-out': { en: 'paper out', zh: '缺纸' },
  'paper-near-end': { en: 'paper near end', zh: '纸将尽' },
  'cover-open': { en: 'cover open', zh: '纸仓盖打开' },
  'printer-offline': { en: 'printer says offline (an error)', zh: '打印机离线（故障）' },
  'cutter-error': { en: 'cutter error', zh: '切刀故障' },
  'no-reply': { en: 'no status reply', zh: '无状态应答' },
  'bad-reply': { en: 'replies garbled (checksum or frame)', zh: '应答校验错误' },
  'link-down': { en: 'link down', zh: '连接断开' },
  unconfirmed: { en: 'last ticket not confirmed', zh: '上一张票未确认' },
} as const satisfies Record<string, { en: string; zh: string }>;

export type DeviceReason = keyof typeof DEVICE_REASONS;

const CODES = Object.keys(DEVICE_REASONS) as [DeviceReason, ...DeviceReason[]];

/**
 * The wire's view: a code this build does not know (a newer agent's) is read as none, so its entry is
 * still taken with its state and detail, and the list is never dropped whole for it.
 */
export const deviceReasonSchema = z.enum(CODES).optional().catch(undefined);

/** "paper out (缺纸)". */
export function reasonWords(reason: DeviceReason): string {
  const w = DEVICE_REASONS[reason];
  return `${w.en} (${w.zh})`;
}
