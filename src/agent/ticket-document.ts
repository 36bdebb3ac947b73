import type { PrintDocument } from '../../drivers/printer/document.js';
import { defaultPolicy, localTime, formatHm, type Lang } from '../core/index.js';

export interface TicketFacts {
  hallName: Lang;
  number: string;
  serviceName: Lang;
  /** Wait position at issue (等待顺序数). */
  position: number;
  /** Estimated wait at issue, whole minutes (src/core/estimate.ts); absent when no open window can call it (printed as 预计等候—分钟). */
  estimatedWaitMinutes?: number;
  windows: number[];
  issuedAt: number;
  utcOffsetMinutes: number;
  /** The ticket status page behind the QR code (its unguessable token URL); absent: no QR. */
  statusUrl?: string;
  phoneMasked?: string;
  /** The hall's no-show policy (config `policy.noShow`), printed as the footer; absent: the default policy. */
  noShow?: { requeueAfter: number | null; maxRequeues: number };
}

/**
 * The footer's no-show rule, as the hall runs it (src/core/decide-call.ts): re-queued behind
 * `requeueAfter` waiting tickets at most `maxRequeues` times, or a new number when it does not re-queue.
 */
export function noShowFooter(p: { requeueAfter: number | null; maxRequeues: number } = defaultPolicy.noShow): string {
  if (p.requeueAfter === null || p.maxRequeues === 0) return '过号请重新取号';
  const times = p.maxRequeues === 1 ? '限一次' : `限 ${p.maxRequeues} 次`;
  return p.requeueAfter === 0 ? `过号可顺延至下一位重新排队（${times}）` : `过号顺延 ${p.requeueAfter} 位重新排队（${times}）`;
}

/**
 * The estimate as printed: 即将叫号 when a free window calls it now, 预计等候约 N 分钟, and 预计等候—分钟
 * (unknown, as in the SMS) when no open window can serve the service: never a made-up 0.
 */
export function waitLine(minutes: number | undefined): string {
  if (minutes === undefined) return '预计等候—分钟';
  return minutes === 0 ? '即将叫号' : `预计等候约 ${minutes} 分钟`;
}

/** What the citizen holds (DB22/T 2871.4 §7.4.3): number, service, position, windows, time, QR. No personal data beyond a masked phone. */
export function ticketDocument(f: TicketFacts): PrintDocument {
  const lt = localTime(f.issuedAt, f.utcOffsetMinutes);
  const windows = f.windows.length > 0 ? `请到 ${f.windows.join('、')} 号窗口等候` : '请留意叫号屏';
  return {
    blocks: [
      { type: 'text', text: f.hallName.zh, align: 'center', bold: true },
      { type: 'text', text: f.number, align: 'center', width: 4, height: 4, bold: true },
      { type: 'text', text: `${f.serviceName.zh} ${f.serviceName.en}`, align: 'center' },
      { type: 'text', text: `前面还有 ${Math.max(0, f.position - 1)} 人 · 等待顺序 ${f.position}`, align: 'center' },
      { type: 'text', text: waitLine(f.estimatedWaitMinutes), align: 'center' },
      { type: 'text', text: windows, align: 'center' },
      ...(f.phoneMasked ? [{ type: 'text' as const, text: `短信通知 ${f.phoneMasked}`, align: 'center' as const }] : []),
      ...(f.statusUrl ? [{ type: 'qr' as const, data: f.statusUrl, moduleSize: 6, errorLevel: 'M' as const, align: 'center' as const }] : []),
      { type: 'text', text: `${lt.day} ${formatHm(lt.minute)}`, align: 'center' },
      { type: 'text', text: noShowFooter(f.noShow), align: 'center' },
      { type: 'text', text: '请妥善保管此票', align: 'center' },
      { type: 'cut' },
    ],
  };
}
