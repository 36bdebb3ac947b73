import type { PrintDocument } from '../../drivers/printer/document.js';
import { TICKET_QR } from '../config/ticket-qr.js';
import { formatHm, localTime, ticketNotice, type Lang, type NoShowRule } from '../core/index.js';

export interface TicketFacts {
  hallName: Lang;
  number: string;
  serviceName: Lang;
  /** Wait position at issue (等待顺序数). */
  position: number;
  /** Estimated wait at issue, whole minutes (src/core/estimate.ts); absent when no open window can call it (printed as 暂无开放窗口，开放后计算, as on the status page). */
  estimatedWaitMinutes?: number;
  windows: number[];
  issuedAt: number;
  utcOffsetMinutes: number;
  /** The ticket status page behind the QR code (its unguessable token URL); absent: no QR. */
  statusUrl?: string;
  phoneMasked?: string;
  /** The hall's no-show policy (config `policy.noShow`), printed as the footer; absent: the default policy. */
  noShow?: NoShowRule;
}

/**
 * What the citizen holds (DB22/T 2871.4 §7.4.3): number, service, people ahead, wait, windows, time,
 * QR, the no-show rule. Its words come from src/core/ticket-notice.ts, as the issued SMS's do, so the
 * paper and the phone say the same. No personal data beyond a masked phone.
 */
export function printedTicket(f: TicketFacts): PrintDocument {
  const lt = localTime(f.issuedAt, f.utcOffsetMinutes);
  const n = ticketNotice({ number: f.number, service: f.serviceName, position: f.position, estimatedWaitMinutes: f.estimatedWaitMinutes, windows: f.windows, statusUrl: f.statusUrl, noShow: f.noShow });
  return {
    blocks: [
      { type: 'text', text: f.hallName.zh, align: 'center', bold: true },
      { type: 'text', text: n.number, align: 'center', width: 4, height: 4, bold: true },
      { type: 'text', text: `${n.service.zh} ${n.service.en}`, align: 'center' },
      { type: 'text', text: `${n.aheadText} · 等待顺序 ${n.position}`, align: 'center' },
      { type: 'text', text: n.waitText, align: 'center' },
      { type: 'text', text: n.windowsText, align: 'center' },
      ...(f.phoneMasked ? [{ type: 'text' as const, text: `短信通知 ${f.phoneMasked}`, align: 'center' as const }] : []),
      ...(n.statusUrl ? [{ type: 'qr' as const, data: n.statusUrl, ...TICKET_QR, align: 'center' as const }] : []),
      { type: 'text', text: `${lt.day} ${formatHm(lt.minute)}`, align: 'center' },
      { type: 'text', text: n.policyText, align: 'center' },
      { type: 'text', text: '请妥善保管此票', align: 'center' },
      { type: 'cut' },
    ],
  };
}
