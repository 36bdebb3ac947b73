import { defaultPolicy, type Lang } from './model.js';
import { waitText } from './wait-words.js';

/**
 * What a citizen is told when a ticket is issued, in one place: the printed ticket
 * (src/agent/ticket-document.ts) and the "issued" SMS (src/server/sms/templates.ts) both word it
 * from here, so they can never disagree on the number, the service, the people ahead, the wait, the
 * status link or the no-show rule. Pure: facts in, words out.
 */
export interface NoticeFacts {
  number: string;
  service: Lang;
  /** Wait position at issue (等待顺序数, 1 = next). */
  position: number;
  /** Estimated wait at issue, whole minutes (src/core/estimate.ts); absent when no open window can call it. */
  estimatedWaitMinutes?: number | undefined;
  /** The windows that will call it. */
  windows: readonly number[];
  /** The ticket status page (its token URL); absent: none to give. */
  statusUrl?: string | undefined;
  /** The hall's no-show rule (config `policy.noShow`); absent: the default policy. */
  noShow?: NoShowRule | undefined;
}

export interface NoShowRule {
  requeueAfter: number | null;
  maxRequeues: number;
}

export interface TicketNotice {
  number: string;
  service: Lang;
  position: number;
  /** People ahead (position − 1, never negative). */
  ahead: number;
  /** 前面还有 N 人 */
  aheadText: string;
  waitMinutes: number | undefined;
  /** 即将叫号 · 预计等候约 N 分钟 · 预计等候超过2小时 · 暂无开放窗口，开放后计算 (wait-words.ts) */
  waitText: string;
  windows: readonly number[];
  /** 请到 3、5 号窗口等候 · 请留意叫号屏 */
  windowsText: string;
  statusUrl: string | undefined;
  /** The no-show rule the hall runs, e.g. 过号顺延 3 位重新排队（限一次） */
  policyText: string;
}

/**
 * The no-show rule as the hall runs it (src/core/decide-call.ts): re-queued behind `requeueAfter`
 * waiting tickets at most `maxRequeues` times, or a new number when it does not re-queue.
 */
export function noShowText(p: NoShowRule = defaultPolicy.noShow): string {
  if (p.requeueAfter === null || p.maxRequeues === 0) return '过号请重新取号';
  const times = p.maxRequeues === 1 ? '限一次' : `限 ${p.maxRequeues} 次`;
  return p.requeueAfter === 0 ? `过号可顺延至下一位重新排队（${times}）` : `过号顺延 ${p.requeueAfter} 位重新排队（${times}）`;
}

/** noShowText in English, for the bilingual display: the same rule, e.g. `Missed your call? You rejoin the queue 3 places back (once)`. */
export function noShowTextEn(p: NoShowRule = defaultPolicy.noShow): string {
  if (p.requeueAfter === null || p.maxRequeues === 0) return 'Missed your call? Please take a new number';
  const times = p.maxRequeues === 1 ? 'once' : `up to ${p.maxRequeues} times`;
  return p.requeueAfter === 0 ? `Missed your call? You rejoin the queue next in line (${times})` : `Missed your call? You rejoin the queue ${p.requeueAfter} places back (${times})`;
}

/**
 * The hall display's scrolling line: welcome, and the no-show rule the hall runs (its config's, as the
 * tickets and SMS say it), in Chinese and English.
 */
export function displayNotice(config: { name: { zh: string; en: string }; policy: { noShow: NoShowRule } }): string {
  return `欢迎来到${config.name.zh} · Welcome to ${config.name.en} · 请留意叫号与短信通知，${noShowText(config.policy.noShow)} · Please watch for your number and SMS. ${noShowTextEn(config.policy.noShow)}`;
}

export function ticketNotice(f: NoticeFacts): TicketNotice {
  const ahead = Math.max(0, f.position - 1);
  return {
    number: f.number,
    service: f.service,
    position: f.position,
    ahead,
    aheadText: `前面还有 ${ahead} 人`,
    waitMinutes: f.estimatedWaitMinutes,
    waitText: waitText(f.estimatedWaitMinutes),
    windows: f.windows,
    windowsText: f.windows.length > 0 ? `请到 ${f.windows.join('、')} 号窗口等候` : '请留意叫号屏',
    statusUrl: f.statusUrl,
    policyText: noShowText(f.noShow),
  };
}
